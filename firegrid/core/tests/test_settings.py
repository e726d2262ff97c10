"""Production refuses to start without its required values; development starts with nothing set.

Each case imports the settings in a fresh interpreter with a clean environment, because settings are
read once per process.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SETUP = "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'firegrid.settings'; django.setup(); "


def start(tmp_path, code: str = "print('started')", **env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "FIREGRID_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = start(tmp_path, ALLOWED_HOSTS="fire.example.gov.cn")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    # No key is generated behind the operator's back.
    assert not (tmp_path / "data" / "secret_key").exists()


def test_production_with_nothing_set_names_the_secret_key_first(tmp_path):
    result = start(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_without_allowed_hosts_refuses_to_start(tmp_path, hosts):
    env = {"SECRET_KEY": "k" * 50}
    if hosts is not None:
        env["ALLOWED_HOSTS"] = hosts
    result = start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_starts_with_secret_key_and_allowed_hosts(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, s.SECRET_KEY == 'k' * 50)",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="fire.example.gov.cn, 10.0.0.8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['fire.example.gov.cn', '10.0.0.8'] True"


def test_development_starts_with_nothing_set_and_keeps_its_generated_key(tmp_path):
    code = "from django.conf import settings as s; print(s.SECRET_KEY)"
    first = start(tmp_path, code, DEBUG="true")
    second = start(tmp_path, code, FIREGRID_DEV="1")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    key = (tmp_path / "data" / "secret_key").read_text().strip()
    assert first.stdout.strip() == second.stdout.strip() == key
    assert len(key) >= 50
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_a_misspelt_boolean_is_refused_by_name(tmp_path):
    result = start(tmp_path, DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_database_url_switches_to_postgresql(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])",
        FIREGRID_DEV="1",
        DATABASE_URL="postgres://fire@db.example:5432/firegrid",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"
