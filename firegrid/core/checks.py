"""System checks (`manage.py check`) for what the machine must provide beyond Python."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
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
