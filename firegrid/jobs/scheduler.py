"""The embedded scheduler: a thread that checks for due jobs every minute (`services.run_due`).

It starts in the development server (`make run`, `runserver`: in the process that serves, not in the
autoreloader's watcher) and, with FIREGRID_SCHEDULER=embedded, in every web server process; any number
of them may run, each slot's run is claimed once. Never in tests, other management commands or
Celery processes (production with Redis runs `celery -A firegrid beat`). FIREGRID_SCHEDULER=off
turns it off; `firegrid jobs scheduler` runs the same loop in the foreground, `firegrid jobs run-due`
one check (for cron).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
FIRST_CHECK_SECONDS = 5  # let the server finish starting first
MANAGE_PROGRAMS = {"manage.py", "firegrid", "django-admin", "django-admin.py", "__main__.py"}

_started: threading.Thread | None = None
_lock = threading.Lock()


def should_start(
    argv: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    mode: str | None = None,
    testing: bool | None = None,
) -> bool:
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    mode = mode or getattr(settings, "FIREGRID_SCHEDULER", "auto")
    if testing is None:
        testing = "pytest" in sys.modules
    command = argv[1] if len(argv) > 1 else ""
    if mode == "off" or testing or command == "test":
        return False
    program = Path(argv[0]).name if argv else ""
    if program in MANAGE_PROGRAMS:
        if command != "runserver":
            return False
        # The autoreloader runs the server in a child (RUN_MAIN=true); the parent only watches files.
        return environ.get("RUN_MAIN") == "true" or "--noreload" in argv
    if program.startswith("celery"):
        return False
    return mode == "embedded"  # a WSGI/ASGI server's process


def start() -> threading.Thread:
    global _started
    with _lock:
        if _started is None or not _started.is_alive():
            _started = threading.Thread(target=loop, name="firegrid-scheduler", daemon=True)
            _started.start()
            logger.info("embedded job scheduler started (checks every %s s)", INTERVAL_SECONDS)
        return _started


def loop(
    stop: threading.Event | None = None,
    interval: float = INTERVAL_SECONDS,
    first: float = FIRST_CHECK_SECONDS,
) -> None:
    stop = stop or threading.Event()
    wait = first
    while not stop.wait(wait):
        try:
            check()
        finally:
            connections.close_all()  # this thread's: a long-lived loop must not hold connections open
        wait = interval


def check() -> None:
    from .services import run_due

    try:
        for run in run_due():
            logger.info("scheduled job %s [%s]: %s", run.name, run.key, run.status)
    except Exception:
        logger.exception("scheduled jobs: the check failed; trying again in a minute")
