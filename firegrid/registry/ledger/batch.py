"""What the command line (`firegrid ledger …`) and the API (`/api/v1/ledger-imports/`) share on top of the
services: the area code an import is limited to, read in the user's scope (the job keeps it as
`ImportJob.area`, set by `services.create_import_job`), a mapping file applied to a job, and the machine
report of a job.

Nothing here writes outside the services: the command and the API take the same path as the web pages
(create_import_job → confirm_mapping → start_validation → start_commit), only the way the user answers
the mapping page differs (a YAML file or a JSON body instead of a form)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from firegrid.areas.models import Area, User
from firegrid.registry.models import ImportJob, LedgerMapping

from . import services
from .fields import fields_for
from .messages import render, render_lines
from .report import load_problems
from .values import header_key


def area_in_scope(user: User, code: str) -> Area:
    """The area with this code, if it lies inside the user's scope (the area itself or below one of the
    user's areas). One answer for "no such code" and "not yours": a code says nothing about areas the
    user may not see."""
    area = Area.objects.visible_to(user).filter(code=code.strip()).first()
    if area is None:
        raise ValidationError({"area": _("区域代码「%(code)s」不存在或不在您的辖区内。") % {"code": code}})
    return area


def grid_in_scope(user: User, grid: object) -> int | None:
    """A default grid as a mapping file names it (its code, portable between installations, or its id):
    its id when it is a grid inside the user's scope. None when not given; an error when not the user's."""
    if grid in (None, ""):
        return None
    grids = Area.objects.visible_to(user).grids()
    by_code = grids.filter(code=str(grid)).values_list("pk", flat=True).first()
    found = by_code or (
        grids.filter(pk=grid).values_list("pk", flat=True).first() if isinstance(grid, int) else None
    )
    if found is None:
        raise ValidationError({"default_grid": _("所选默认网格不在您的管辖范围内。")})
    return found


@dataclass
class MappingFile:
    """A column mapping read from a file: columns by header text, the default grid (code or id), and the
    value map (field → sheet value → system value)."""

    kind: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    default_grid: object = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)


def mapping_file(parsed: Any) -> MappingFile:
    """What `mapping_file.from_yaml` gives (a LedgerMapping, or a dict in the file's own shape), as columns by
    header: a stored mapping keys its columns by index into its `headers`."""
    if isinstance(parsed, MappingFile):
        return parsed
    if not isinstance(parsed, dict):  # a LedgerMapping
        parsed = {"kind": parsed.kind, "headers": parsed.headers, **(parsed.mapping or {})}
    headers = parsed.get("headers") or []
    columns: dict[str, str] = {}
    for column, key in (parsed.get("columns") or {}).items():
        if isinstance(column, int) or (isinstance(column, str) and column.isdigit() and headers):
            index = int(column)
            if index >= len(headers):
                raise ValidationError({"mapping": _("第 %(n)s 列不存在。") % {"n": index + 1}})
            columns[headers[index]] = key
        else:
            columns[str(column)] = key
    return MappingFile(
        kind=parsed.get("kind") or "",
        columns=columns,
        default_grid=parsed.get("default_grid"),
        values=parsed.get("values") or {},
    )


def columns_by_header(job: ImportJob, by_header: dict[str, str]) -> dict[int, str]:
    """A mapping file names columns by their header text (so it fits every community's copy of a layout,
    whatever the column order): the job's column indexes for it. Headers are compared as the proposal
    compares them (`header_key`: spaces, full-width forms and case ignored). A header of the file the sheet
    does not have is an error naming it: a silently unmapped column would drop its data."""
    known = fields_for(job.kind)
    wanted = {header_key(h): (h, key) for h, key in by_header.items() if key}
    unknown = sorted({key for _h, key in wanted.values() if key not in known})
    if unknown:
        raise ValidationError({"mapping": _("未知字段：%(keys)s") % {"keys": ", ".join(unknown)}})
    columns: dict[int, str] = {}
    found: set[str] = set()
    for index, header in enumerate(job.headers or []):
        hit = wanted.get(header_key(header))
        if hit and header_key(header) not in found:
            columns[index] = hit[1]
            found.add(header_key(header))
    missing = [h for k, (h, _key) in wanted.items() if k not in found]
    if missing:
        raise ValidationError(
            {"mapping": _("台账中没有对应关系文件所列的列：%(headers)s") % {"headers": "、".join(missing)}}
        )
    return columns


def apply_mapping(job: ImportJob, user: User, given: MappingFile | None) -> ImportJob:
    """Answer the mapping pages for a script, through the same services: the columns (the file's, or the
    proposal — a saved mapping of the user's area first), the default grid (the file's, else the
    proposal's: the saved one, or the import area's only grid), then the area and choice values (the
    file's over the proposals taken: exact, normalised or saved; a fuzzy proposal is never taken unasked).
    Nothing is saved."""
    proposed = job.mapping or {}
    if given is not None:
        columns = columns_by_header(job, given.columns)
        default_grid = grid_in_scope(user, given.default_grid)
    else:
        columns = {int(i): key for i, key in (proposed.get("columns") or {}).items()}
        default_grid = None
    if default_grid is None:
        default_grid = proposed.get("default_grid")
    job = services.confirm_mapping(
        job, actor=user, columns=columns, default_grid=default_grid, remember=False
    )
    if given is not None and given.values:
        values = {entry: dict(table) for entry, table in ((job.mapping or {}).get("values") or {}).items()}
        for entry, table in given.values.items():
            values.setdefault(entry, {}).update(
                {str(k): "" if v is None else str(v) for k, v in table.items()}
            )
        job = services.confirm_values(job, actor=user, values=values)
    return job


def mapped_columns(job: ImportJob) -> dict[str, str]:
    """The job's mapping as header → field (what a person reads, and what a mapping file holds)."""
    headers = job.headers or []
    columns = (job.mapping or {}).get("columns") or {}
    return {
        (headers[int(i)] if int(i) < len(headers) else str(i)): key
        for i, key in sorted(columns.items(), key=lambda item: int(item[0]))
    }


def problem_list(job: ImportJob) -> list[dict[str, Any]]:
    """Every problem of the job's last check, its message in the active language."""
    return [
        {
            "row": p["row"],
            "column": p["col"],
            "header": p["header"],
            "level": p["level"],
            "message": render(p.get("message")),
        }
        for p in load_problems(job)
    ]


def job_report(job: ImportJob, *, problems: bool = True) -> dict[str, Any]:
    """The machine report of a job: counts, problems and notes (the job page's content as data)."""
    report: dict[str, Any] = {
        "job": job.pk,
        "kind": job.kind,
        "file": job.original_name,
        "format": job.format,
        "sheet": job.sheet_name,
        "header_row": job.header_row,
        "status": job.status,
        "area": job.area.code if job.area else None,
        "committed": job.committed,
        "rows": job.progress_total,
        "counts": job.counts or {},
        "errors": job.error_count,
        "warnings": job.warning_count,
        "mapping": mapped_columns(job),
        "default_grid": (job.mapping or {}).get("default_grid"),
        # The area and choice values as mapped, and every proposal (a fuzzy one is not taken unasked: a
        # script puts it in its mapping file's `values`).
        "values": (job.mapping or {}).get("values") or {},
        "value_proposals": (job.mapping or {}).get("value_proposals") or {},
        "notes": render_lines(job.message),
    }
    if problems:
        report["problems"] = problem_list(job) if job.finished_at else []
    return report


# --- saved mappings for scripts: which a user may use, export and import ------------------------------------


def visible_mappings(user: User) -> QuerySet[LedgerMapping]:
    """The saved mappings a user may be offered or use: their own area's and its ancestors' (the district's
    only when published, as `services.saved_mapping_for` offers them), those of areas inside their scope,
    and the published ones. Never another area's: a mapping carries area values and a default grid."""
    rows = LedgerMapping.objects.select_related("owner_area")
    if user.is_district_wide:
        return rows.all()
    root = services.scope_root(user)
    if root is None:
        return rows.none()
    inside = Q(pk__in=[])
    for path in user.scope_paths:
        inside |= Q(owner_area__path__startswith=path)
    return rows.filter(Q(owner_area_id__in=services.mapping_lineage(root)) | inside | Q(published=True))


def mapping_for_area(user: User, kind: str, code: str) -> LedgerMapping:
    """The mapping of a kind an area (by code) would be offered, among those the user may use: the area's
    own, else its nearest ancestor's, else the newest published one. One answer for "none" and "not
    yours": a code says nothing about areas the user may not see."""
    none = ValidationError({"area": _("区域「%(code)s」没有您可使用的此类台账对应关系。") % {"code": code}})
    # An area inside the user's scope, or one above it whose mappings they are offered (a grid worker's
    # community owns the mapping the grid worker saved).
    own = services.mapping_lineage(services.scope_root(user))
    area = (
        Area.objects.filter(code=code.strip())
        .filter(Q(pk__in=Area.objects.visible_to(user).values("pk")) | Q(pk__in=own))
        .first()
    )
    if area is None:
        raise none
    lineage = area.ancestor_ids if user.is_district_wide else services.mapping_lineage(area)
    found = visible_mappings(user).filter(kind=kind).filter(Q(owner_area_id__in=lineage) | Q(published=True))
    saved = services.nearest_mapping(list(found), lineage)
    if saved is None:
        raise none
    return saved


def save_mapping_file(read: LedgerMapping, *, actor: User, publish: bool = False) -> LedgerMapping:
    """Save a mapping read from a file (`mapping_file.from_yaml`, checked against the actor's scope) for the
    actor's area: through `services.save_layout_mapping`, which holds the owner and publishing rules for
    every way a mapping is saved."""
    return services.save_layout_mapping(
        actor=actor,
        kind=read.kind,
        signature=read.signature,
        headers=read.headers,
        mapping=read.mapping,
        publish=publish,
    )
