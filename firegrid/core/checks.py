"""System checks (`manage.py check`) for what the machine must provide beyond Python."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks

from firegrid.core import pdf


@checks.register("firegrid")
def pdf_fonts_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Chinese PDFs need fonts-noto-cjk and libharfbuzz-subset0. A warning, not an error: the rest of
    the site works without them, and the install (scripts/system-packages.sh) brings them."""
    return [
        checks.Warning(
            problem,
            hint="scripts/system-packages.sh 会在 Debian 上自动安装这些系统软件包。",
            id="firegrid.W001",
        )
        for problem in pdf.check_pdf_fonts()
    ]


# What every page needs (the site's own stylesheet and script, htmx) and what the maps and charts need
# (ECharts, Leaflet: fetched from npm by scripts/build-assets.sh, never from a CDN).
REQUIRED_STATIC = (
    "firegrid/app.css",
    "firegrid/app.js",
    "vendor/htmx.min.js",
    "vendor/echarts.min.js",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
)


@checks.register("firegrid")
def static_files_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without its static files every page comes up bare (no CSS, no htmx: progress pages never move), and
    nothing else says so. Looked for where WhiteNoise will serve them from: the app folders in development
    (FIREGRID_DEV / DEBUG), STATIC_ROOT in production."""
    if settings.WHITENOISE_USE_FINDERS:
        missing = [name for name in REQUIRED_STATIC if not finders.find(name)]
        if not missing:
            return []
        return [
            checks.Warning(
                f"前端静态文件缺失：{'、'.join(missing)}。页面将没有样式或脚本。",
                hint="运行 make assets（即 bash scripts/build-assets.sh）从 npm 获取前端依赖。",
                id="firegrid.W002",
            )
        ]
    root = Path(settings.STATIC_ROOT)
    missing = [name for name in REQUIRED_STATIC if not (root / name).is_file()]
    if not missing:
        return []
    return [
        checks.Warning(
            f"静态文件尚未收集到 STATIC_ROOT（{root}）：缺少 {'、'.join(missing)}。页面将没有样式或脚本。",
            hint="部署时先运行 make assets（或 bash scripts/build-assets.sh），再运行 "
            "firegrid collectstatic --noinput；每次升级后都要重新收集。",
            id="firegrid.W003",
        )
    ]
