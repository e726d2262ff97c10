"""One pass over a ledger: read rows in chunks, convert cells, check every row against the models'
rules, and — when committing — upsert each checked chunk with bulk operations, all inside one
transaction that is rolled back if any row anywhere has an error.

Why not `create_record` per row: at 100,000 rows a query-per-row path (lookup, full_clean with its
foreign-key and uniqueness queries, save, audit entry) is an order of magnitude slower than the target
(a few times the time openpyxl needs to read the file). Instead natural keys are prefetched per chunk,
each row is checked as `full_clean(validate_unique=False, validate_constraints=False)` would check it
(field_checks.py: each field's result remembered per distinct value) with the
foreign keys excluded (they come from in-scope lookups, not user input), uniqueness is checked against
the prefetched keys and the keys already seen in the file, and the whole import writes one audit entry
on its ImportJob (counts, file name) instead of one per row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from openpyxl.utils import get_column_letter

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.permissions import Action, can

from .choices import ProblemLevel
from .field_checks import FieldChecks
from .fields import fields_for
from .messages import Message, Spec, Text, encode_message, from_validation_error
from .messages import deferred as _  # stored by the job, translated when shown
from .reading import NON_DATA, LedgerFile, classify, ledger_for_job, skip_reason
from .value_map import ValueMap
from .values import CellError, check_cell, clean_text, is_blank

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob

CHUNK_ROWS = 2000
REPORT_LIMIT = 500  # problems kept in the job row; the full list goes to a file
READ_CELLS_KEPT = 20_000  # converted cells remembered per column (ImportContext.read_cells)
KEEP_LIMIT = 200_000  # problems kept in memory at all (a wrongly mapped 1M-row file would have millions)


@dataclass(slots=True)
class Problem:
    row: int
    column: int | None  # 0-based index into the sheet's columns
    message: Spec  # msgid and parameters (messages.py): shown in the language of whoever reads the report
    level: str = ProblemLevel.ERROR


class Problems:
    """Every problem found, in the order found, with counts by level."""

    def __init__(self, headers: list[str]) -> None:
        self.headers = headers
        self.items: list[Problem] = []
        self.errors = 0
        self.warnings = 0
        self.skipped = 0

    def add(
        self, row: int, column: int | None, message: Text | Spec, level: str = ProblemLevel.ERROR
    ) -> None:
        if level == ProblemLevel.ERROR:
            self.errors += 1
        elif level == ProblemLevel.SKIPPED:
            self.skipped += 1
        else:
            self.warnings += 1
        if len(self.items) < KEEP_LIMIT:
            spec = message if isinstance(message, dict) else encode_message(message)
            self.items.append(Problem(row, column, spec, level))

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row, -1 if p.column is None else p.column))

    def as_dicts(self, limit: int | None = None, *, skipped: bool = True) -> list[dict[str, Any]]:
        """Problems as stored; `skipped=False` leaves out the skipped rows (the job row keeps the real
        problems; the full list in the problems file, hence the .xlsx report, has the skipped rows too)."""
        items = self.sorted()
        if not skipped:
            items = [p for p in items if p.level != ProblemLevel.SKIPPED]
        if limit is not None:
            items = items[:limit]
        return [self.describe(p) for p in items]

    def describe(self, p: Problem) -> dict[str, Any]:
        column = "" if p.column is None else get_column_letter(p.column + 1)
        header = self.headers[p.column] if p.column is not None and p.column < len(self.headers) else ""
        return {"row": p.row, "col": column, "header": header, "message": p.message, "level": p.level}


class Tally:
    """created / updated / unchanged per target (premises, building, landlord …)."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(
            lambda: {"created": 0, "updated": 0, "unchanged": 0}
        )

    def add(self, target: str, outcome: str, n: int = 1) -> None:
        self.counts[target][outcome] += n

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {k: dict(v) for k, v in self.counts.items()}


@dataclass(slots=True)
class Row:
    """One data row: its number as the user sees it and its converted values by field key."""

    number: int
    values: dict[str, Any]
    ok: bool = True
    grid: Area | None = None
    bad: set[str] = field(default_factory=set)  # keys whose cell could not be read (already reported)
    refs: tuple[Any, ...] = ()  # the building and landlord entries (books.Entry) a premises row refers to
    raw: list[Any] = field(default_factory=list)  # the row's cells as read (columns kept as extra data)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def placed_grid(self) -> Area:
        """The grid of a row already placed (`KindImporter.located`): only such rows name records."""
        if self.grid is None:
            raise ValueError(f"row {self.number} has no grid")
        return self.grid


class ImportAborted(Exception):
    """Raised inside the commit transaction to roll it back when any row had an error."""


# --- grids: the ledger names them by name or code, with or without their community ---------------------

_COMMUNITY_SUFFIX = re.compile(r"(社区居委会|居委会|村委会|社区|村)$")


def _community_key(name: str) -> str:
    return _COMMUNITY_SUFFIX.sub("", name) or name


class GridResolver:
    """Grid by code, by name, by (community, name), or the job's default; only grids in the user's scope."""

    def __init__(self, user: User, default_grid_id: int | None, area: Area | None = None) -> None:
        self.scope = None if user.scope_grid_ids is None else set(user.scope_grid_ids)
        # [L5 import area] ImportJob.area limits the rows further than the scope: a grid outside it is an
        # error on its row, named as such, even where the user may import (a script importing twenty
        # communities' ledgers must not put one community's rows in another's grid).
        self.area = area
        self.area_grids = None if area is None else set(area.grid_ids())
        self.grids: dict[int, Area] = {}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_community: dict[str, list[int]] = defaultdict(list)
        self.community_of: dict[int, str] = {}
        for pk, name, code, community in Area.objects.filter(level=AreaLevel.GRID).values_list(
            "pk", "name", "code", "parent__name"
        ):
            # A light instance: enough for Building.clean (level) and for foreign keys.
            self.grids[pk] = Area(pk=pk, name=name, code=code, level=AreaLevel.GRID)
            self.by_code[code] = pk
            self.by_name[clean_text(name)].append(pk)
            key = _community_key(clean_text(community or ""))
            self.by_community[key].append(pk)
            self.community_of[pk] = key
        in_scope = self._in_area(self._in_scope(self.grids))
        self.default = default_grid_id if default_grid_id in in_scope else None
        self.only = next(iter(in_scope)) if len(in_scope) == 1 else None
        self.optional = self.scope is None  # district-wide users may leave a landlord without a grid
        self._cache: dict[tuple[str, str], tuple[int | None, str, Text]] = {}

    def _in_scope(self, pks: Iterable[int]) -> set[int]:
        return set(pks) if self.scope is None else set(pks) & self.scope

    def _in_area(self, pks: Iterable[int]) -> set[int]:
        return set(pks) if self.area_grids is None else set(pks) & self.area_grids

    def _outside_area(self, what: str, name: str) -> tuple[None, str, Text]:
        assert self.area is not None
        if what == "community":
            message = _("社区「%(community)s」不在本次导入的区域「%(area)s」内。") % {
                "community": name,
                "area": self.area.name,
            }
        else:
            message = _("网格「%(grid)s」不在本次导入的区域「%(area)s」内。") % {
                "grid": name,
                "area": self.area.name,
            }
        return None, what, message

    def resolve(self, grid: str, community: str, *, required: bool = True) -> tuple[int | None, str, Text]:
        """(grid id, "", "") or (None, field key at fault, message)."""
        key = (grid, community)
        if key not in self._cache:
            self._cache[key] = self._resolve(grid, community, required)
        return self._cache[key]

    def _resolve(self, grid: str, community: str, required: bool) -> tuple[int | None, str, Text]:
        community_key = _community_key(community) if community else ""
        if grid:
            if grid in self.by_code:
                candidates = [self.by_code[grid]]
            else:
                candidates = self.by_name.get(grid, [])
                if community_key:
                    candidates = [pk for pk in candidates if self.community_of[pk] == community_key]
            if not candidates:
                if community_key and community_key not in self.by_community:
                    # The community itself is unknown: say so, not "no such grid in it".
                    return (
                        None,
                        "community",
                        _("没有找到社区「%(community)s」（本行网格「%(grid)s」），请填写系统中的社区名称。")
                        % {"community": community, "grid": grid},
                    )
                if community:
                    return (
                        None,
                        "grid",
                        _("社区「%(community)s」下没有网格「%(grid)s」。")
                        % {
                            "community": community,
                            "grid": grid,
                        },
                    )
                return (
                    None,
                    "grid",
                    _("没有找到网格「%(grid)s」，请填写系统中的网格名称或编码。") % {"grid": grid},
                )
            if len(candidates) > 1:
                in_scope = self._in_scope(candidates)
                if len(in_scope) > 1 and len(self._in_area(in_scope)) == 1:
                    in_scope = self._in_area(in_scope)  # the import area tells same-named grids apart
                if len(in_scope) != 1:
                    return (
                        None,
                        "grid",
                        _("网格名称「%(grid)s」在多个社区中重复，请同时填写社区或改填网格编码。")
                        % {"grid": grid},
                    )
                candidates = list(in_scope)
            pk = candidates[0]
            if pk not in self._in_scope([pk]):
                return None, "grid", _("网格「%(grid)s」不在您的管辖范围内，不能导入。") % {"grid": grid}
            if not self._in_area([pk]):
                return self._outside_area("grid", grid)
            return pk, "", ""
        if community:
            all_grids = self.by_community.get(community_key, [])
            if not all_grids:
                return None, "community", _("没有找到社区「%(community)s」。") % {"community": community}
            grids = self._in_scope(all_grids)
            if not grids:
                return (
                    None,
                    "community",
                    _("社区「%(community)s」不在您的管辖范围内，不能导入。") % {"community": community},
                )
            if not self._in_area(grids):
                return self._outside_area("community", community)
            grids = self._in_area(grids)
            if self.default in grids:
                return self.default, "", ""
            if len(grids) == 1:
                return next(iter(grids)), "", ""
            return (
                None,
                "community",
                _("社区「%(community)s」有多个网格，请填写网格列或选择默认网格。") % {"community": community},
            )
        if self.default:
            return self.default, "", ""
        if self.only:
            return self.only, "", ""
        if not required and self.optional:
            return None, "", ""
        return None, "grid", _("请填写网格，或在确认列对应关系时选择默认网格。")


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    counts: dict[str, dict[str, int]]
    problems: Problems
    rows: int  # data rows read
    notes: list[Text]  # Message objects (messages.py)
    written: bool


class ImportContext:
    """What every kind's importer shares: the actor, the mapping, problems, counts, the grid resolver."""

    def __init__(self, job: ImportJob, actor: User, *, write: bool) -> None:
        self.job = job
        self.actor = actor
        self.write = write
        self.fields = fields_for(job.kind)
        columns = (job.mapping or {}).get("columns", {})
        # field key → column index
        self.columns: dict[str, int] = {
            key: int(index) for index, key in columns.items() if key in self.fields
        }
        self.headers = list(job.headers or [])
        self.problems = Problems(self.headers)
        self.tally = Tally()
        self.notes: list[Text] = []
        self.grids = GridResolver(actor, (job.mapping or {}).get("default_grid"), job.area)
        # [L2 value mapping] the officer's value map (sheet's own area and choice words → system values),
        # applied to each raw row in `parse` before its cells are converted. See value_map.ValueMap.
        self.value_map = ValueMap(job.mapping or {}, self.columns)
        # Each column's cells read so far → (value, None) or (None, the CellError's message): ledgers repeat
        # the same cells (the grid, the type, a landlord's ID and name on each of their premises), and
        # the converters are pure. Keyed by type too (1, 1.0 and True are equal keys otherwise).
        self.read_cells: dict[str, dict[tuple[type, Any], tuple[Any, Any]]] = {k: {} for k in self.columns}
        # full_clean's field checks, remembered per field and value (the same values, row after row).
        self.checks = FieldChecks()

    @property
    def writing(self) -> bool:
        """Rows are written only while no error has been found: one error anywhere and nothing is."""
        return self.write and self.problems.errors == 0

    def require(self, *model_classes: type[models.Model]) -> None:
        for model in model_classes:
            for action in (Action.ADD, Action.CHANGE):
                if not can(self.actor, action, model):
                    raise PermissionDenied(
                        _("您的角色无权导入%(name)s。") % {"name": model._meta.verbose_name}
                    )

    def column(self, key: str) -> int | None:
        return self.columns.get(key)

    def error(self, row: Row | int, key: str | None, message: Text) -> None:
        number = row.number if isinstance(row, Row) else row
        self.problems.add(number, self.column(key) if key else None, message)
        if isinstance(row, Row):
            row.ok = False

    def warn(self, row: Row | int, key: str | None, message: Text) -> None:
        number = row.number if isinstance(row, Row) else row
        self.problems.add(number, self.column(key) if key else None, message, ProblemLevel.WARNING)

    def parse(self, number: int, values: list[Any]) -> Row:
        """Convert every mapped cell; a cell that cannot be read is an error on that cell."""
        values = self.value_map.apply(values)  # [L2 value mapping]
        converted: dict[str, Any] = {}
        row = Row(number, converted, raw=values)
        width = len(values)
        for key, index in self.columns.items():
            if index >= width:
                continue
            raw = values[index]
            if raw is None or (isinstance(raw, str) and not raw.strip()):  # is_blank, inlined
                continue
            cache = self.read_cells[key]
            hit = cache.get((raw.__class__, raw))
            if hit is None:
                hit = self._read_cell(key, raw)
                if len(cache) >= READ_CELLS_KEPT:
                    cache.clear()  # constant memory: a repeated cell is nearly always a near one
                cache[(raw.__class__, raw)] = hit
            value, error = hit
            if error is None:
                converted[key] = value
            else:
                self.problems.add(number, index, error)
                row.ok = False
                row.bad.add(key)
        return row

    def _read_cell(self, key: str, raw: Any) -> tuple[Any, Any]:
        try:
            check_cell(raw)
            return self.fields[key].convert(raw), None
        except CellError as exc:
            return None, exc.args[0] if exc.args else str(exc)

    def require_values(self, row: Row, keys: tuple[str, ...]) -> bool:
        """Required columns of a row that creates a record: a clear message instead of the model's
        "cannot be null"."""
        missing = [k for k in keys if k not in row.values and k not in row.bad]
        for key in missing:
            self.error(row, key, _("必须填写%(field)s。") % {"field": self.fields[key].label})
            row.bad.add(key)
        return not missing

    def resolve_grid(self, row: Row, *, required: bool = True) -> None:
        pk, fault, message = self.grids.resolve(
            row.get("grid", ""), row.get("community", ""), required=required
        )
        if pk is None and message:
            self.error(
                row, fault if fault in self.columns else ("grid" if "grid" in self.columns else None), message
            )
        row.grid = self.grids.grids.get(pk) if pk else None

    def validate(
        self,
        obj: models.Model,
        row: Row | int,
        target: str,
        *,
        exclude: list[str],
        rows_by_attr: dict[str, int] | None = None,
        bad: set[str] | None = None,
        clean: bool = True,
    ) -> bool:
        """The model's own field and cross-field rules; errors land on the ledger column of the field."""
        try:
            self.checks.check(obj, exclude, clean=clean)
        except ValidationError as exc:
            number = row.number if isinstance(row, Row) else row
            # error_dict, not message_dict: each error keeps its msgid and parameters (see messages.py).
            errors = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
            for name, field_errors in errors.items():
                key = self.key_for(target, name)
                if bad and (key in bad or f"{target}.{name}" in bad):
                    continue  # its cell was already reported as unreadable or missing
                where = (rows_by_attr or {}).get(name, number)
                column = self.column(key) if key else None
                for error in field_errors:
                    spec = from_validation_error(error)
                    if column is None and name != "__all__":
                        label = field_label(obj, name)
                        self.problems.add(
                            where,
                            column,
                            _("%(field)s：%(message)s") % {"field": label, "message": Message(spec)},
                        )
                    else:
                        self.problems.add(where, column, spec)
            if isinstance(row, Row):
                row.ok = False
            return False
        return True

    ALIASES = {
        "premises.floor_from": ("premises.floor_from", "premises.floors"),
        "premises.floor_to": ("premises.floor_to", "premises.floors"),
        "building.grid": ("grid", "community"),
        "landlord.area": ("grid", "community"),
        "tenant.room": ("tenant.room",),
        "tenanthousehold.room": ("tenant.room",),
    }

    def key_for(self, target: str, attr: str) -> str | None:
        key = f"{target}.{attr}"
        for candidate in self.ALIASES.get(key, (key,)):
            if candidate in self.columns:
                return candidate
        return None


def field_label(model: type[models.Model] | models.Model, name: str) -> str | Promise:
    """The verbose name of a model field a row gives or an error names (never a reverse relation)."""
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, models.Field):
        raise ValueError(f"{name} is not a field of {model._meta.label}")
    return model_field.verbose_name


def data_rows(ledger: LedgerFile, job: ImportJob, ctx: ImportContext) -> Iterator[tuple[int, list[Any]]]:
    """The rows under the header that hold data: blank, totals, sign-off and repeated header rows skipped,
    as are one-cell captions outside the mapped columns (二、沿街商铺). Each skipped row is listed in
    the report (level 已跳过) with why; blank rows only when a record follows them (a sheet's trailing
    formatted-but-empty rows are not news)."""
    headers = [clean_text(h) for h in job.headers]
    mapped = set(ctx.columns.values())
    first = job.header_row + job.header_rows
    # A repeated header is recognised by its first named cell before the whole row is compared.
    probe = next((i for i, h in enumerate(headers) if h), 0)
    blanks: list[int] = []
    for number, values in ledger.rows(job.sheet_name):
        if number < first:
            continue
        shape = classify(values)
        if shape == NON_DATA or (shape >= 0 and shape not in mapped):
            reason = skip_reason(values)
            if shape == NON_DATA and not non_blank(values):
                blanks.append(number)
            else:
                ctx.problems.add(number, None, reason, ProblemLevel.SKIPPED)
            continue
        if probe < len(values) and headers and values[probe] is not None:
            if clean_text(values[probe]) == headers[probe]:
                if [clean_text(v) for v in values[: len(headers)]] == headers:
                    ctx.problems.add(number, None, _("重复的表头行"), ProblemLevel.SKIPPED)
                    continue  # the header repeated (a printed ledger pasted page by page)
        for blank in blanks:
            ctx.problems.add(blank, None, _("空行"), ProblemLevel.SKIPPED)
        blanks = []
        yield number, values


def non_blank(values: list[Any]) -> bool:
    return any(not is_blank(v) for v in values)


def run_import(
    job: ImportJob,
    *,
    actor: User,
    write: bool,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Check (and with `write`, commit) a job's ledger. Writing happens in one transaction; if any row
    has an error it is rolled back and the result says nothing was written."""
    from .kinds import IMPORTERS

    ctx = ImportContext(job, actor, write=write)
    importer = IMPORTERS[job.kind](ctx)
    ctx.require(*importer.models)
    ledger = ledger_for_job(job)
    total_rows = 0

    def body() -> None:
        nonlocal total_rows
        chunk: list[Row] = []
        for number, values in data_rows(ledger, job, ctx):
            chunk.append(ctx.parse(number, values))
            total_rows += 1
            if len(chunk) >= CHUNK_ROWS:
                importer.process(chunk)
                chunk = []
                if progress:
                    progress(number, ledger.row_count or 0)
        if chunk:
            importer.process(chunk)
        importer.finish()
        if ctx.problems.skipped:
            ctx.notes.append(
                _("有 %(n)s 行不是记录（空行、合计行、落款等），未计入数据行，已在问题报告中列出。")
                % {"n": ctx.problems.skipped}
            )
        if progress:
            progress(ledger.row_count or total_rows, ledger.row_count or total_rows)

    if not write:
        body()
        return RunResult(ctx.tally.as_dict(), ctx.problems, total_rows, ctx.notes, written=False)
    try:
        with transaction.atomic():
            body()
            if ctx.problems.errors:
                raise ImportAborted
            importer.check_scope()
    except ImportAborted:
        return RunResult(ctx.tally.as_dict(), ctx.problems, total_rows, ctx.notes, written=False)
    return RunResult(ctx.tally.as_dict(), ctx.problems, total_rows, ctx.notes, written=True)
