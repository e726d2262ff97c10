"""enqueue / execute / run_due / retry: one run per name and key, failures recorded, stale runs reclaimed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from firegrid.core.models import AuditEntry
from firegrid.jobs import services
from firegrid.jobs.models import JobRun, JobStatus
from firegrid.jobs.registry import Registry, UnknownJob

pytestmark = pytest.mark.django_db


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}+08:00")


# --- enqueue and execute ------------------------------------------------------------------------------------


def test_enqueue_runs_the_job_and_records_it(sample_jobs, personas):
    run = services.enqueue("tests.record", params={"value": 7}, actor=personas.commander)
    assert run.status == JobStatus.DONE
    assert run.result["value"] == 7
    assert run.created_by == personas.commander
    assert run.claimed_by == services.worker_id() and run.attempts == 1
    assert run.started_at and run.finished_at and run.heartbeat_at
    assert len(run.key) == 32  # ad hoc: a random key
    assert sample_jobs == [("tests.record", run.key)]


def test_ad_hoc_runs_are_separate(sample_jobs):
    first = services.enqueue("tests.record")
    second = services.enqueue("tests.record")
    assert first.pk != second.pk and len(sample_jobs) == 2


def test_same_key_twice_runs_once(sample_jobs):
    first = services.enqueue("tests.record", key="batch-1", params={"value": 1})
    second = services.enqueue("tests.record", key="batch-1", params={"value": 2})
    assert second.pk == first.pk and second.result == {"value": 1, "pid": first.result["pid"]}
    assert len(sample_jobs) == 1
    assert JobRun.objects.filter(name="tests.record", key="batch-1").count() == 1


def test_executing_a_claimed_or_finished_run_does_nothing(sample_jobs):
    run = services.enqueue("tests.record", key="k")
    assert services.execute(run.pk) is None  # done: a duplicate delivery
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    assert services.execute(run.pk) is None  # another worker's, alive
    assert len(sample_jobs) == 1
    assert services.execute(987654) is None  # gone (rolled back)


def test_failure_is_recorded_with_the_error_text(sample_jobs):
    run = services.enqueue("tests.fail", key="k")
    assert run.status == JobStatus.FAILED
    assert "RuntimeError: the printer caught fire" in run.error and "Traceback" in run.error
    # The user is not shown internals; the progress reached is kept.
    assert run.message == "任务失败，请联系系统管理员。"
    assert (run.progress_done, run.progress_total) == (1, 4)
    assert run.result is None and run.finished_at


def test_our_own_error_messages_reach_the_user():
    run = services.enqueue("tests.refuse")
    assert run.status == JobStatus.FAILED and run.message == "整改期限不能早于通知日期。"


def test_a_result_that_is_not_json_fails_the_run():
    run = services.enqueue("tests.unjsonable")
    assert run.status == JobStatus.FAILED and "not JSON serializable" in run.error


def test_a_failed_job_inside_a_transaction_rolls_back_only_its_own_work():
    # Inline inside the caller's transaction (the `db` fixture is one): the job's writes are undone, its
    # failure is recorded, and the caller's transaction goes on (on PostgreSQL an IntegrityError would
    # otherwise abort it).
    run = services.enqueue("tests.half_written", key="k")
    assert run.status == JobStatus.FAILED and "IntegrityError" in run.error
    assert not JobRun.objects.filter(name="tests.trace").exists()
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.FAILED


def test_a_run_of_a_job_this_process_does_not_know_fails_clearly():
    run = JobRun.objects.create(name="gone.job", key="k")
    services.execute(run.pk)
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.message == "未登记的任务：gone.job"


def test_unknown_job_and_bad_params_are_refused_before_anything_is_written():
    with pytest.raises(UnknownJob):
        services.enqueue("tests.nope")
    with pytest.raises(ValueError, match="do not fit"):
        services.enqueue("tests.record", params={"colour": "red"})
    with pytest.raises(ValueError, match="JSON"):
        services.enqueue("tests.record", params={"value": object()})
    assert not JobRun.objects.exists()


def test_a_claimer_that_lost_its_claim_does_not_overwrite_the_new_attempt():
    run = services.enqueue("tests.reclaimed_meanwhile")
    run.refresh_from_db()
    assert run.claimed_by == "elsewhere:1" and run.status == JobStatus.RUNNING
    assert run.result is None and run.message == "other"


def test_progress_outside_the_runner_is_written_at_once():
    run = JobRun.objects.create(name="tests.record", key="k", status=JobStatus.RUNNING)
    run.progress(5, 20, "打印第 5 份")
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total, run.message, run.percent) == (5, 20, "打印第 5 份", 25)


# --- dispatch -----------------------------------------------------------------------------------------------


def test_embedded_mode_starts_a_thread_after_commit(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.FIREGRID_JOBS_INLINE = False
    started = []
    monkeypatch.setattr(services, "_start_thread", started.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.enqueue("tests.record")
    assert run.status == JobStatus.QUEUED and started == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert started == [run.pk]


def test_celery_mode_sends_the_run_after_commit(settings, monkeypatch, django_capture_on_commit_callbacks):
    from firegrid.celery import app

    settings.FIREGRID_JOBS_INLINE = False
    settings.FIREGRID_JOBS_BACKEND = "celery"
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.enqueue("tests.record")
    assert sent == [("firegrid.jobs.run", [run.pk])]
    run.refresh_from_db()
    assert run.status == JobStatus.QUEUED


def test_celery_mode_with_the_broker_down_fails_the_run_visibly(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from firegrid.celery import app

    settings.FIREGRID_JOBS_INLINE = False
    settings.FIREGRID_JOBS_BACKEND = "celery"

    def down(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(app, "send_task", down)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.enqueue("tests.record")
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    assert run.message == "任务队列（Redis）无法连接，任务未能开始。" and "redis down" in run.error


# --- run_due ------------------------------------------------------------------------------------------------


def test_run_due_runs_nothing_before_the_slot_and_once_after(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T00:04:00"), tick=False):
        assert services.run_due() == []
    with time_machine.travel(shanghai("2026-11-29T00:06:00"), tick=False):
        runs = services.run_due()
        assert [(r.name, r.key, r.status) for r in runs] == [("tests.daily", "2026-11-29", JobStatus.DONE)]
        assert services.run_due() == []  # idempotent: twice → one run
    assert sample_jobs == [("tests.daily", "2026-11-29")]
    assert JobRun.objects.filter(name="tests.daily").count() == 1


def test_a_missed_morning_slot_runs_at_the_next_check_the_same_day(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T09:41:00"), tick=False):  # the server was down at 00:05
        assert [r.key for r in services.run_due()] == ["2026-11-29"]
    with time_machine.travel(shanghai("2026-11-30T00:05:00"), tick=False):
        assert [r.key for r in services.run_due()] == ["2026-11-30"]
    assert sample_jobs == [("tests.daily", "2026-11-29"), ("tests.daily", "2026-11-30")]


def test_several_slots_a_day_each_run_once(sample_jobs):
    with time_machine.travel(shanghai("2026-11-27T13:30:00"), tick=False):
        services.run_due(names=["tests.hourly"])
        services.run_due(names=["tests.hourly"])
    with time_machine.travel(shanghai("2026-11-27T14:00:00"), tick=False):
        services.run_due(names=["tests.hourly"])
    assert sample_jobs == [("tests.hourly", "2026-11-27T13:00"), ("tests.hourly", "2026-11-27T14:00")]


def test_a_failed_scheduled_run_is_not_retried_every_minute(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T00:06:00"), tick=False):
        JobRun.objects.create(name="tests.daily", key="2026-11-29", status=JobStatus.FAILED)
        assert services.run_due() == []
    assert sample_jobs == []


def test_a_stale_run_is_claimed_again(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T00:30:00"), tick=False):
        now = timezone.now()
        run = JobRun.objects.create(
            name="tests.daily",
            key="2026-11-29",
            status=JobStatus.RUNNING,
            claimed_by="dead-host:4242",
            attempts=1,
            queued_at=now - dt.timedelta(minutes=25),
            started_at=now - dt.timedelta(minutes=25),
            heartbeat_at=now - dt.timedelta(minutes=11),  # the stale time is 10 minutes
        )
        assert services.is_stale(run)
        [again] = services.run_due()
    assert again.pk == run.pk and again.status == JobStatus.DONE
    assert again.attempts == 2 and again.claimed_by == services.worker_id()
    assert sample_jobs == [("tests.daily", "2026-11-29")]


def test_a_running_run_with_a_recent_heartbeat_is_left_alone(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T00:30:00"), tick=False):
        now = timezone.now()
        run = JobRun.objects.create(
            name="tests.daily", key="2026-11-29", status=JobStatus.RUNNING, claimed_by="busy:1", attempts=1,
            heartbeat_at=now - dt.timedelta(minutes=9),
        )  # fmt: skip
        assert not services.is_stale(run)
        assert services.run_due() == []
    run.refresh_from_db()
    assert run.claimed_by == "busy:1" and sample_jobs == []


def test_a_queued_run_never_picked_up_is_claimed_again(sample_jobs):
    with time_machine.travel(shanghai("2026-11-29T01:00:00"), tick=False):
        JobRun.objects.create(
            name="tests.daily", key="2026-11-29", queued_at=timezone.now() - dt.timedelta(minutes=30)
        )
        [run] = services.run_due()
    assert run.status == JobStatus.DONE and sample_jobs == [("tests.daily", "2026-11-29")]


def test_the_stale_time_is_per_job(settings):
    registry = Registry()
    registry.job("a.quick")(lambda run: None)
    registry.job("a.slow", stale_minutes=120)(lambda run: None)
    settings.FIREGRID_JOBS_STALE_MINUTES = 3
    assert registry.get("a.quick").stale_after == dt.timedelta(minutes=3)
    assert registry.get("a.slow").stale_after == dt.timedelta(hours=2)


def test_run_due_under_celery_sends_each_run_to_the_workers(
    settings, monkeypatch, sample_jobs, django_capture_on_commit_callbacks
):
    from firegrid.celery import app

    settings.FIREGRID_JOBS_INLINE = False
    settings.FIREGRID_JOBS_BACKEND = "celery"
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args: sent.append((name, args)))
    with (
        time_machine.travel(shanghai("2026-11-29T00:06:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [run] = services.run_due()
        assert services.run_due() == []
    assert sent == [("firegrid.jobs.run", [run.pk])] and sample_jobs == []


# --- retry --------------------------------------------------------------------------------------------------


def test_retry_runs_a_failed_run_again_as_the_same_row(personas):
    run = services.enqueue("tests.flaky", key="k", actor=personas.commander)
    assert run.status == JobStatus.FAILED
    again = services.retry(run, actor=personas.admin)
    assert again.pk == run.pk and again.attempts == 2
    assert again.status == JobStatus.DONE and again.result == {"attempt": 2} and again.error == ""
    entry = AuditEntry.objects.get(object_id=str(run.pk))
    assert entry.actor == personas.admin and entry.reason == "重新运行任务"
    assert entry.before["status"] == "failed" and entry.after["status"] == "queued"


def test_retry_refuses_a_done_or_live_run_and_other_users(personas):
    run = services.enqueue("tests.record", actor=personas.commander)
    with pytest.raises(ValidationError, match="已完成"):
        services.retry(run, actor=personas.commander)
    failed = services.enqueue("tests.fail", actor=personas.commander)
    with pytest.raises(PermissionDenied):
        services.retry(failed, actor=personas.grid_worker)
    services.retry(failed, actor=personas.commander)  # the one who started it may
