"""A ledger import's check and commit run as the job `registry.ledger_run` of the jobs app: in a thread
of the web process (embedded), on a Celery worker (REDIS_URL), inside the request for small files. The
ImportJob's own claim decides what a run may do: a run retried, delivered twice or overtaken does
nothing; the job page follows the run's progress; a run that died leaves a job that may be restarted."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firegrid.conftest import assert_status
from firegrid.jobs.models import JobRun, JobStatus
from firegrid.registry.ledger import runner, samples, services
from firegrid.registry.ledger.choices import ImportStatus
from firegrid.registry.models import ImportJob, Premises

pytestmark = pytest.mark.django_db

GRID_A = "樟树潭一网格"
CREATED = {"created": 5, "updated": 0, "unchanged": 0}


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIREGRID_LEDGER_INLINE = True


def mapped_job(user, n: int = 5) -> ImportJob:
    data = samples.write_xlsx([samples.community_row(i, GRID_A) for i in range(n)])
    job = services.create_import_job(
        actor=user, kind="premises", upload=SimpleUploadedFile("樟树潭社区台账.xlsx", data)
    )
    columns = {int(i): k for i, k in job.mapping["columns"].items()}
    services.confirm_mapping(job, actor=user, columns=columns, default_grid=None)
    return job


def last_run() -> JobRun:
    return JobRun.objects.filter(name=services.LEDGER_JOB).order_by("-pk").first()


def test_an_inline_check_and_commit_are_recorded_as_runs_of_the_job(district, personas):
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    check = last_run()
    services.start_commit(job, actor=user)
    commit = last_run()
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.counts["premises"] == CREATED
    assert [r.params["action"] for r in (check, commit)] == ["validate", "commit"]
    assert {r.status for r in (check, commit)} == {JobStatus.DONE}
    assert commit.result["status"] == ImportStatus.COMMITTED and commit.created_by == user
    assert commit.key.startswith(f"{job.pk}.commit.")


def test_a_run_whose_claim_is_gone_does_nothing(district, personas):
    """A retried run, or a duplicate delivery, of a check or commit that already finished."""
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    services.start_commit(job, actor=user)
    job.refresh_from_db()
    before = (job.status, job.updated_at, job.counts)
    for run in JobRun.objects.filter(name=services.LEDGER_JOB):
        assert runner.execute(None, **run.params)["skipped"] is True
    job.refresh_from_db()
    assert (job.status, job.updated_at, job.counts) == before
    assert Premises.objects.filter(building__address__startswith="樟潭街道测试村").count() == 5


def test_a_commit_overtaken_by_a_new_claim_writes_nothing(district, personas, monkeypatch):
    """The job was taken for dead and claimed again while this commit ran: its writes roll back. (The
    new claim is made here inside the commit's transaction, so it rolls back too; from another
    connection it would stay.)"""
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    real_run_import = runner.run_import

    def overtaken(job, **kwargs):
        result = real_run_import(job, **kwargs)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)  # someone's re-check
        return result

    monkeypatch.setattr(runner, "run_import", overtaken)
    services.start_commit(job, actor=user)
    assert last_run().result["skipped"] is True
    job.refresh_from_db()
    assert job.status != ImportStatus.COMMITTED and not job.committed
    assert not Premises.objects.filter(building__address__startswith="樟潭街道测试村").exists()


def test_a_run_that_never_ran_leaves_a_job_that_may_be_checked_again(district, personas):
    """The broker did not answer: the run failed before it started; the import is stale at once."""
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.COMMITTING)
    job.refresh_from_db()
    assert services.current_run(job) is None and not services.is_stale(job)  # just claimed: wait
    key = runner.run_key(job.pk, "commit", job.updated_at)
    JobRun.objects.create(name=services.LEDGER_JOB, key=key, status=JobStatus.FAILED)
    assert services.is_stale(job)
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED


def test_job_page_shows_the_runs_progress(login, district, personas):
    """Another process runs the check (a Celery worker): its run's row carries the progress."""
    user = personas.grid_worker
    job = mapped_job(user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    job.refresh_from_db()
    JobRun.objects.create(
        name=services.LEDGER_JOB,
        key=runner.run_key(job.pk, "validate", job.updated_at),
        status=JobStatus.RUNNING,
        progress_done=40,
        progress_total=100,
    )
    fragment = login(user).get(reverse("registry:ledger_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert_status(fragment, 200)
    assert '<progress value="40" max="100"' in fragment.content.decode()


@pytest.mark.django_db(transaction=True)
def test_large_file_runs_as_a_job_in_a_background_thread(settings, district, personas):
    """Embedded (no REDIS_URL): a thread of the web process, started after the request's transaction
    commits."""
    settings.FIREGRID_LEDGER_INLINE = False
    settings.FIREGRID_LEDGER_INLINE_ROWS = 0
    settings.FIREGRID_JOBS_INLINE = False
    settings.FIREGRID_JOBS_BACKEND = "embedded"
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    run = last_run()
    for thread in threading.enumerate():
        if thread.name == f"firegrid-job-{run.pk}":
            thread.join(timeout=30)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.counts["premises"] == CREATED
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.created_by == user
    assert run.result == {
        "import_job": job.pk,
        "action": "validate",
        "status": ImportStatus.VALIDATED,
        "errors": 0,
        "warnings": 0,
    }


def test_large_file_is_checked_and_committed_on_a_celery_worker(celery_worker, settings, tmp_path, personas):
    """Production (REDIS_URL): a real worker process claims the runs. Uploads sit on storage the worker
    shares (here its data directory's media folder)."""
    settings.MEDIA_ROOT = tmp_path / "worker-data" / "media"
    settings.FIREGRID_LEDGER_INLINE = False
    settings.FIREGRID_LEDGER_INLINE_ROWS = 0
    user = personas.grid_worker
    job = mapped_job(user)
    services.start_validation(job, actor=user)
    check = celery_worker.wait_until_finished(last_run())
    assert check.status == JobStatus.DONE, check.error
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED, (job.message, job.report)
    services.start_commit(job, actor=user)
    commit = celery_worker.wait_until_finished(last_run())
    assert commit.status == JobStatus.DONE and commit.pk != check.pk
    assert not commit.claimed_by.endswith(f":{os.getpid()}")
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.counts["premises"] == CREATED
    assert Premises.objects.filter(building__address__startswith="樟潭街道测试村").count() == 5


def test_the_check_and_the_commit_run_with_the_collector_paused_and_restore_it(
    district, personas, monkeypatch
):
    """A third of a 100,000-row commit went to Python's cyclic collector (core/collector.py): both runs
    pause it, and it is on again afterwards — also after a run that failed."""
    import gc

    seen = []
    real = runner.run_import

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_import", watched)
    user = personas.grid_worker
    job = mapped_job(user)
    assert gc.isenabled()
    services.start_validation(job, actor=user)
    services.start_commit(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert seen == [False, False] and gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("a fault inside the import")

    monkeypatch.setattr(runner, "run_import", broken)
    job = mapped_job(user, n=3)
    services.start_validation(job, actor=user)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and gc.isenabled()
