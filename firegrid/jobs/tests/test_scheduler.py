"""When the embedded scheduler starts, and what one check does."""

import datetime as dt
import threading

import pytest
import time_machine

from firegrid.jobs import scheduler
from firegrid.jobs.models import JobRun


@pytest.mark.parametrize(
    ("argv", "environ", "mode", "starts"),
    [
        # The development server: in the child that serves, not in the autoreloader's watcher.
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, "auto", True),
        (["manage.py", "runserver", "127.0.0.1:8000"], {}, "auto", False),
        (["/work/.venv/bin/firegrid", "runserver", "--noreload"], {}, "auto", True),
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, "off", False),
        # Other management commands never, whatever the setting.
        (["manage.py", "migrate"], {}, "embedded", False),
        (["firegrid", "demo"], {}, "embedded", False),
        (["manage.py", "test"], {}, "embedded", False),
        # A WSGI server: only when asked for.
        (["/usr/bin/gunicorn", "firegrid.wsgi"], {}, "auto", False),
        (["/usr/bin/gunicorn", "firegrid.wsgi"], {}, "embedded", True),
        # Celery has beat.
        (["/work/.venv/bin/celery", "-A", "firegrid", "worker"], {}, "embedded", False),
    ],
)
def test_where_the_scheduler_starts(argv, environ, mode, starts):
    assert scheduler.should_start(argv, environ, mode, testing=False) is starts


def test_never_in_tests():
    assert not scheduler.should_start(["manage.py", "runserver", "--noreload"], {}, "embedded")
    assert not scheduler.should_start(["/usr/bin/gunicorn"], {}, "embedded")


@pytest.mark.django_db
def test_a_check_runs_due_jobs(sample_jobs):
    with time_machine.travel(dt.datetime.fromisoformat("2026-11-29T00:07:00+08:00"), tick=False):
        scheduler.check()
        scheduler.check()
    assert sample_jobs == [("tests.daily", "2026-11-29")]
    assert JobRun.objects.get().key == "2026-11-29"


def test_a_failing_check_does_not_stop_the_scheduler(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database restarting")

    monkeypatch.setattr("firegrid.jobs.services.run_due", broken)
    scheduler.check()  # logged, not raised
    assert "the check failed" in caplog.text


def test_the_loop_checks_every_interval_until_stopped(monkeypatch):
    checks = []
    stop = threading.Event()

    def check():
        checks.append(1)
        if len(checks) == 3:
            stop.set()

    monkeypatch.setattr(scheduler, "check", check)
    thread = threading.Thread(target=scheduler.loop, args=(stop, 0.01, 0))
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(checks) == 3
