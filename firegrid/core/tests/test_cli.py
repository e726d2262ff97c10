"""The `firegrid` console command is manage.py with the settings set."""

import subprocess
import sys
from pathlib import Path

import pytest

from firegrid.cli import main


def test_firegrid_runs_django_commands(capsys):
    main(["help", "demo"])
    assert "--scale" in capsys.readouterr().out


def test_installed_console_script_answers():
    script = Path(sys.executable).with_name("firegrid")
    if not script.exists():
        pytest.skip("firegrid is not installed in this environment (pip install -e .)")
    result = subprocess.run(
        [str(script), "help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "FIREGRID_DEV": "true",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "migrate" in result.stdout
