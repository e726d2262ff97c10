"""Building and room ledgers."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from firegrid.core.models import Record
from firegrid.registry.models import Building, Room

from ..books import (
    BuildingBook,
    Entry,
    PremisesLocator,
    RoomsOfPremises,
)
from ..importer import ImportContext, Row
from ..messages import deferred as _  # stored by the job, translated when shown
from .base import ROOM_ATTRS, KindImporter


class BuildingImporter(KindImporter):
    models = (Building,)
    primary = Building

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.buildings = BuildingBook(ctx)

    def process(self, rows: list[Row]) -> None:
        placed = [row for row in rows if self.located(row)]
        self.buildings.prefetch(placed)
        entries: list[tuple[Row, Entry]] = []
        for row in placed:
            if not self.first_time(
                row,
                self.buildings.key(row),
                "building.address",
                _("与第 %(row)s 行重复：同一网格内相同的地址「%(key)s」。"),
                row.get("building.address"),
            ):
                continue
            entry = self.buildings.entry_for(row)
            if entry.new:
                self.ctx.require_values(row, ("building.floors",))
                entry.bad |= row.bad
            self.buildings.apply(row, entry)
            entries.append((row, entry))
        self.buildings.validate_pending()
        for row, entry in entries:
            if entry.failed:
                row.ok = False
            if row.ok:
                self.ctx.tally.add(
                    "building", "created" if entry.new else "updated" if entry.changed else "unchanged"
                )
        if self.ctx.writing:
            self.buildings.flush()
            self.written.extend(e.obj.pk for _, e in entries if e.new or e.changed)


class RoomImporter(KindImporter):
    models = (Room,)
    primary = Room
    required_new = ("room.area_m2",)

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.premises = PremisesLocator(ctx)
        self.stored = RoomsOfPremises(ctx)
        # premises id → {room number: (area, row)} from the file; and the premises' floor area
        self.file_areas: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
        self.floor_area: dict[int, Decimal | None] = {}

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        placed: list[Row] = []
        for row in rows:
            if not self.located(row):
                continue
            if "room.number" not in row.values:
                if "room.number" not in row.bad:
                    ctx.require_values(row, ("room.number",))
                continue
            placed.append(row)
        self.premises.prefetch(placed)
        hits = {r.number: self.premises.find(r) for r in placed}
        self.stored.prefetch({hit[0] for hit in hits.values() if hit})
        create: list[Record] = []
        update: list[Record] = []
        for row in placed:
            hit = hits[row.number]
            if hit is None:
                continue
            premises_id, floor_area = hit
            self.floor_area[premises_id] = floor_area
            number = row.get("room.number")
            if not self.first_time(
                row,
                (premises_id, number),
                "room.number",
                _("与第 %(row)s 行重复：同一出租户内相同的房间号「%(key)s」。"),
                number,
            ):
                continue
            current = self.stored.rooms[premises_id].get(number)
            if current is None:
                ctx.require_values(row, self.required_new)
            base = {a: getattr(current, a) for a in ROOM_ATTRS} if current else {}
            given = {a: row.values[f"room.{a}"] for a in ROOM_ATTRS if f"room.{a}" in row.values}
            candidate = Room(premises_id=premises_id, number=number, **{**base, **given})
            # Room.clean sums the other rooms with a query per row; the same rule is checked in finish().
            ctx.validate(candidate, row, "room", exclude=["premises"], bad=row.bad, clean=False)
            if candidate.area_m2 is not None and "room.area_m2" not in row.bad:
                self.file_areas[premises_id][number] = (candidate.area_m2, row.number)
            obj, outcome = self.upsert(current, candidate, row, ROOM_ATTRS, "room")
            if obj is None:
                continue
            if outcome == "created":
                create.append(obj)
            elif outcome == "updated":
                update.append(obj)
        self.save(create, update, list(ROOM_ATTRS))

    def finish(self) -> None:
        for premises_id, in_file in self.file_areas.items():
            stored = self.stored.rooms.get(premises_id, {})
            total = sum((a for a, _row in in_file.values()), Decimal(0))
            total += sum((r.area_m2 for n, r in stored.items() if n not in in_file), Decimal(0))
            area = self.floor_area[premises_id]
            if area is not None and total > area:  # an unknown area (待核实) bounds nothing yet
                last_row = max(r for _a, r in in_file.values())
                self.ctx.error(
                    last_row,
                    "room.area_m2",
                    _("各房间面积之和（%(total)s m²）超过出租户建筑面积（%(area)s m²）。")
                    % {"total": total, "area": area},
                )
