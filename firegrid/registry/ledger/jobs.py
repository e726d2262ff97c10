"""Services of a ledger import job: upload, confirm the column mapping, check (dry run), commit — and the
background runner behind the last two.

Embedded mode (the default): a job runs in a thread of the web process, started after the request's
transaction commits, and closes its database connection when done. Small files (and every file in
tests, FIREGRID_LEDGER_INLINE) run in the request itself. Progress goes to the job row while checking
and to Django's cache as well (while committing the writes are inside one transaction, so the row
cannot show progress to other connections). A Celery deployment replaces `_launch` with a task that
calls `execute(job_id, action, actor_id)` and needs a shared cache (Redis) for progress.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from firegrid.areas.choices import AREA_ROLES, AreaLevel
from firegrid.areas.models import Area
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import record_change
from firegrid.core.tables import enumerate_items
from firegrid.registry.models import ImportJob, LedgerMapping

from .choices import MAPPABLE_STATES, RUNNING_STATES, ImportKind, ImportStatus
from .fields import fields_for, missing_required
from .importer import REPORT_LIMIT, RunResult, run_import
from .kinds import IMPORTERS
from .mapping import SheetPreview, best_sheet, preview_sheet, propose_mapping
from .messages import deferred, encode_lines, render_lines
from .reading import LedgerFileError, open_ledger

logger = logging.getLogger(__name__)

MAX_UPLOAD_MB = 100
INLINE_ROWS = 1000  # files up to this many rows are checked and committed within the request
STALE_AFTER = dt.timedelta(hours=1)  # a running job without progress this long may be restarted
ALLOWED_SUFFIXES = (".xlsx", ".csv")


# --- who may import what ----------------------------------------------------------------------------------


def can_import(user, kind: str) -> bool:
    """Importing upserts: the user needs add and change on every model the kind writes, and an area
    scope (district-wide or area roles): ledgers place rows by grid. Landlords keep their tenant
    register through the forms."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_district_wide or user.role in AREA_ROLES):
        return False
    return all(
        can(user, action, model) for model in IMPORTERS[kind].models for action in (Action.ADD, Action.CHANGE)
    )


def importable_kinds(user) -> list[str]:
    return [kind for kind in ImportKind.values if can_import(user, kind)]


def require_import(user, kind: str) -> None:
    if not can_import(user, kind):
        raise PermissionDenied(_("您的角色无权导入此类台账。"))


def scope_grids(user) -> list[Area]:
    """The grids a user may import into (for the default-grid choice)."""
    qs = Area.objects.filter(level=AreaLevel.GRID).select_related("parent").order_by("path")
    if user.scope_grid_ids is not None:
        qs = qs.filter(pk__in=user.scope_grid_ids)
    return list(qs)


# --- upload and mapping -------------------------------------------------------------------------------------


def create_import_job(*, actor, kind: str, upload: UploadedFile) -> ImportJob:
    """Store an uploaded ledger, recognise its format, find its header and propose a mapping."""
    require_import(actor, kind)
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("请上传 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）。"))
    max_mb = getattr(settings, "FIREGRID_LEDGER_MAX_MB", MAX_UPLOAD_MB)
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(_("文件超过 %(mb)s MB，请拆分后分批导入。") % {"mb": max_mb})
    job = ImportJob(kind=kind, original_name=name[:200], created_by=actor)
    job.file.save(name, upload, save=False)
    try:
        ledger = open_ledger(job.file.path)
        preview = best_sheet(ledger, kind)
    except LedgerFileError as exc:
        job.file.delete(save=False)
        raise ValidationError(str(exc)) from exc
    job.format = ledger.format
    job.encoding = ledger.encoding
    _apply_preview(job, preview, actor, ledger.sheet_names)
    job.save()
    return job


def reread_header(job: ImportJob, *, actor, sheet: str, header_row: int | None) -> ImportJob:
    """Another sheet or header row chosen on the mapping page: find the header again, propose anew."""
    _require_job(job, actor, MAPPABLE_STATES)
    ledger = open_ledger(job.file.path)
    if sheet not in ledger.sheet_names:
        sheet = ledger.sheet_names[0]
    try:
        preview = preview_sheet(ledger, sheet, job.kind, header_row=header_row)
    except LedgerFileError as exc:
        raise ValidationError(str(exc)) from exc
    _apply_preview(job, preview, actor, ledger.sheet_names)
    job.status = ImportStatus.UPLOADED
    job.save()
    return job


def _apply_preview(job: ImportJob, preview: SheetPreview, actor, sheets: list[str]) -> None:
    job.sheet_name = preview.sheet
    job.progress_total = preview.row_count or 0
    job.header_row = preview.header_row
    job.header_rows = preview.header_rows
    job.headers = preview.headers
    job.signature = preview.signature
    job.samples = [preview.column_samples(i) for i in range(len(preview.headers))]
    saved = LedgerMapping.objects.filter(kind=job.kind, signature=job.signature).first()
    proposal = propose_mapping(job.kind, preview, (saved.mapping or {}).get("columns") if saved else None)
    grid_ids = {g.pk for g in scope_grids(actor)}
    default_grid = (saved.mapping or {}).get("default_grid") if saved else None
    if default_grid not in grid_ids:
        default_grid = next(iter(grid_ids)) if len(grid_ids) == 1 else None
    job.mapping = {
        "columns": {str(i): key for i, key in proposal.columns.items()},
        "reasons": {str(i): reason for i, reason in proposal.reasons.items()},
        "default_grid": default_grid,
        "saved_mapping": saved.pk if saved and proposal.saved else None,
        "sheets": sheets,
    }


@transaction.atomic
def confirm_mapping(
    job: ImportJob, *, actor, columns: dict[int, str], default_grid: int | None, remember: bool = True
) -> ImportJob:
    """The user's mapping of the sheet's columns; saved for the next ledger with the same header."""
    job = _require_job(job, actor, MAPPABLE_STATES, lock=True)
    known = fields_for(job.kind)
    columns = {int(i): key for i, key in columns.items() if key}
    unknown = [key for key in columns.values() if key not in known]
    if unknown:
        raise ValidationError(_("未知字段：%(keys)s") % {"keys": ", ".join(unknown)})
    keys = list(columns.values())
    if len(keys) != len(set(keys)):
        raise ValidationError(_("每个字段只能对应一列。"))
    missing = missing_required(job.kind, set(keys))
    if missing:
        raise ValidationError(
            _("还没有为必填字段选择列：%(fields)s。")
            % {"fields": enumerate_items(str(f.label) for f in missing)}
        )
    if default_grid is not None and default_grid not in {g.pk for g in scope_grids(actor)}:
        raise ValidationError(_("所选默认网格不在您的管辖范围内。"))
    job.mapping = {
        **(job.mapping or {}),
        "columns": {str(i): key for i, key in sorted(columns.items())},
        "default_grid": default_grid,
    }
    job.status = ImportStatus.MAPPED
    job.save()
    if remember and job.signature:
        saved, _created = LedgerMapping.objects.select_for_update().get_or_create(
            kind=job.kind,
            signature=job.signature,
            defaults={"headers": job.headers, "created_by": actor},
        )
        saved.mapping = {"columns": job.mapping["columns"], "default_grid": default_grid}
        saved.used_count += 1
        saved.save()
    return job


def _require_job(job: ImportJob, actor, states, *, lock: bool = False) -> ImportJob:
    require_import(actor, job.kind)
    qs = ImportJob.objects.for_user(actor)
    if lock:
        qs = qs.select_for_update()
    try:
        job = qs.get(pk=job.pk)
    except ImportJob.DoesNotExist:
        raise PermissionDenied(_("这不是您的导入任务。")) from None
    if job.status not in states:
        raise ValidationError(
            _("导入任务当前状态为“%(status)s”，不能执行此操作。") % {"status": job.get_status_display()}
        )
    return job


# --- check and commit ---------------------------------------------------------------------------------------


def start_validation(job: ImportJob, *, actor, inline: bool | None = None) -> None:
    """Check every row without writing (the dry run). Runs in the background unless `inline`."""
    require_import(actor, job.kind)
    now = timezone.now()
    startable = Q(status__in=MAPPABLE_STATES - {ImportStatus.UPLOADED}) | Q(
        # A job whose thread died with its process (a restart) shows no progress for long.
        status__in=RUNNING_STATES,
        updated_at__lt=now - STALE_AFTER,
    )
    claimed = (
        ImportJob.objects.for_user(actor)
        .filter(startable, pk=job.pk)
        .update(status=ImportStatus.VALIDATING, progress_done=0, message="", updated_at=now)
    )
    if not claimed:
        raise ValidationError(_("请先确认列对应关系；正在检查或导入的任务不能重复开始。"))
    _launch(job, "validate", actor, inline)


def start_commit(job: ImportJob, *, actor, inline: bool | None = None) -> None:
    """Write the checked ledger. Claimed with a conditional update, so a double click commits once."""
    require_import(actor, job.kind)
    claimed = (
        ImportJob.objects.for_user(actor)
        .filter(pk=job.pk, status=ImportStatus.VALIDATED, error_count=0)
        .update(status=ImportStatus.COMMITTING, progress_done=0, updated_at=timezone.now())
    )
    if not claimed:
        raise ValidationError(_("只有检查通过（没有错误）的台账才能导入。"))
    _launch(job, "commit", actor, inline)


def _launch(job: ImportJob, action: str, actor, inline: bool | None) -> None:
    if inline is None:
        inline = getattr(settings, "FIREGRID_LEDGER_INLINE", False) or (
            0 < job.progress_total <= getattr(settings, "FIREGRID_LEDGER_INLINE_ROWS", INLINE_ROWS)
        )
    if inline:
        execute(job.pk, action, actor.pk)
        return
    thread = threading.Thread(
        target=_thread_main, args=(job.pk, action, actor.pk), name=f"ledger-{job.pk}", daemon=True
    )
    # The claim must be visible to the thread's own connection before it starts.
    transaction.on_commit(thread.start)


def _thread_main(job_id: int, action: str, actor_id: int) -> None:
    try:
        execute(job_id, action, actor_id)
    finally:
        connections.close_all()


def progress_key(job_id: int) -> str:
    return f"firegrid:ledger:{job_id}:progress"


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in the file) of a running job."""
    return cache.get(progress_key(job.pk)) or (job.progress_done, job.progress_total)


def execute(job_id: int, action: str, actor_id: int) -> None:
    """Run a claimed job to its end: validated, committed, or failed with a message. Never raises.

    Translation is off while it runs: what it stores is read later, by anyone, in their own language
    (messages.py), so text made on the way stays a msgid rather than the language of the request or
    thread that happened to run the job."""
    with translation.override(None):
        _execute(job_id, action, actor_id)


def _execute(job_id: int, action: str, actor_id: int) -> None:
    from django.contrib.auth import get_user_model

    job = ImportJob.objects.get(pk=job_id)
    actor = get_user_model().objects.get(pk=actor_id)
    write = action == "commit"

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), (done, total), 3600)
        if not write:  # (inside the commit's transaction no other connection would see it)
            ImportJob.objects.filter(pk=job_id).update(
                progress_done=done, progress_total=total, updated_at=timezone.now()
            )

    try:
        if write:
            with transaction.atomic():
                result = run_import(job, actor=actor, write=True, progress=progress)
                _finish(job, result, actor, write=True)
        else:
            result = run_import(job, actor=actor, write=False, progress=progress)
            _finish(job, result, actor, write=False)
    except (LedgerFileError, PermissionDenied) as exc:
        _fail(job_id, exc.args[0] if exc.args else str(exc))
    except IntegrityError:
        # Someone registered one of the same records while this import ran (a unique key collided).
        _fail(
            job_id,
            deferred(gettext_noop("导入时有人同时登记了其中的记录，未导入任何数据。请重新检查后再导入。")),
        )
    except Exception:
        logger.exception("ledger import job %s (%s) failed", job_id, action)
        _fail(job_id, deferred(gettext_noop("处理时发生内部错误，未导入任何数据。请联系系统管理员。")))
    finally:
        cache.delete(progress_key(job_id))


def _finish(job: ImportJob, result: RunResult, actor, *, write: bool) -> None:
    problems = result.problems
    job.counts = result.counts
    job.error_count = problems.errors
    job.warning_count = problems.warnings
    job.report = problems.as_dicts(REPORT_LIMIT)
    job.progress_done = job.progress_total = max(job.progress_total, job.progress_done)
    job.finished_at = timezone.now()
    if job.problems_file:
        job.problems_file.delete(save=False)
    if problems.items:
        payload = gzip.compress(json.dumps(problems.as_dicts(), ensure_ascii=False).encode())
        job.problems_file.save(f"{uuid.uuid4().hex}.json.gz", ContentFile(payload), save=False)
    notes = list(result.notes)
    if result.written:
        job.status = ImportStatus.COMMITTED
        job.committed = True
        record_change(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            after=audit_summary(job, result),
            reason=_("台账导入：%(name)s") % {"name": job.original_name},
        )
    else:
        job.status = ImportStatus.VALIDATED
        if write:
            notes.insert(
                0, deferred(gettext_noop("导入时发现问题，未导入任何数据。请按问题清单修改台账后重新上传。"))
            )
    job.message = encode_lines(notes)
    job.save()


def audit_summary(job: ImportJob, result: RunResult) -> dict:
    """The one audit entry of an import: the file, the job, and what it did per kind of record."""
    summary = {"job": job.pk, "kind": job.kind, "original_name": job.original_name, "rows": result.rows}
    for target, counts in result.counts.items():
        for outcome, n in counts.items():
            summary[f"{target}_{outcome}"] = n
    return summary


def _fail(job_id: int, message) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED,
        message=encode_lines([message]),
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def job_notes(job: ImportJob) -> list[str]:
    """The job's notes, or why it failed, in the active language."""
    return render_lines(job.message)


def is_stale(job: ImportJob) -> bool:
    return job.status in RUNNING_STATES and timezone.now() - job.updated_at > STALE_AFTER
