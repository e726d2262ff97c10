"""Racing claimers on a database every thread sees (a file on SQLite, the test database on PostgreSQL):
of two threads after the same run, exactly one runs it."""

import datetime as dt
import threading
import time

import time_machine
from django.db import connections
from django.utils import timezone

from firegrid.jobs import services
from firegrid.jobs.models import JobRun, JobStatus

from .sample_jobs import RELEASE


def race(target, *args, n: int = 2):
    """Run `target(*args)` in n threads released together; their results, in thread order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_schedulers_racing_for_the_same_day_run_it_once(shared_db, sample_jobs):
    with time_machine.travel(dt.datetime.fromisoformat("2026-11-29T00:05:30+08:00"), tick=False):
        results = race(services.run_due, n=3)
    assert sorted(len(r) for r in results) == [0, 0, 1]
    assert sample_jobs == [("tests.daily", "2026-11-29")]
    run = JobRun.objects.get(name="tests.daily")
    assert run.status == JobStatus.DONE and run.attempts == 1


def test_two_enqueues_of_the_same_key_run_once(shared_db, sample_jobs):
    results = race(lambda: services.enqueue("tests.daily", key="2026-11-29"))
    assert results[0].pk == results[1].pk
    assert sample_jobs == [("tests.daily", "2026-11-29")]


def test_two_workers_handed_the_same_run_execute_it_once(shared_db, sample_jobs):
    run = JobRun.objects.create(name="tests.daily", key="x")
    results = race(services.execute, run.pk, n=4)
    assert sum(r is not None for r in results) == 1
    assert sample_jobs == [("tests.daily", "x")]


def test_two_reclaimers_of_a_stale_run_run_it_once(shared_db, sample_jobs):
    stale = timezone.now() - dt.timedelta(minutes=30)
    run = JobRun.objects.create(
        name="tests.daily",
        key="y",
        status=JobStatus.RUNNING,
        claimed_by="dead:1",
        attempts=1,
        heartbeat_at=stale,
    )
    results = race(services.execute, run.pk, n=3)
    assert sum(r is not None for r in results) == 1
    run.refresh_from_db()
    assert run.attempts == 2 and run.status == JobStatus.DONE and run.claimed_by == services.worker_id()


def test_embedded_mode_runs_in_a_thread_and_progress_shows_while_it_runs(
    shared_db, sample_jobs, settings, personas, login
):
    settings.FIREGRID_JOBS_INLINE = False
    run = services.enqueue("tests.wait", params={"steps": 8}, actor=personas.commander)
    assert run.status == JobStatus.QUEUED  # handed to a thread once committed (autocommit here: at once)
    client = login(personas.commander)
    url = f"/jobs/{run.pk}/progress"
    seen = poll(lambda: client.get(url).json(), lambda data: data["done"] == 3)
    assert seen["status"] == "running" and seen["total"] == 8 and seen["message"] == "第 3 步"
    assert not seen["finished"]
    run.refresh_from_db()
    assert run.heartbeat_at is not None and run.claimed_by == services.worker_id()
    RELEASE.set()
    final = poll(lambda: client.get(url).json(), lambda data: data["finished"])
    assert final["status"] == "done" and final["done"] == 8 and final["result"] == {"steps": 8}


def test_heartbeat_keeps_a_long_run_from_being_reclaimed(shared_db, sample_jobs, settings):
    settings.FIREGRID_JOBS_INLINE = False
    settings.FIREGRID_JOBS_HEARTBEAT_SECONDS = 1
    run = services.enqueue("tests.wait")
    poll(lambda: JobRun.objects.get(pk=run.pk), lambda r: r.progress_done == 3)
    first_beat = JobRun.objects.get(pk=run.pk).heartbeat_at
    later = poll(lambda: JobRun.objects.get(pk=run.pk), lambda r: r.heartbeat_at > first_beat, timeout=5)
    assert later.status == JobStatus.RUNNING
    # While it beats, a second worker cannot take it.
    assert services.execute(run.pk) is None
    RELEASE.set()
    poll(lambda: JobRun.objects.get(pk=run.pk), lambda r: r.finished)
    assert sample_jobs == [("tests.wait", run.key)]


def poll(read, ready, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ready(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not ready after {timeout} s: {value!r}")
        time.sleep(0.1)
