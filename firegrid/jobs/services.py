"""Running jobs: enqueue, execute (claim, run, record), run_due (the scheduler's check), retry.

The claim. Every run is a JobRun row and (name, key) is unique, so inserting the row claims the work:
two schedulers inserting today's run of the same daily job cannot both succeed (the loser's
IntegrityError is logged and skipped). Executing a row claims it again with one conditional UPDATE
(queued → running, or running with a stale heartbeat → running): of two workers handed the same row —
a Celery message delivered twice, a thread and a `firegrid jobs run` — only the one whose UPDATE
changed a row runs it. PostgreSQL re-checks an UPDATE's WHERE after waiting for a concurrent one, and
SQLite serialises writers, so this holds on both. Later writes of a run name its claimer and attempt,
so a worker that lost its claim (it was taken for dead) cannot overwrite the new attempt's record.

Heartbeat. While a job runs, a thread of the runner writes `heartbeat_at` every
FIREGRID_JOBS_HEARTBEAT_SECONDS (30) and the job's progress at most once a second, on its own
database connection. A run whose heartbeat is older than the job's stale time (FIREGRID_JOBS_STALE_MINUTES,
10; per job `stale_minutes`) — its process died — may be claimed again: by the scheduler's next check
for a scheduled run, by `retry` (a system admin, or `firegrid jobs run NAME --key K`) for any run.

Dispatch. Embedded (the default): a thread of this process, started after the transaction commits.
Celery (REDIS_URL, or FIREGRID_JOBS_BACKEND=celery): the task `firegrid.jobs.run(run_id)`, sent
after the transaction commits. Inline (FIREGRID_JOBS_INLINE, tests; `firegrid jobs run`): right away,
in the caller.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from contextlib import nullcontext
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.services import record_change, snapshot

from .models import JobRun, JobStatus, is_system_admin, stale_q
from .registry import Job, UnknownJob, default_stale_after, registry

logger = logging.getLogger(__name__)

EMBEDDED, CELERY, INLINE = "embedded", "celery", "inline"
PROGRESS_SECONDS = 1.0  # progress reaches the row at most this often
DEFAULT_HEARTBEAT_SECONDS = 30
TASK_NAME = "firegrid.jobs.run"


def worker_id() -> str:
    """Who claimed a run: host and process (threads of one process share it)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def backend() -> str:
    if getattr(settings, "FIREGRID_JOBS_INLINE", False):
        return INLINE
    return getattr(settings, "FIREGRID_JOBS_BACKEND", EMBEDDED)


# --- starting runs ------------------------------------------------------------------------------------------


def enqueue(
    name: str,
    *,
    key: str | None = None,
    params: dict[str, Any] | None = None,
    actor: User | None = None,
    inline: bool | None = None,
) -> JobRun:
    """Create (claim) the run of `name` for `key` and hand it to the backend.

    Without a key the run is ad hoc (a random key: a batch print). With a key that already has a run,
    that run is returned and nothing is started — unless it is stale (its claimer died), when it is
    handed out again. `params` must be JSON and fit the job function's keyword arguments.
    `inline=True` runs it here and now whatever the backend.
    """
    job = registry.get(name)
    params = dict(params or {})
    _check_params(job, params)
    run, created = _insert(job, key or uuid.uuid4().hex, params, actor)
    if not created and not _reclaimable(run, job):
        logger.info(
            "job %s [%s] already has a run (%s, %s): not started again", name, run.key, run.pk, run.status
        )
        return run
    return _dispatch(run, inline=inline)


def run_due(
    now: dt.datetime | None = None, *, names: list[str] | None = None, dispatch: bool | None = None
) -> list[JobRun]:
    """Run every scheduled job whose slot has come today and which has no run for it yet.

    Safe to call every minute, from any number of processes: each slot's run is claimed by inserting
    it. A slot missed while nothing was running (the server was down at 00:05) is due at the next check
    the same day. A run for the slot whose claimer died (stale) is claimed again. `dispatch` sends the
    runs to the Celery workers instead of running them here, one after another (default: when the
    backend is Celery). Returns the runs started here or sent.
    """
    now = now or timezone.now()
    if dispatch is None:
        dispatch = backend() == CELERY
    started: list[JobRun] = []
    for job in registry.scheduled():
        if names is not None and job.name not in names:
            continue
        schedule = job.schedule
        if schedule is None:  # registry.scheduled() lists only jobs with a schedule
            continue
        slot = schedule.due_slot(now)
        if slot is None:
            continue
        run, created = _insert(job, schedule.key(slot), {}, None)
        if not created:
            if not _reclaimable(run, job, now):
                continue
            logger.warning(
                "job %s [%s]: run %s stopped responding; claiming it again", job.name, run.key, run.pk
            )
        if dispatch:
            transaction.on_commit(partial(_send_to_celery, run.pk))
            started.append(run)
        elif (done := execute(run.pk)) is not None:
            started.append(done)
    return started


def retry(run: JobRun, *, actor: User | None, inline: bool | None = None) -> JobRun:
    """Run a failed run — or one whose claimer died — again, as the same row (attempts + 1)."""
    if actor is not None and not (is_system_admin(actor) or run.created_by_id == actor.pk):
        raise PermissionDenied(_("只有任务的发起人或系统管理员可以重新运行任务。"))
    try:
        stale_after = registry.get(run.name).stale_after
    except UnknownJob:
        raise ValidationError(_("未登记的任务：%(name)s") % {"name": run.name}) from None
    now = timezone.now()
    with transaction.atomic():
        before = snapshot(run)
        reset = (
            JobRun.objects.filter(pk=run.pk)
            .filter(Q(status=JobStatus.FAILED) | stale_q(now, stale_after))
            .update(
                status=JobStatus.QUEUED,
                queued_at=now,
                finished_at=None,
                error="",
                message="",
                result=None,
                progress_done=0,
            )
        )
        run.refresh_from_db()
        if not reset:
            raise ValidationError(
                _("只能重新运行失败或已停止响应的任务；该任务当前状态为“%(status)s”。")
                % {"status": run.get_status_display()}
            )
        record_change(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=run,
            before=before,
            after=snapshot(run),
            reason=_("重新运行任务"),
        )
    return _dispatch(run, inline=inline)


def _check_params(job: Job, params: dict[str, Any]) -> None:
    try:
        inspect.signature(job.func).bind(None, **params)
    except TypeError as exc:
        raise ValueError(
            f"job {job.name}: parameters {sorted(params)} do not fit {job.func.__qualname__}: {exc}"
        ) from None
    try:
        json.dumps(params, cls=DjangoJSONEncoder)
    except TypeError as exc:
        raise ValueError(f"job {job.name}: parameters must be JSON: {exc}") from None


def _insert(job: Job, key: str, params: dict[str, Any], actor: User | None) -> tuple[JobRun, bool]:
    """Insert the run: the claim. If (name, key) has a run already, return that one."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                name=job.name,
                key=key,
                params=params,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
        return run, True
    except IntegrityError:
        existing = JobRun.objects.filter(name=job.name, key=key).first()
        if existing is None:  # some other constraint: not a lost race
            raise
        logger.info("job %s [%s]: claimed already (run %s); skipped", job.name, key, existing.pk)
        return existing, False


def is_stale(run: JobRun, now: dt.datetime | None = None) -> bool:
    """Its claimer is taken for dead: running without a heartbeat, or queued and never picked up."""
    try:
        job = registry.get(run.name)
    except UnknownJob:
        return False
    return _reclaimable(run, job, now)


def _reclaimable(run: JobRun, job: Job, now: dt.datetime | None = None) -> bool:
    cutoff = (now or timezone.now()) - job.stale_after
    if run.status == JobStatus.RUNNING:
        return run.heartbeat_at is not None and run.heartbeat_at < cutoff  # as stale_q (NULL never is)
    return run.status == JobStatus.QUEUED and run.queued_at < cutoff


def _dispatch(run: JobRun, *, inline: bool | None) -> JobRun:
    mode = INLINE if inline else backend()
    if mode == INLINE:
        execute(run.pk)
        run.refresh_from_db()
    elif mode == CELERY:
        transaction.on_commit(partial(_send_to_celery, run.pk))
    else:
        transaction.on_commit(partial(_start_thread, run.pk))
    return run


def _start_thread(run_id: int) -> None:
    threading.Thread(target=_thread_main, args=(run_id,), name=f"firegrid-job-{run_id}", daemon=True).start()


def _thread_main(run_id: int) -> None:
    try:
        execute(run_id)
    except Exception:
        logger.exception("job run %s: the runner itself failed", run_id)
    finally:
        connections.close_all()  # this thread's connections only


def _send_to_celery(run_id: int) -> None:
    from firegrid.celery import app

    try:
        app.send_task(TASK_NAME, args=[run_id])
    except Exception:
        # The user polling the run must not wait for a message that was never sent.
        logger.exception("job run %s: could not be sent to the Celery broker", run_id)
        JobRun.objects.filter(pk=run_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("任务队列（Redis）无法连接，任务未能开始。"),
            error=traceback.format_exc(),
        )


# --- executing a run ----------------------------------------------------------------------------------------


def execute(run_id: int) -> JobRun | None:
    """Claim the run and run its job here; None when another worker has it or it has finished.

    The job's exception is recorded on the run (status failed, traceback in `error`), not raised.
    """
    run = JobRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("job run %s does not exist (rolled back?)", run_id)
        return None
    try:
        job: Job | None = registry.get(run.name)
    except UnknownJob:
        job = None
    stale_after = job.stale_after if job else default_stale_after()
    now = timezone.now()
    me = worker_id()
    claimed = (
        JobRun.objects.filter(pk=run_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after))
        .update(
            status=JobStatus.RUNNING,
            claimed_by=me,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            error="",
        )
    )
    if not claimed:
        logger.info("job %s [%s]: run %s is another worker's or finished; skipped", run.name, run.key, run.pk)
        return None
    run.refresh_from_db()
    logger.info("job %s [%s]: run %s started (attempt %s, %s)", run.name, run.key, run.pk, run.attempts, me)

    result, error = None, ""
    if job is None:
        status, run.message = JobStatus.FAILED, _("未登记的任务：%(name)s") % {"name": run.name}
        error = f"no job is registered under the name {run.name!r} in this process"
    else:
        # Inside a caller's transaction (inline) the row is not visible to another connection, and a
        # failing job must roll back only its own work: no heartbeat thread, a savepoint instead.
        nested = transaction.get_connection().in_atomic_block
        reporter = None if nested else _Reporter(run, me).start()
        run._reporter = reporter
        try:
            with transaction.atomic() if nested else nullcontext():
                result = job(run, **run.params)
            json.dumps(result, cls=DjangoJSONEncoder)  # fails here, recorded, rather than in the UPDATE
            status = JobStatus.DONE
        except Exception as exc:
            status, result, error = JobStatus.FAILED, None, traceback.format_exc()
            run.message = _failure_message(exc)
            logger.exception("job %s [%s]: run %s failed", run.name, run.key, run.pk)
        finally:
            run._reporter = None
            if reporter is not None:
                reporter.stop()
    _finish(run, me, status, result, error)
    return run


def _failure_message(exc: Exception) -> str:
    """What the user following the run is told: our own messages as they are, nothing internal."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)[:200]
    if isinstance(exc, PermissionDenied) and str(exc):
        return str(exc)[:200]
    return _("任务失败，请联系系统管理员。")


def _finish(run: JobRun, me: str, status: str, result: Any, error: str) -> None:
    now = timezone.now()
    written = JobRun.objects.filter(pk=run.pk, claimed_by=me, attempts=run.attempts).update(
        status=status, finished_at=now, heartbeat_at=now, result=result, error=error, **run.progress_fields()
    )
    run.status, run.finished_at, run.heartbeat_at, run.result, run.error = status, now, now, result, error
    if not written:
        logger.warning(
            "job %s [%s]: run %s was claimed again while this attempt ran (it missed heartbeats); "
            "this attempt's outcome (%s) is not recorded",
            run.name,
            run.key,
            run.pk,
            status,
        )
    else:
        logger.info("job %s [%s]: run %s %s", run.name, run.key, run.pk, status)


class _Reporter:
    """Writes a running job's heartbeat and progress from its own thread and database connection."""

    def __init__(self, run: JobRun, me: str):
        self.run = run
        self.me = me
        self.heartbeat = getattr(settings, "FIREGRID_JOBS_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS)
        self._stop = threading.Event()
        self._dirty = False
        self._thread = threading.Thread(
            target=self._loop, name=f"firegrid-job-{run.pk}-heartbeat", daemon=True
        )

    def start(self) -> _Reporter:
        self._thread.start()
        return self

    def touch(self) -> None:
        self._dirty = True

    def stop(self) -> None:
        self._stop.set()
        # A write stuck behind a lock gives up by itself (the database timeout); the final write does not
        # need it: it is conditioned on the run still running, so a late heartbeat changes nothing.
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        last = time.monotonic()
        try:
            while not self._stop.wait(PROGRESS_SECONDS):
                if self._dirty or time.monotonic() - last >= self.heartbeat:
                    self._dirty = False
                    self._write()
                    last = time.monotonic()
        finally:
            connections.close_all()

    def _write(self) -> None:
        run = self.run
        try:
            written = JobRun.objects.filter(
                pk=run.pk, status=JobStatus.RUNNING, claimed_by=self.me, attempts=run.attempts
            ).update(heartbeat_at=timezone.now(), **run.progress_fields())
        except DatabaseError:
            logger.warning("job run %s: heartbeat not written", run.pk, exc_info=True)
            return
        if not written:
            logger.warning(
                "job %s [%s]: run %s is no longer this worker's (claimed again?)", run.name, run.key, run.pk
            )
