"""Services of a ledger import (台账导入): upload, confirm the column mapping, check (dry run), commit.

A check or commit is claimed here with a conditional UPDATE (a double click commits once) and handed to
the jobs app as the job `registry.ledger_run` (registry/jobs.py → runner.py): on a Celery worker with
REDIS_URL, in a thread of the web process otherwise. Small files (FIREGRID_LEDGER_INLINE_ROWS) and every
file under FIREGRID_LEDGER_INLINE run inside the request. The job page shows the run's progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
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
from .reading import LedgerFileError, check_xlsx_archive, ledger_for_job, open_ledger
from .value_map import AREA, area_targets, choice_options, distinct_values, propose_values, value_columns
from .values import clean_text

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


def scope_grids(user: User, area: Area | None = None) -> list[Area]:
    """The grids a user may import into (for the default-grid choice); within `area` (a job's import
    area) when given."""
    qs = Area.objects.filter(level=AreaLevel.GRID).select_related("parent").order_by("path")
    if user.scope_grid_ids is not None:
        qs = qs.filter(pk__in=user.scope_grid_ids)
    if area is not None:
        qs = qs.filter(path__startswith=area.path)
    return list(qs)


# --- the import area: a limit on the rows, not only a default for them -------------------------------------


def import_areas(user: User) -> QuerySet[Area]:
    """The areas a user may limit an import to (the upload form's choice): those inside their scope."""
    return Area.objects.visible_to(user).order_by("path")


def _check_import_area(actor: User, area: Area | None) -> None:
    # Checked here as well as where the code is read (batch.area_in_scope, the form's choices): the
    # limit is the service's rule, whatever path the area came by.
    if area is not None and not import_areas(actor).filter(pk=area.pk).exists():
        raise ValidationError({"area": _("所选导入区域不在您的辖区内。")})


# --- upload and mapping -------------------------------------------------------------------------------------


def create_import_job(
    *, actor: User, kind: str, upload: UploadedFile[bytes], area: Area | None = None
) -> ImportJob:
    """Store an uploaded ledger, recognise its format, find its header and propose a mapping. `area`
    (inside the actor's scope) limits the import: a row whose grid lies outside it is an error on that
    row (importer.GridResolver); None imports for the actor's whole scope."""
    require_import(actor, kind)
    _check_import_area(actor, area)
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
    job = ImportJob(kind=kind, original_name=name[:200], created_by=actor, area=area)
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
    saved = saved_mapping_for(actor, job.kind, job.signature)
    proposal = propose_mapping(job.kind, preview, (saved.mapping or {}).get("columns") if saved else None)
    # The default grid proposed: the saved mapping's, else the only grid the rows may land in (within the
    # import area: an area that is a grid, or holds one grid of the user's, gives it).
    grid_ids = [g.pk for g in scope_grids(actor, job.area)]
    default_grid = (saved.mapping or {}).get("default_grid") if saved else None
    if default_grid not in grid_ids:
        default_grid = grid_ids[0] if len(grid_ids) == 1 else None
    job.mapping = {
        "columns": {str(i): key for i, key in proposal.columns.items()},
        "reasons": {str(i): reason for i, reason in proposal.reasons.items()},
        "default_grid": default_grid,
        "saved_mapping": saved.pk if saved and proposal.saved else None,
        # Re-offered on the value page (only with the saved mapping's own columns).
        "saved_values": (saved.mapping or {}).get("values", {}) if saved and proposal.saved else {},
        "sheets": sheets,
    }


# --- saved mappings: per area, saved by choice, published district-wide by a district role ----------------


def scope_root(user: User) -> Area | None:
    """The area a user's saved mappings belong to: the deepest area holding their whole scope, at least a
    community (a grid worker saves for their community); the district for district-wide roles."""
    if user.is_district_wide:
        return Area.objects.filter(parent=None).order_by("path").first()
    if user.role not in AREA_ROLES or not user.scope_paths:
        return None
    lineages = [path.strip("/").split("/") for path in user.scope_paths]
    common: list[str] = []
    for parts in zip(*lineages, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if not common:
        return None
    area = Area.objects.select_related("parent").get(pk=int(common[-1]))
    if area.level == AreaLevel.GRID and area.parent is not None:
        area = area.parent
    return area


def mapping_lineage(root: Area | None) -> list[int]:
    """The areas whose saved mappings are offered below `root`, top first: its ancestors and itself, without
    the district unless `root` is the district (the district's own unpublished mappings are its staff's)."""
    if root is None:
        return []
    ids = root.ancestor_ids  # top (the district) first, the root itself last
    return ids if len(ids) == 1 else ids[1:]


def nearest_mapping(found: list[LedgerMapping], lineage: list[int]) -> LedgerMapping | None:
    """The one to offer among saved mappings: the deepest area's of the lineage (own area first, then the
    nearest ancestor), else the newest published one."""
    depth = {pk: i for i, pk in enumerate(lineage)}

    def rank(m: LedgerMapping) -> tuple[int, float, float]:
        if m.owner_area_id in depth:
            return (0, -depth[m.owner_area_id], -m.updated_at.timestamp())
        return (1, 0, -m.updated_at.timestamp())

    return min(found, key=rank, default=None)


def saved_mapping_for(user: User, kind: str, signature: str) -> LedgerMapping | None:
    """The saved mapping offered for a sheet layout: the user's own area's, else the nearest ancestor
    area's (a subdistrict's for its communities), else a published district-wide one. Never another
    area's: a mapping carries area values and a default grid (issue 13)."""
    if not signature:
        return None
    lineage = mapping_lineage(scope_root(user))
    found = LedgerMapping.objects.filter(kind=kind, signature=signature).filter(
        Q(owner_area_id__in=lineage) | Q(published=True)
    )
    return nearest_mapping(list(found), lineage)


def can_publish(user: User | AnonymousUser) -> bool:
    """Only a district role publishes a mapping for every community."""
    return isinstance(user, User) and user.is_district_wide


def save_mapping(job: ImportJob, *, actor: User, publish: bool = False) -> LedgerMapping:
    """Save a job's confirmed mapping (columns, default grid, value map) for the actor's area: an explicit
    choice, never automatic. The rules are `save_layout_mapping`'s."""
    if job.status == ImportStatus.UPLOADED:
        raise ValidationError(_("请先确认列对应关系，再保存。"))
    mapping = job.mapping or {}
    return save_layout_mapping(
        actor=actor,
        kind=job.kind,
        signature=job.signature,
        headers=job.headers,
        mapping={
            "columns": mapping.get("columns", {}),
            "default_grid": mapping.get("default_grid"),
            "values": mapping.get("values", {}),
        },
        publish=publish,
        used=True,
    )


@transaction.atomic
def save_layout_mapping(
    *,
    actor: User,
    kind: str,
    signature: str,
    headers: list[str],
    mapping: dict[str, Any],
    publish: bool = False,
    used: bool = False,
) -> LedgerMapping:
    """The one place a mapping is saved (a job's, or one read from a YAML file): for the actor's scope root
    (their community or above: `scope_root`), replacing that area's mapping of the same layout. Only a
    district role may publish it for every community; saving never withdraws a publication. `used`: saved
    from a job that uses it (counted)."""
    require_import(actor, kind)
    if publish and not can_publish(actor):
        raise PermissionDenied(_("只有区级角色可以发布全区通用的对应关系。"))
    owner = scope_root(actor)
    if owner is None or not signature:
        raise ValidationError(_("您没有可保存对应关系的辖区。"))
    saved, _created = LedgerMapping.objects.select_for_update().get_or_create(
        kind=kind,
        signature=signature,
        owner_area=owner,
        defaults={"headers": headers, "created_by": actor},
    )
    saved.headers = headers
    saved.mapping = mapping
    if publish:
        saved.published = True
    if used:
        saved.used_count += 1
    saved.save()
    return saved


def publish_mapping(saved: LedgerMapping, *, actor: User, published: bool = True) -> LedgerMapping:
    """Publish (or withdraw) a saved mapping for the whole district. District roles only."""
    require_import(actor, saved.kind)
    if not can_publish(actor):
        raise PermissionDenied(_("只有区级角色可以发布全区通用的对应关系。"))
    saved.published = published
    saved.save(update_fields=["published", "updated_at"])
    return saved


# --- value mapping ------------------------------------------------------------------------------------------


def job_columns(job: ImportJob) -> dict[str, int]:
    """field key → column index of a job's confirmed mapping."""
    return {key: int(index) for index, key in ((job.mapping or {}).get("columns") or {}).items()}


def value_options(job: ImportJob, user: User) -> dict[str, list[tuple[str, str]]]:
    """Per value-map entry, the system values the user may pick: for the area columns only communities
    and grids inside their scope (a grid only with a grid column, a community only with a community one)."""
    columns = job_columns(job)
    options: dict[str, list[tuple[str, str]]] = {}
    for entry in value_columns(job.kind, columns):
        if entry == AREA:
            options[entry] = [
                (t.code, t.label)
                for t in area_targets(user)
                if t.in_scope
                and (
                    (t.level == AreaLevel.GRID and "grid" in columns)
                    or (t.level == AreaLevel.COMMUNITY and "community" in columns)
                )
            ]
        else:
            options[entry] = choice_options(job.kind, entry)
    return options


def value_entry_label(kind: str, entry: str) -> str:
    if entry == AREA:
        return str(_("社区/网格"))
    return str(fields_for(kind)[entry].label)


def _propose_job_values(job: ImportJob, actor: User) -> None:
    """Read the distinct values of the area and choice columns (one pass) and propose a system value for
    each; exact, normalised and saved proposals are taken until the officer says otherwise, fuzzy ones only
    once confirmed."""
    columns = job_columns(job)
    mapping = job.mapping
    if not value_columns(job.kind, columns):
        mapping.update(value_proposals={}, value_truncated={}, values={})
        return
    try:
        distinct = distinct_values(ledger_for_job(job), job, columns)
    except LedgerFileError as exc:
        raise ValidationError(str(exc)) from exc
    # The saved mapping's values, and the ones this job already had (the columns mapped again after a
    # check): re-offered as they were chosen.
    chosen: dict[str, dict[str, str]] = {}
    for source in (mapping.get("saved_values") or {}, mapping.get("values") or {}):
        for entry, table in source.items():
            chosen.setdefault(entry, {}).update(table)
    proposals = propose_values(job, actor, columns, distinct, chosen)
    mapping["value_proposals"] = {entry: [p.as_dict() for p in listed] for entry, listed in proposals.items()}
    mapping["value_truncated"] = {entry: found.truncated for entry, found in distinct.items()}
    mapping["values"] = {
        entry: {p.value: p.target for p in listed if p.target and p.match in TAKEN_MATCHES}
        for entry, listed in proposals.items()
    }


TAKEN_MATCHES = frozenset({"saved", "exact", "normalised"})


@transaction.atomic
def confirm_values(
    job: ImportJob,
    *,
    actor: User,
    values: dict[str, dict[str, str]],
    remember: bool = False,
    publish: bool = False,
) -> ImportJob:
    """The officer's value map ({entry: {sheet value: system value or ""}}). A system value must be one
    they may pick (an area inside their scope), or the proposal shown for that value (an area outside
    their scope is kept, so its rows are reported as outside it). Saved with the mapping if they choose."""
    job = _require_job(job, actor, MAPPABLE_STATES - {ImportStatus.UPLOADED}, lock=True)
    options = value_options(job, actor)
    proposals = (job.mapping or {}).get("value_proposals") or {}
    confirmed: dict[str, dict[str, str]] = {}
    for entry, table in values.items():
        if entry not in options:
            raise ValidationError(_("「%(field)s」不是需要对应取值的列。") % {"field": entry})
        label = value_entry_label(job.kind, entry)
        allowed = {value for value, _label in options[entry]}
        proposed = {p["value"]: p["target"] for p in proposals.get(entry, []) if p.get("target")}
        confirmed[entry] = {}
        for sheet_value, target in table.items():
            if not target:
                continue
            if target not in allowed and proposed.get(sheet_value) != target:
                raise ValidationError(
                    _("%(field)s「%(value)s」不能对应为「%(target)s」：不是可选值，或不在您的辖区内。")
                    % {"field": label, "value": sheet_value, "target": target}
                )
            confirmed[entry][clean_text(sheet_value)] = target
    job.mapping = {**(job.mapping or {}), "values": confirmed, "remember": remember}
    job.status = ImportStatus.MAPPED
    job.save()
    if remember:
        save_mapping(job, actor=actor, publish=publish)
    return job


@transaction.atomic
def confirm_mapping(
    job: ImportJob,
    *,
    actor: User,
    columns: dict[int, str],
    default_grid: int | None,
    remember: bool = False,
    publish: bool = False,
) -> ImportJob:
    """The user's mapping of the sheet's columns. Then the distinct values of its area and choice columns
    are read and proposed (`job.mapping["value_proposals"]`, confirmed with `confirm_values`). With
    `remember` the mapping is saved for the user's area — now when there is no value to map, else when
    the values are confirmed."""
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
    if default_grid is not None and job.area is not None and default_grid not in job.area.grid_ids():
        # Rows without a grid would land outside the limit the import was started with.
        raise ValidationError(_("所选默认网格不在本次导入的区域「%(area)s」内。") % {"area": job.area.name})
    if publish and not can_publish(actor):
        raise PermissionDenied(_("只有区级角色可以发布全区通用的对应关系。"))
    job.mapping = {
        **(job.mapping or {}),
        "columns": {str(i): key for i, key in sorted(columns.items())},
        "default_grid": default_grid,
        "remember": remember,
        "publish": publish,
    }
    _propose_job_values(job, actor)
    job.status = ImportStatus.MAPPED
    job.save()
    if remember and not job.mapping["value_proposals"]:
        save_mapping(job, actor=actor, publish=publish)
    return job


def needs_values(job: ImportJob) -> bool:
    """Whether the job has area or choice values for the officer to confirm."""
    return bool((job.mapping or {}).get("value_proposals"))


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
