"""Test fixtures for jobs that run outside the test's own connection (pytest plugin-style: import them in
a conftest). `shared_db`: a database other threads and processes see. `celery_worker`: a real
`celery -A firegrid worker` on Redis that the test's `enqueue` sends to.

Why `shared_db` is needed. pytest-django's `db` wraps a test in a transaction no other connection can
see, and on SQLite the test database lives in memory, inside this process. `shared_db` uses
`transactional_db` (rows are committed) and, on SQLite, copies the in-memory test database to a file
that every connection of this test — other threads and subprocesses too — opens instead. On PostgreSQL
the test database already is a server database: subprocesses get its URL.

Redis for `celery_worker`: FIREGRID_TEST_REDIS_URL (default redis://127.0.0.1:6379/14), a queue of
its own per test (nothing else in that database is touched). Under CI=true a Redis that does not answer
fails the test; elsewhere the test is skipped with a loud message (like the PostgreSQL run and the
browser tests).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connections
from pytest_django.fixtures import Settings

from firegrid.jobs.models import JobRun

REDIS_TEST_URL = os.environ.get("FIREGRID_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
WORKER_JOBS_MODULES = "firegrid.jobs.tests.worker_jobs"


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """Yields a DATABASE_URL that reaches this test's database from anywhere."""
    conn = connections["default"]
    if conn.vendor == "postgresql":
        yield _postgres_url(conn.settings_dict)
        return
    if conn.vendor != "sqlite":
        pytest.skip(f"shared_db does not know {conn.vendor}")
    path = tmp_path / "shared.sqlite3"
    conn.ensure_connection()
    target = sqlite3.connect(path)
    conn.connection.backup(target)
    target.close()
    # The in-memory database lives as long as the test's connection: keep that one open (not closed,
    # only set aside) and point this thread, and every thread that connects from now on, at the file.
    old_settings = connections.settings["default"]
    connections.settings["default"] = {**old_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield f"sqlite:///{path}"
    finally:
        connections["default"].close()
        connections["default"] = conn
        connections.settings["default"] = old_settings


def _postgres_url(s: dict[str, Any]) -> str:
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


def require_redis(url: str = REDIS_TEST_URL) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        message = f"Redis at {url} does not answer ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": CI=true requires the Celery worker tests")
        print(f"\n!!! SKIPPING CELERY WORKER TEST: {message} (start Redis or set FIREGRID_TEST_REDIS_URL)\n")
        pytest.skip(message)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_finished(self, run: JobRun, timeout: float = 60) -> JobRun:
        """Poll the run's row until it is done or failed; fail with the worker's log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.finished:
                return run
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker stopped (exit {self.process.returncode}):\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(
            f"run {run.pk} ({run.name}) still {run.status} after {timeout} s; worker log:\n{self.output()}"
        )


@pytest.fixture
def celery_worker(shared_db: str, tmp_path: Path, settings: Settings) -> Iterator[Worker]:
    """A `celery -A firegrid worker --pool=solo` subprocess on Redis and this test's database; the test
    process sends to it (FIREGRID_JOBS_BACKEND=celery). The worker also imports WORKER_JOBS_MODULES."""
    require_redis(REDIS_TEST_URL)
    from firegrid.celery import app

    queue = f"firegrid-test-{uuid.uuid4().hex[:12]}"
    keys = ("broker_url", "result_backend", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.close()  # drop connections made with another broker URL
    app.conf.update(broker_url=REDIS_TEST_URL, result_backend=None, task_default_queue=queue)
    settings.FIREGRID_JOBS_BACKEND = "celery"
    settings.FIREGRID_JOBS_INLINE = False

    data_dir = tmp_path / "worker-data"
    env = {
        **os.environ,
        "DATABASE_URL": shared_db,
        "REDIS_URL": REDIS_TEST_URL,
        "FIREGRID_DEV": "true",
        "FIREGRID_DATA_DIR": str(data_dir),
        "FIREGRID_JOBS_MODULES": WORKER_JOBS_MODULES,
        "FIREGRID_JOBS_INLINE": "false",
        "FIREGRID_SCHEDULER": "off",
        "CONN_MAX_AGE": "0",
        "CELERY_SKIP_CHECKS": "true",
    }
    env.pop("FIREGRID_JOBS_BACKEND", None)
    log = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "firegrid", "worker",
        "--pool=solo", "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield Worker(process, queue, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        app.close()
        app.conf.update(saved)
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
