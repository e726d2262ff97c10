"""Static files are always served (WhiteNoise), and a missing static build is a start-up warning."""

from __future__ import annotations

import re
import shutil

import pytest
from django.conf import settings
from django.core import checks
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import reverse

from firegrid.core.checks import REQUIRED_STATIC, static_files_check
from firegrid.core.tests.test_settings import start


def _fill(root, names) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("/* test */", encoding="utf-8")


def test_firegrid_dev_alone_serves_static_files_from_the_app_folders(tmp_path):
    # A fresh interpreter: settings are read once per process, and DEBUG must really be unset.
    result = start(
        tmp_path,
        "from django.conf import settings as s; print(s.DEBUG, s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH)",
        FIREGRID_DEV="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_production_serves_collected_files_only(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings as s; print(s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH)",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="fire.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.django_db
def test_a_pages_stylesheet_answers_200_with_debug_off(client):
    assert settings.DEBUG is False and settings.WHITENOISE_USE_FINDERS  # the test suite runs as FIREGRID_DEV
    page = client.get(reverse("login"))
    assert page.status_code == 200
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.content.decode())
    scripts = re.findall(r'<script src="([^"]+)"', page.content.decode())
    assert static("firegrid/app.css") in hrefs and static("vendor/htmx.min.js") in scripts
    for url in hrefs + scripts:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url
    css = client.get(static("firegrid/app.css"))
    assert css["Content-Type"].startswith("text/css")


@pytest.mark.django_db
def test_production_serves_the_collected_copy(tmp_path):
    shutil.copy(settings.PACKAGE_DIR / "static" / "firegrid" / "app.css", tmp_path / "app.css")
    (tmp_path / "firegrid").mkdir()
    shutil.move(tmp_path / "app.css", tmp_path / "firegrid" / "app.css")
    with override_settings(STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        client = Client()  # WhiteNoise reads its settings when the handler builds the middleware
        assert client.get(static("firegrid/app.css")).status_code == 200
        # Not collected: not served, although the app folder has it.
        assert client.get(static("firegrid/app.js")).status_code == 404


def test_the_static_check_is_quiet_when_the_build_is_there():
    assert settings.WHITENOISE_USE_FINDERS
    assert static_files_check(app_configs=None) == []


def test_vendor_assets_not_built_is_a_warning_naming_the_fix(tmp_path):
    _fill(tmp_path, ["firegrid/app.css", "firegrid/app.js"])
    with override_settings(STATICFILES_DIRS=[tmp_path]):
        messages = static_files_check(app_configs=None)
    assert [(m.level, m.id) for m in messages] == [(checks.WARNING, "firegrid.W002")]
    assert "vendor/htmx.min.js" in messages[0].msg and "firegrid/app.css" not in messages[0].msg
    assert "make assets" in messages[0].hint


def test_an_empty_static_root_in_production_is_a_warning_naming_the_fix(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False):
        messages = checks.run_checks(tags=["firegrid"])  # what `manage.py check` (and runserver) runs
        assert "firegrid.W003" in [m.id for m in messages]
        warning = next(m for m in messages if m.id == "firegrid.W003")
        assert str(tmp_path) in warning.msg and "firegrid/app.css" in warning.msg
        assert "collectstatic" in warning.hint

        _fill(tmp_path, REQUIRED_STATIC)
        assert static_files_check(app_configs=None) == []
