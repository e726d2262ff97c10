"""Production mode: the Celery app's configuration and beat schedule, and a real worker on Redis.

The worker test starts `celery -A firegrid worker --pool=solo` as a subprocess on the test's database
(see firegrid/jobs/testing.py) and sends it runs through Redis. Required under CI=true; skipped loudly
elsewhere when Redis does not answer.
"""

import datetime as dt
import os

import time_machine
from celery import Celery
from celery.schedules import crontab

from firegrid.jobs import services, tasks
from firegrid.jobs.models import JobRun, JobStatus


def test_celery_app_reads_django_settings():
    from django.conf import settings

    from firegrid.celery import app

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late is True and app.conf.task_ignore_result is True
    assert "firegrid.jobs.tasks" in app.conf.include
    import firegrid.jobs.tasks  # noqa: F401

    assert {"firegrid.jobs.run", "firegrid.jobs.run_due"} <= set(app.tasks)


def test_beat_schedule_comes_from_the_registry():
    from firegrid.celery import add_schedule

    beat = Celery("beat-test")
    beat.conf.timezone = "Asia/Shanghai"
    add_schedule(beat)
    schedule = beat.conf.beat_schedule
    daily = schedule["tests.daily"]
    assert daily["task"] == "firegrid.jobs.run_due" and daily["kwargs"] == {"names": ["tests.daily"]}
    assert daily["schedule"] == crontab(minute="5", hour="0")
    assert schedule["tests.hourly"]["schedule"] == crontab(minute="0", hour="8-18", day_of_week="1-5")
    assert "tests.record" not in schedule  # on demand only
    assert schedule["firegrid.jobs.catch_up"]["task"] == "firegrid.jobs.run_due"


def test_a_run_sent_through_redis_runs_once_on_a_real_worker(celery_worker, tmp_path, personas):
    marks = tmp_path / "executions.txt"
    run = services.enqueue(
        "tests.record",
        key="celery-once",
        params={"value": "经 Redis", "path": str(marks)},
        actor=personas.admin,
    )
    assert run.status == JobStatus.QUEUED  # sent to Redis on commit; the worker claims it
    again = services.enqueue("tests.record", key="celery-once", params={"value": "again", "path": str(marks)})
    assert again.pk == run.pk
    # A duplicate delivery of the same run (Redis redelivers unacknowledged tasks).
    from firegrid.celery import app

    app.send_task("firegrid.jobs.run", args=[run.pk])

    run = celery_worker.wait_until_finished(run)
    assert run.status == JobStatus.DONE, run.error
    assert run.result["value"] == "经 Redis"
    worker_pid = run.result["pid"]
    assert worker_pid != os.getpid() and run.claimed_by.endswith(f":{worker_pid}")
    assert run.attempts == 1 and run.created_by == personas.admin

    # The worker takes tasks in order: once a run sent later is done, the duplicate has been handled.
    later = celery_worker.wait_until_finished(
        services.enqueue("tests.record", key="sentinel", params={"path": str(marks)})
    )
    assert later.status == JobStatus.DONE
    assert marks.read_text().splitlines() == [f"celery-once {worker_pid}", f"sentinel {worker_pid}"]
    assert JobRun.objects.get(pk=run.pk).attempts == 1
    assert "is another worker's or finished; skipped" in celery_worker.output()


def test_a_failure_on_the_worker_is_recorded(celery_worker):
    run = celery_worker.wait_until_finished(services.enqueue("tests.fail"))
    assert run.status == JobStatus.FAILED
    assert "RuntimeError: the printer caught fire" in run.error and run.claimed_by != services.worker_id()


def test_due_scheduled_runs_go_to_the_worker(celery_worker):
    # What beat's entry for a job asks a worker at 00:05: claim the due run, send it on as its own task.
    # The test process plays the worker that got the entry (twice); the real worker runs the job.
    with time_machine.travel(dt.datetime.fromisoformat("2026-11-29T00:05:00+08:00"), tick=False):
        tasks.run_due(names=["tests.daily"])
        tasks.run_due(names=["tests.daily"])
    run = celery_worker.wait_until_finished(JobRun.objects.get(name="tests.daily"))
    assert run.key == "2026-11-29" and run.status == JobStatus.DONE, run.error
    assert run.result == {"day": "2026-11-29"} and run.attempts == 1
    assert run.claimed_by != services.worker_id()


def test_without_redis_the_worker_tests_skip_loudly_but_fail_under_ci(monkeypatch, capsys):
    import pytest

    from firegrid.jobs.testing import require_redis

    nowhere = "redis://127.0.0.1:1/0"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="does not answer"):
        require_redis(nowhere)
    assert "!!! SKIPPING CELERY WORKER TEST" in capsys.readouterr().out
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires the Celery worker tests"):
        require_redis(nowhere)
