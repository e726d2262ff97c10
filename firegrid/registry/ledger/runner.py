"""The body of a ledger import's check or commit, run by the job `registry.ledger_run` (registry/jobs.py)
on whatever the jobs app runs it on: a Celery worker (REDIS_URL), a thread of the web process, or the
request itself for a small file.

The claim. `services.start_validation` / `start_commit` claim the ImportJob with a conditional UPDATE
that moves it to 检查中 / 导入中 and stamps `updated_at`; that stamp (`claimed_at`) travels with the run.
Nothing else writes a claimed job until its run finishes it, so the run reads and finishes the job only
while status and stamp are still its own: a run retried on /jobs/, a duplicate Celery delivery, or a run
whose job was claimed again after it was taken for dead finds the claim gone and does nothing. A commit
whose claim is gone by the time it finishes rolls its writes back.

Progress goes to the run (`run.progress`: written by the jobs app's heartbeat thread on its own
connection, so another process sees it even inside the commit's transaction on PostgreSQL) and to
Django's cache (the same process sees it on SQLite, where that thread waits for the commit's lock).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from firegrid.areas.models import User
from firegrid.core.collector import collector_paused
from firegrid.core.models import AuditAction
from firegrid.core.services import record_change
from firegrid.jobs.models import JobRun
from firegrid.registry.models import ImportJob

from .choices import ImportStatus
from .importer import REPORT_LIMIT, RunResult, run_import
from .messages import Text, deferred, encode_lines
from .reading import LedgerFileError

logger = logging.getLogger(__name__)

VALIDATE, COMMIT = "validate", "commit"
# The status a claim gives the job, per action.
RUNNING_STATUS = {VALIDATE: ImportStatus.VALIDATING, COMMIT: ImportStatus.COMMITTING}
ACTION_OF: dict[str, str] = {status: action for action, status in RUNNING_STATUS.items()}
PROGRESS_TTL = 3600  # seconds


class LostClaim(Exception):
    """The job was claimed again while this run worked on it: its outcome is not this run's to write."""


def run_key(job_id: int, action: str, claimed_at: dt.datetime) -> str:
    """The JobRun key of one claim of an import job: unique per claim, and found again from the job's
    status and `updated_at` while it runs (services.current_run)."""
    return f"{job_id}.{action}.{claimed_at.astimezone(dt.UTC):%Y%m%d%H%M%S%f}"


def progress_key(job_id: int) -> str:
    return f"firegrid:ledger:{job_id}:progress"


def execute(
    run: JobRun | None, *, import_job: int, action: str, actor: int, claimed_at: str
) -> dict[str, Any]:
    """Run a claimed job to its end: validated, committed, or failed with a message. Never raises: an
    import's failure is the ImportJob's (its page says why), not the run's.

    Translation is off while it runs: what it stores is read later, by anyone, in their own language
    (messages.py), so text made on the way stays a msgid rather than the language of the request or
    worker that happened to run the job."""
    with translation.override(None):
        return _execute(run, import_job, action, actor, dt.datetime.fromisoformat(claimed_at))


def _execute(
    run: JobRun | None, job_id: int, action: str, actor_id: int, claimed_at: dt.datetime
) -> dict[str, Any]:
    outcome: dict[str, Any] = {"import_job": job_id, "action": action}
    claim = ImportJob.objects.filter(pk=job_id, status=RUNNING_STATUS[action], updated_at=claimed_at)
    job = claim.first()
    if job is None:
        logger.info("ledger import job %s: this %s run's claim is gone; nothing to do", job_id, action)
        return {**outcome, "skipped": True}
    actor = get_user_model().objects.get(pk=actor_id)
    write = action == COMMIT

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), PROGRESS_TTL)
        if run is not None:
            run.progress(done, total)

    try:
        with collector_paused():  # a third of a 100,000-row commit went to the collector (core/collector.py)
            if write:
                with transaction.atomic():
                    result = run_import(job, actor=actor, write=True, progress=progress)
                    _finish(claim, job, result, actor, write=True)
            else:
                result = run_import(job, actor=actor, write=False, progress=progress)
                _finish(claim, job, result, actor, write=False)
    except LostClaim:
        logger.warning(
            "ledger import job %s was claimed again while this %s ran; nothing kept", job_id, action
        )
        return {**outcome, "skipped": True}
    except (LedgerFileError, PermissionDenied) as exc:
        _fail(claim, exc.args[0] if exc.args else str(exc))
    except IntegrityError:
        # Someone registered one of the same records while this import ran (a unique key collided).
        _fail(
            claim,
            deferred(gettext_noop("导入时有人同时登记了其中的记录，未导入任何数据。请重新检查后再导入。")),
        )
    except Exception:
        logger.exception("ledger import job %s (%s) failed", job_id, action)
        _fail(claim, deferred(gettext_noop("处理时发生内部错误，未导入任何数据。请联系系统管理员。")))
    finally:
        cache.delete(progress_key(job_id))
    job.refresh_from_db(fields=["status", "error_count", "warning_count"])
    return {**outcome, "status": job.status, "errors": job.error_count, "warnings": job.warning_count}


def _finish(
    claim: QuerySet[ImportJob], job: ImportJob, result: RunResult, actor: User, *, write: bool
) -> None:
    problems = result.problems
    now = timezone.now()
    job.counts = result.counts
    job.error_count = problems.errors
    job.warning_count = problems.warnings
    job.report = problems.as_dicts(REPORT_LIMIT, skipped=False)
    # From now on the figure is the ledger's data rows (records), not its sheet lines: blank, totals and
    # sign-off rows are listed as skipped instead.
    job.progress_done = job.progress_total = result.rows
    job.finished_at = now
    old_file = job.problems_file.name
    new_file = ""
    if problems.items:
        payload = gzip.compress(json.dumps(problems.as_dicts(), ensure_ascii=False).encode())
        new_file = job.problems_file.storage.save(
            job.problems_file.field.generate_filename(job, f"{uuid.uuid4().hex}.json.gz"),
            ContentFile(payload),
        )
    notes = list(result.notes)
    if result.written:
        job.status = ImportStatus.COMMITTED
        job.committed = True
    else:
        job.status = ImportStatus.VALIDATED
        if write:
            notes.insert(
                0, deferred(gettext_noop("导入时发现问题，未导入任何数据。请按问题清单修改台账后重新上传。"))
            )
    job.message = encode_lines(notes)
    job.problems_file.name = new_file
    fields = (
        "counts error_count warning_count report progress_done progress_total finished_at status committed "
        "message problems_file"
    ).split()
    if not claim.update(**{name: getattr(job, name) for name in fields}, updated_at=now):
        if new_file:
            job.problems_file.storage.delete(new_file)
        raise LostClaim
    job.updated_at = now
    if old_file:
        storage = job.problems_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))  # a rolled-back commit keeps its report
    if result.written:
        record_change(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            after=audit_summary(job, result),
            reason=_("台账导入：%(name)s") % {"name": job.original_name},
        )


def audit_summary(job: ImportJob, result: RunResult) -> dict[str, Any]:
    """The one audit entry of an import: the file, the job, and what it did per kind of record."""
    summary: dict[str, Any] = {
        "job": job.pk,
        "kind": job.kind,
        "original_name": job.original_name,
        "rows": result.rows,
    }
    for target, counts in result.counts.items():
        for outcome, n in counts.items():
            summary[f"{target}_{outcome}"] = n
    return summary


def _fail(claim: QuerySet[ImportJob], message: Text) -> None:
    now = timezone.now()
    claim.update(status=ImportStatus.FAILED, message=encode_lines([message]), finished_at=now, updated_at=now)
