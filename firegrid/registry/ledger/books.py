"""The records one import run refers to again and again, kept for the whole run: buildings and landlords
by natural key (with the values each row gave them, so a ledger that contradicts itself is caught),
and the stored premises and rooms that room and tenant rows name. Landlords, found by either of two
keys, have their own module (landlords.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from firegrid.core.bulk_insert import insert_objects
from firegrid.core.models import Record
from firegrid.registry.models import Building, Premises, Room
from firegrid.registry.sort_keys import SortedRecord

from .importer import ImportContext, Row, field_label
from .messages import Message
from .messages import deferred as _  # stored by the job, translated when shown

BATCH = 500
WHOLE_BUILDING = "整幢"
BUILDING_ATTRS = ("name", "floors", "height_m", "structure", "year_built", "use", "latitude", "longitude")
FOUR_CATEGORY = ("is_party_member", "is_official", "is_deputy", "is_public_payroll")


def _show(value: Any) -> Message | str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else str(value)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(a) == Decimal(b)
        except (TypeError, ValueError, ArithmeticError):
            return False
    return a == b


def create_all(model: type[models.Model], objs: list[Any]) -> None:
    """New records of a run, as `bulk_create` writes them (sort keys included) without building its
    statement per value: the run's largest cost at 100,000 rows (firegrid.core.bulk_insert)."""
    if not objs:
        return
    if issubclass(model, SortedRecord):
        model.fill_sort_keys(objs)
    insert_objects(model, objs)


def touch(obj: Record, now: dt.datetime, *, bump: bool = True) -> None:
    """bulk_update writes neither auto_now nor the version: an updated record gets both here. The version
    goes up once per import: `bump` is false for a record this import has bumped already."""
    if bump:
        obj.version += 1
    obj.updated_at = now


@dataclass(eq=False)
class Entry:
    """A building or landlord this import refers to, kept for the whole run: rows of later chunks
    refer to it again, and its values must agree from row to row."""

    obj: Any
    new: bool
    first_row: int
    set_by: dict[str, int] = field(default_factory=dict)  # attribute → row that gave its value
    bad: set[str] = field(default_factory=set)
    dirty: bool = False  # changes not yet written
    changed: bool = False  # an existing record this import changes (counted as updated)
    checked: bool = False  # validated since its last change
    failed: bool = False
    written: bool = False
    bumped: bool = False  # its version has gone up in this import (however many chunks change it)
    writable: bool = True
    warned: bool = False
    hidden: bool = False  # a registered record the importer may not see: never linked, never shown
    hidden_with_id: bool = False  # such a landlord has an ID number (a row's ID number may not fill it in)
    counted: bool = False  # a row without errors refers to it: the planned counts include it


class Book:
    """The buildings or landlords of one run, by natural key; checks, conflicts and bulk writes."""

    model: type[models.Model]
    target: str
    attrs: tuple[str, ...]
    exclude: list[str]

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.entries: dict[Any, Entry] = {}
        # Entries to check and to write, so a chunk never scans every entry of the run.
        self.unchecked: dict[int, Entry] = {}
        self.unwritten: dict[int, Entry] = {}

    def add(self, key: Any, entry: Entry) -> Entry:
        self.entries[key] = entry
        if entry.new:
            self.mark(entry)
        return entry

    def mark(self, entry: Entry) -> None:
        entry.checked = False
        entry.dirty = True
        self.unchecked[id(entry)] = entry
        self.unwritten[id(entry)] = entry

    def set_value(self, entry: Entry, row: Row, attr: str, value: Any) -> None:
        """Give the record a value from a row; a different value for the same record from an earlier
        row is an error on this row (the ledger contradicts itself)."""
        first = entry.set_by.get(attr)
        current = getattr(entry.obj, attr)
        if first is not None and first != row.number:
            if not same(current, value):
                label = field_label(self.model, attr)
                self.ctx.error(
                    row,
                    f"{self.target}.{attr}",
                    _("同一%(model)s在第 %(row)s 行填写的%(field)s是「%(first)s」，本行是「%(this)s」。")
                    % {
                        "model": self.model._meta.verbose_name,
                        "row": first,
                        "field": label,
                        "first": _show(current),
                        "this": _show(value),
                    },
                )
            return
        entry.set_by[attr] = row.number
        if not same(current, value):
            setattr(entry.obj, attr, value)
            self.mark(entry)
            if not entry.new:
                entry.changed = True

    def validate_pending(self) -> None:
        pending, self.unchecked = list(self.unchecked.values()), {}
        for entry in pending:
            if entry.checked or entry.failed:
                continue
            entry.checked = True
            ok = self.ctx.validate(
                entry.obj,
                entry.first_row,
                self.target,
                exclude=self.exclude,
                rows_by_attr=entry.set_by,
                bad=entry.bad,
            )
            entry.failed = not ok

    def flush(self) -> None:
        if not self.ctx.writing:
            return
        now = timezone.now()
        new: list[models.Model] = []
        changed: list[models.Model] = []
        rewritten: list[models.Model] = []
        pending, self.unwritten = list(self.unwritten.values()), {}
        for entry in pending:
            if not entry.dirty:
                continue
            entry.dirty = False
            if entry.new and not entry.written:
                entry.obj.pk = None  # drop the provisional id used while checking
                new.append(entry.obj)
                entry.written = True
            elif entry.new:
                rewritten.append(entry.obj)  # created earlier in this import, grown since (floors)
            else:
                touch(entry.obj, now, bump=not entry.bumped)
                entry.bumped = True
                changed.append(entry.obj)
        # The model's one manager (`objects`), named as Django's model API knows it for any model class.
        manager = self.model._default_manager
        create_all(self.model, new)
        if changed:
            manager.bulk_update(changed, [*self.attrs, "version", "updated_at"], batch_size=BATCH)
        if rewritten:
            manager.bulk_update(rewritten, list(self.attrs), batch_size=BATCH)

    def tally(self) -> None:
        """Counts of the records rows without errors refer to (a dry run's plan leaves out the rest)."""
        for entry in self.entries.values():
            if entry.counted:
                outcome = "created" if entry.new else "updated" if entry.changed else "unchanged"
                self.ctx.tally.add(self.target, outcome)


class BuildingBook(Book):
    model = Building
    target = "building"
    attrs = BUILDING_ATTRS
    exclude = ["grid"]

    def __init__(self, ctx: ImportContext, *, auto_floors: bool = False) -> None:
        super().__init__(ctx)
        self.auto_floors = auto_floors  # new buildings take their floors from their premises' floors
        self.provisional = itertools.count(-1, -1)

    @staticmethod
    def key(row: Row) -> tuple[int, str]:
        return (row.placed_grid.pk, row.get("building.address"))

    def prefetch(self, rows: list[Row]) -> None:
        keys = {self.key(r) for r in rows} - self.entries.keys()
        if not keys:
            return
        qs = Building.objects.filter(grid_id__in={k[0] for k in keys}, address__in={k[1] for k in keys})
        if self.ctx.write:
            qs = qs.select_for_update()
        for building in qs:
            key = (building.grid_id, building.address)
            if key in keys:
                building.grid = self.ctx.grids.grids[building.grid_id]
                self.entries[key] = Entry(building, new=False, first_row=0)

    def entry_for(self, row: Row) -> Entry:
        key = self.key(row)
        entry = self.entries.get(key)
        if entry is None:
            # No floors yet (None until a row gives them, or its premises do: need_floors).
            building = Building(grid=row.placed_grid, address=key[1])
            # A provisional id lets Premises.clean compare floors with a building not yet written.
            building.pk = next(self.provisional)
            entry = self.add(key, Entry(building, new=True, first_row=row.number))
        return entry

    def apply(self, row: Row, entry: Entry) -> None:
        for attr in self.attrs:
            key = f"building.{attr}"
            if key in row.bad:
                entry.bad.add(key)
            elif key in row.values:
                self.set_value(entry, row, attr, row.values[key])

    def need_floors(self, entry: Entry, floor: int | None) -> None:
        """A new building without a 层数 column has as many floors as its highest premises (at least 1)."""
        if not (self.auto_floors and entry.new and "floors" not in entry.set_by):
            return
        needed = max(floor or 1, 1)
        if entry.obj.floors is None or entry.obj.floors < needed:
            entry.obj.floors = needed
            self.mark(entry)


class PremisesLocator:
    """Stored premises by (grid, address, unit label), for rows that name a premises (rooms, tenants)."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.found: dict[tuple[int, str, str], tuple[int, Decimal | None] | None] = {}

    @staticmethod
    def key(row: Row) -> tuple[int, str, str]:
        return (
            row.placed_grid.pk,
            row.get("building.address"),
            row.get("premises.unit_label") or WHOLE_BUILDING,
        )

    def prefetch(self, rows: list[Row]) -> None:
        keys = {self.key(r) for r in rows} - self.found.keys()
        if not keys:
            return
        qs = Premises.objects.filter(
            building__grid_id__in={k[0] for k in keys}, building__address__in={k[1] for k in keys}
        ).values_list("pk", "building__grid_id", "building__address", "unit_label", "floor_area_m2")
        for pk, grid_id, address, label, area in qs:
            if (grid_id, address, label) in keys:
                self.found[(grid_id, address, label)] = (pk, area)
        for key in keys:
            self.found.setdefault(key, None)

    def find(self, row: Row) -> tuple[int, Decimal | None] | None:
        hit = self.found.get(self.key(row))
        if hit is None:
            _grid, address, label = self.key(row)
            self.ctx.error(
                row,
                "premises.unit_label" if "premises.unit_label" in self.ctx.columns else "building.address",
                _(
                    "没有找到出租户：%(address)s %(label)s（%(grid)s）。请先导入出租户台账，或检查地址和门牌/户号。"
                )
                % {"address": address, "label": label, "grid": row.placed_grid.name},
            )
        return hit


class RoomsOfPremises:
    """All stored rooms of the premises a run touches, by number (loaded once per premises)."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.rooms: dict[int, dict[str, Room]] = {}
        self.by_pk: dict[int, Room] = {}

    def prefetch(self, premises_ids: set[int]) -> None:
        missing = premises_ids - self.rooms.keys()
        if not missing:
            return
        for pk in missing:
            self.rooms[pk] = {}
        qs = Room.objects.filter(premises_id__in=missing)
        if self.ctx.write:
            qs = qs.select_for_update()
        for room in qs:
            self.rooms[room.premises_id][room.number] = room
            self.by_pk[room.pk] = room
