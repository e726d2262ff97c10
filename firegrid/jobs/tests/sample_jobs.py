"""Jobs the tests run. They register in a registry of their own (SAMPLES): tests swap it in
(`registry.replaced(SAMPLES)`) so they never leak into other apps' tests; a Celery worker started by the
tests imports `worker_jobs`, which adds them to that process's registry."""

from __future__ import annotations

import os
import threading
import time

from django.core.exceptions import ValidationError

from firegrid.jobs.registry import Registry

SAMPLES = Registry()
CALLS: list[tuple[str, str]] = []  # (job name, run key) of every execution in this process
_calls_lock = threading.Lock()
RELEASE = threading.Event()  # tests.wait holds until a test sets it


def _count(run) -> None:
    with _calls_lock:
        CALLS.append((run.name, run.key))


@SAMPLES.job(name="tests.daily", schedule="5 0 * * *", label="每日测试任务")
def daily(run, **params):
    _count(run)
    time.sleep(0.05)  # widens the window two racing claimers have
    return {"day": run.key}


@SAMPLES.job(name="tests.hourly", schedule="0 8-18 * * 1-5")
def hourly(run, **params):
    _count(run)


@SAMPLES.job(name="tests.record")
def record(run, *, value=None, path=None):
    """Appends one line per execution to `path` (visible across processes) and returns what it got."""
    _count(run)
    if path:
        with open(path, "a") as out:
            out.write(f"{run.key} {os.getpid()}\n")
    return {"value": value, "pid": os.getpid()}


@SAMPLES.job(name="tests.fail")
def fail(run, **params):
    _count(run)
    run.progress(1, 4)
    raise RuntimeError("the printer caught fire")


@SAMPLES.job(name="tests.flaky")
def flaky(run, **params):
    """Fails on its first attempt, works on the next (a retry)."""
    if run.attempts == 1:
        raise ConnectionError("the SMS gateway did not answer")
    return {"attempt": run.attempts}


@SAMPLES.job(name="tests.refuse")
def refuse(run, **params):
    raise ValidationError({"deadline": "整改期限不能早于通知日期。"})


@SAMPLES.job(name="tests.half_written")
def half_written(run, **params):
    """Writes, then hits a database error (its own run's name and key again)."""
    from firegrid.jobs.models import JobRun

    JobRun.objects.create(name="tests.trace", key=run.key)
    JobRun.objects.create(name=run.name, key=run.key)


@SAMPLES.job(name="tests.unjsonable")
def unjsonable(run, **params):
    return {"lock": threading.Lock()}


@SAMPLES.job(name="tests.wait", stale_minutes=1)
def wait(run, *, steps: int = 10):
    """Reports progress, then holds until RELEASE is set (a long job a page polls)."""
    _count(run)
    run.progress(3, steps, "第 3 步")
    if not RELEASE.wait(timeout=30):
        raise TimeoutError("never released")
    run.progress(steps, steps)
    return {"steps": steps}


@SAMPLES.job(name="tests.reclaimed_meanwhile")
def reclaimed_meanwhile(run, **params):
    """Behaves as if another worker had claimed the run again while this attempt ran."""
    from firegrid.jobs.models import JobRun

    JobRun.objects.filter(pk=run.pk).update(
        claimed_by="elsewhere:1", attempts=run.attempts + 1, message="other"
    )
    return {"mine": True}
