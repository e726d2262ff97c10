"""Services of a ledger import (台账导入): upload, confirm the column mapping, check (dry run), commit.

A check or commit is claimed here with a conditional UPDATE (a double click commits once) and handed to
the jobs app as the job `registry.ledger_run` (registry/jobs.py → runner.py): on a Celery worker with
REDIS_URL, in a thread of the web process otherwise. Small files (FIREGRID_LEDGER_INLINE_ROWS) and every
file under FIREGRID_LEDGER_INLINE run inside the request. The job page shows the run's progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.permissions import Action, can
from firegrid.core.tables import enumerate_items
from firegrid.core.uploads import UploadKind, check_upload
from firegrid.jobs.models import JobRun
from firegrid.jobs.services import enqueue
from firegrid.jobs.services import is_stale as run_is_stale
from firegrid.registry.models import ImportJob, LedgerMapping

from . import runner
from .choices import MAPPABLE_STATES, RUNNING_STATES, ImportKind, ImportStatus
from .fields import fields_for, missing_required
from .kinds import IMPORTERS
from .mapping import SheetPreview, best_sheet, preview_sheet, propose_mapping
from .messages import render_lines
from .reading import LedgerFileError, check_xlsx_archive, open_ledger

LEDGER_JOB = "registry.ledger_run"  # registered in registry/jobs.py
# A claim without a run this long (a job claimed before the jobs app ran ledger imports) may be restarted.
STALE_AFTER = dt.timedelta(hours=1)
ALLOWED_SUFFIXES = (".xlsx", ".csv")


# --- who may import what ----------------------------------------------------------------------------------


def can_import(user: User | AnonymousUser, kind: str) -> bool:
    """Importing upserts: the user needs add and change on every model the kind writes, and an area
    scope (district-wide or area roles): ledgers place rows by grid. Landlords keep their tenant
    register through the forms."""
    if not isinstance(user, User):
        return False
    if not (user.is_district_wide or user.role in AREA_ROLES):
        return False
    return all(
        can(user, action, model) for model in IMPORTERS[kind].models for action in (Action.ADD, Action.CHANGE)
    )


def importable_kinds(user: User | AnonymousUser) -> list[str]:
    return [kind for kind in ImportKind.values if can_import(user, kind)]


def require_import(user: User, kind: str) -> None:
    if not can_import(user, kind):
        raise PermissionDenied(_("您的角色无权导入此类台账。"))


def scope_grids(user: User) -> list[Area]:
    """The grids a user may import into (for the default-grid choice)."""
    qs = Area.objects.filter(level=AreaLevel.GRID).select_related("parent").order_by("path")
    if user.scope_grid_ids is not None:
        qs = qs.filter(pk__in=user.scope_grid_ids)
    return list(qs)


# --- upload and mapping -------------------------------------------------------------------------------------


def create_import_job(*, actor: User, kind: str, upload: UploadedFile[bytes]) -> ImportJob:
    """Store an uploaded ledger, recognise its format, find its header and propose a mapping."""
    require_import(actor, kind)
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError(_("请上传 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）。"))
    # Its size (FIREGRID_LEDGER_MAX_MB) and its content: a workbook or CSV text, never HTML or SVG.
    check_upload(upload, UploadKind.LEDGER)
    try:
        # Before anything parses it: a small .xlsx may unpack to gigabytes (a zip bomb).
        check_xlsx_archive(upload, name)
    except LedgerFileError as exc:
        raise ValidationError(str(exc)) from exc
    upload.seek(0)
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


def reread_header(job: ImportJob, *, actor: User, sheet: str, header_row: int | None) -> ImportJob:
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


def _apply_preview(job: ImportJob, preview: SheetPreview, actor: User, sheets: list[str]) -> None:
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
    job: ImportJob, *, actor: User, columns: dict[int, str], default_grid: int | None, remember: bool = True
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


def _require_job(job: ImportJob, actor: User, states: Collection[str], *, lock: bool = False) -> ImportJob:
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


def start_validation(job: ImportJob, *, actor: User, inline: bool | None = None) -> None:
    """Check every row without writing (the dry run). Runs in the background unless `inline`."""
    require_import(actor, job.kind)
    now = timezone.now()
    mine = ImportJob.objects.for_user(actor).filter(pk=job.pk)
    startable = Q(status__in=MAPPABLE_STATES - {ImportStatus.UPLOADED})
    current = mine.first()
    if current is not None and is_stale(current):
        # Its run died (a restart, a lost message): claimed again only as read, so of two people
        # restarting it at once one wins.
        startable |= Q(status=current.status, updated_at=current.updated_at)
    claimed = mine.filter(startable).update(
        status=ImportStatus.VALIDATING, progress_done=0, message="", updated_at=now
    )
    if not claimed:
        raise ValidationError(_("请先确认列对应关系；正在检查或导入的任务不能重复开始。"))
    _launch(job, runner.VALIDATE, actor, inline, claimed_at=now)


def start_commit(job: ImportJob, *, actor: User, inline: bool | None = None) -> None:
    """Write the checked ledger. Claimed with a conditional update, so a double click commits once."""
    require_import(actor, job.kind)
    now = timezone.now()
    claimed = (
        ImportJob.objects.for_user(actor)
        .filter(pk=job.pk, status=ImportStatus.VALIDATED, error_count=0)
        .update(status=ImportStatus.COMMITTING, progress_done=0, updated_at=now)
    )
    if not claimed:
        raise ValidationError(_("只有检查通过（没有错误）的台账才能导入。"))
    _launch(job, runner.COMMIT, actor, inline, claimed_at=now)


def _launch(
    job: ImportJob, action: str, actor: User, inline: bool | None, *, claimed_at: dt.datetime
) -> JobRun:
    if inline is None:
        inline = settings.FIREGRID_LEDGER_INLINE or (
            0 < job.progress_total <= settings.FIREGRID_LEDGER_INLINE_ROWS
        )
    return enqueue(
        LEDGER_JOB,
        key=runner.run_key(job.pk, action, claimed_at),
        params={
            "import_job": job.pk,
            "action": action,
            "actor": actor.pk,
            "claimed_at": claimed_at.isoformat(),
        },
        actor=actor,
        inline=True if inline else None,  # otherwise the jobs app's backend decides (Celery or a thread)
    )


def current_run(job: ImportJob) -> JobRun | None:
    """The run working on a job that is being checked or committed (None for an older job's claim)."""
    action = runner.ACTION_OF.get(job.status)
    if action is None:
        return None
    return JobRun.objects.filter(name=LEDGER_JOB, key=runner.run_key(job.pk, action, job.updated_at)).first()


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in the file) of a running job: from the cache when this process runs it (and on
    SQLite, where the run's row waits for the commit's lock), else from its run."""
    cached: tuple[int, int] | None = cache.get(runner.progress_key(job.pk))
    if cached:
        return cached
    run = current_run(job)
    if run is not None and run.progress_total:
        return run.progress_done, run.progress_total
    return job.progress_done, job.progress_total


def job_notes(job: ImportJob) -> list[str]:
    """The job's notes, or why it failed, in the active language."""
    return render_lines(job.message)


def is_stale(job: ImportJob) -> bool:
    """A job left checking or committing by a run that is gone: finished without finishing the job (its
    message never reached a worker), or without a heartbeat (its process died). A claim without a run
    (jobs started before the jobs app ran them) counts as gone after STALE_AFTER."""
    if job.status not in RUNNING_STATES:
        return False
    run = current_run(job)
    if run is None:
        return timezone.now() - job.updated_at > STALE_AFTER
    return run.finished or run_is_stale(run)
