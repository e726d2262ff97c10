"""`firegrid jobs …`."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from firegrid.jobs.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db


def jobs(*args) -> str:
    out = StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue()


def shanghai(text: str):
    return time_machine.travel(dt.datetime.fromisoformat(f"{text}+08:00"), tick=False)


def test_run_due_from_cron_twice_runs_once(sample_jobs):
    with shanghai("2026-11-29T00:05:00"):
        assert "tests.daily [2026-11-29] run" in jobs("run-due")
        assert jobs("run-due").strip() == "nothing due"
    assert sample_jobs == [("tests.daily", "2026-11-29")]


def test_run_runs_a_job_now_with_parameters(sample_jobs):
    out = jobs("run", "tests.record", "--param", "value=42", "--param", 'path=""')
    run = JobRun.objects.get(name="tests.record")
    assert run.status == JobStatus.DONE and run.result["value"] == 42
    assert f"run {run.pk}: done" in out and '"value": 42' in out


def test_run_with_a_key_retries_a_failed_run_and_leaves_a_done_one(sample_jobs):
    with pytest.raises(CommandError, match="ConnectionError"):
        jobs("run", "tests.flaky", "--key", "2026-11-29")
    assert "done" in jobs("run", "tests.flaky", "--key", "2026-11-29")
    run = JobRun.objects.get(name="tests.flaky")
    assert run.attempts == 2 and run.status == JobStatus.DONE
    assert "not run again" in jobs("run", "tests.flaky", "--key", "2026-11-29")
    assert JobRun.objects.get(pk=run.pk).attempts == 2


def test_run_of_an_unknown_job_names_the_registered_ones():
    with pytest.raises(CommandError, match=r"no job is registered under the name 'tests.nope'.*tests.daily"):
        jobs("run", "tests.nope")


def test_run_with_wrong_parameters_is_refused():
    with pytest.raises(CommandError, match="do not fit"):
        jobs("run", "tests.record", "--param", "colour=red")
    with pytest.raises(CommandError, match="NAME=VALUE"):
        jobs("run", "tests.record", "--param", "value")


def test_list_shows_recent_runs_with_failures():
    call_command("jobs", "run", "tests.record", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("jobs", "run", "tests.fail", stdout=StringIO())
    out = jobs("list")
    assert "tests.record" in out and " done" in out
    assert "tests.fail" in out and "failed 1/4" in out and "RuntimeError: the printer caught fire" in out
    assert "tests.record" not in jobs("list", "--status", "failed")


def test_registered_lists_jobs_with_schedules_and_today(sample_jobs):
    with shanghai("2026-11-29T00:06:00"):
        out = jobs("registered")
        assert "tests.daily  每日测试任务  5 0 * * * (Asia/Shanghai) today 00:05: no run yet" in out
        jobs("run-due")
        assert "today 00:05: done" in jobs("registered")
    assert "tests.record  tests.record  on demand" in out
