"""What a row of each kind of ledger does: find the records it names by their natural keys, check its
values with the models' rules, and upsert (create new, update changed, leave equal ones alone).

Natural keys: building = (grid, address); landlord = ID number; premises = (building, unit label);
room = (premises, number); tenant household = (premises, ID number, moved-in date). A blank cell means
"not given": an existing record keeps its value, a new one gets the model default.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from firegrid.areas.models import Unit
from firegrid.core.permissions import Action
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

from .books import (
    BATCH,
    FOUR_CATEGORY,
    WHOLE_BUILDING,
    BuildingBook,
    Entry,
    LandlordBook,
    PremisesLocator,
    RoomsOfPremises,
    same,
    touch,
)
from .importer import ImportAborted, ImportContext, Row
from .messages import deferred as _  # stored by the job, translated when shown

PREMISES_ATTRS = (
    "kind",
    "is_shared_rental",
    "floor_from",
    "floor_to",
    "floor_area_m2",
    "status",
    "business_name",
)
ROOM_ATTRS = ("area_m2", "use", "occupants", "has_window")
TENANT_ATTRS = ("head_name", "mobile", "people", "moved_out")


# --- the importers, one per kind ---------------------------------------------------------------------------


class KindImporter:
    models: tuple[type[models.Model], ...] = ()
    primary: type[models.Model]
    # Columns a row must fill when it creates its primary record.
    required_new: tuple[str, ...] = ()

    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.seen: dict[Any, int] = {}  # natural key → first row in the file
        self.written: list[int] = []  # primary keys created or updated (scope re-check)

    def process(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def first_time(self, row: Row, key: Any, column: str, message: str) -> bool:
        """False (and an error on the row) when the file already had this natural key."""
        first = self.seen.get(key)
        if first is not None:
            self.ctx.error(row, column, message % {"row": first})
            return False
        self.seen[key] = row.number
        return True

    def located(self, row: Row, *, grid_required: bool = True) -> bool:
        """The row names a grid in scope and an address."""
        self.ctx.resolve_grid(row, required=grid_required)
        if "building.address" not in row.values and "building.address" not in row.bad:
            self.ctx.error(row, "building.address", _("必须填写%(field)s。") % {"field": _("地址")})
            return False
        return row.grid is not None and "building.address" in row.values

    def upsert(self, existing, candidate, row: Row, attrs: tuple[str, ...], target: str, extra=()):
        """Classify a checked row: new (create), changed (update the stored record), or equal."""
        if existing is None:
            if row.ok:
                self.ctx.tally.add(target, "created")
                return candidate, "created"
            return None, ""
        changes = [a for a in (*attrs, *extra) if not same(getattr(existing, a), getattr(candidate, a))]
        if not row.ok:
            return None, ""
        if not changes:
            self.ctx.tally.add(target, "unchanged")
            return existing, "unchanged"
        for attr in changes:
            setattr(existing, attr, getattr(candidate, attr))
        self.ctx.tally.add(target, "updated")
        return existing, "updated"

    def save(self, create: list, update: list, fields: list[str]) -> None:
        if not self.ctx.writing:
            return
        self.primary.objects.bulk_create(create, batch_size=BATCH)
        now = timezone.now()
        for obj in update:
            touch(obj, now)
        if update:
            self.primary.objects.bulk_update(update, [*fields, "version", "updated_at"], batch_size=BATCH)
        self.written.extend(obj.pk for obj in itertools.chain(create, update))

    def check_scope(self) -> None:
        """After writing, inside the transaction: every written record is in the actor's scope.
        (Asked as "written and not visible", which both databases answer by primary key; "visible and
        written" made SQLite probe every row of the grid for every written key.)"""
        visible = self.primary.objects.visible_to(self.ctx.actor, Action.ADD)
        for start in range(0, len(self.written), 5000):
            pks = self.written[start : start + 5000]
            outside = self.primary.objects.filter(pk__in=pks).exclude(
                Exists(visible.filter(pk=OuterRef("pk")))
            )
            if outside.exists():
                self.ctx.error(0, None, _("导入后有记录不在您的管辖范围内，已全部撤销。"))
                raise ImportAborted


class PremisesImporter(KindImporter):
    """A premises ledger row registers its building and landlord too (the common community sheet)."""

    models = (Building, Landlord, Premises)
    primary = Premises
    required_new = ("premises.floor_area_m2",)

    def __init__(self, ctx: ImportContext):
        super().__init__(ctx)
        self.buildings = BuildingBook(ctx, auto_floors=True)
        self.landlords = LandlordBook(ctx)
        if "building.floors" not in ctx.columns:
            ctx.notes.append(_("台账没有“层数”列：新登记的建筑按其各户所在的最高楼层登记层数（至少1层）。"))

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        placed = []
        for row in rows:
            has_place = self.located(row)
            if "landlord.id_number" not in row.values:
                if "landlord.id_number" not in row.bad:
                    ctx.error(
                        row, "landlord.id_number", _("必须填写%(field)s。") % {"field": _("房东身份证号码")}
                    )
                has_place = False
            if has_place:
                placed.append(row)
        self.buildings.prefetch(placed)
        self.landlords.prefetch(placed)
        for row in placed:
            label = row.get("premises.unit_label") or WHOLE_BUILDING
            row.values["premises.unit_label"] = label
            building = self.buildings.entry_for(row)
            self.buildings.apply(row, building)
            floor_from, floor_to = self._floors(row)
            self.buildings.need_floors(building, floor_to if isinstance(floor_to, int) else floor_from)
            landlord = self.landlords.entry_for(row)
            if landlord.new and landlord.first_row == row.number:
                ctx.require_values(row, ("landlord.name",))
                landlord.bad |= row.bad
            self.landlords.apply_inline(row, landlord)
            row.refs = (building, landlord)
        self.buildings.validate_pending()
        self.landlords.validate_pending()
        self._premises(placed)

    @staticmethod
    def _floors(row: Row) -> tuple[int | None, int | None]:
        floor_from = row.get("premises.floor_from")
        floor_to = row.get("premises.floor_to")
        if "premises.floors" in row.values:
            low, high = row.values["premises.floors"]
            floor_from = low if floor_from is None else floor_from
            floor_to = (high if high is not None else WHOLE_BUILDING) if floor_to is None else floor_to
        return floor_from, floor_to

    def _premises(self, rows: list[Row]) -> None:
        ctx = self.ctx
        building_ids = {r.refs[0].obj.pk for r in rows}
        building_ids = {pk for pk in building_ids if pk and pk > 0}
        existing: dict[tuple[int, str], Premises] = {}
        if building_ids:
            qs = Premises.objects.filter(building_id__in=building_ids)
            if ctx.write:
                qs = qs.select_for_update()
            existing = {(p.building_id, p.unit_label): p for p in qs}
        room_counts: dict[int, int] = {}
        if "premises.room_count" in ctx.columns and existing:
            room_counts = dict(
                Room.objects.filter(premises__in=[p.pk for p in existing.values()])
                .values("premises")
                .annotate(n=Count("id"))
                .values_list("premises", "n")
            )
        create, update, area_changed = [], [], []
        for row in rows:
            building, landlord = row.refs
            label = row.values["premises.unit_label"]
            if not self.first_time(
                row,
                (row.grid.pk, row.get("building.address"), label),
                "premises.unit_label" if "premises.unit_label" in ctx.columns else "building.address",
                _("与第 %(row)s 行重复：同一建筑内相同的门牌/户号。"),
            ):
                continue
            current = existing.get((building.obj.pk, label))
            if current is None:
                ctx.require_values(row, self.required_new)
            floor_from, floor_to = self._floors(row)
            if floor_to == WHOLE_BUILDING:
                floor_to = building.obj.floors or 1
            given = {
                "kind": row.get("premises.kind"),
                "is_shared_rental": row.get("premises.is_shared_rental"),
                "floor_from": floor_from,
                "floor_to": floor_to,
                "floor_area_m2": row.get("premises.floor_area_m2"),
                "status": row.get("premises.status"),
                "business_name": row.get("premises.business_name"),
            }
            base = {a: getattr(current, a) for a in PREMISES_ATTRS} if current else {}
            values = {**base, **{a: v for a, v in given.items() if v is not None}}
            candidate = Premises(building=building.obj, landlord=landlord.obj, unit_label=label, **values)
            if building.failed or landlord.failed:
                row.ok = False
            ctx.validate(candidate, row, "premises", exclude=["building", "landlord"], bad=row.bad)
            obj, outcome = self.upsert(
                current, candidate, row, PREMISES_ATTRS, "premises", extra=("landlord_id",)
            )
            if current is not None and "premises.room_count" in row.values:
                registered = room_counts.get(current.pk, 0)
                if registered and registered != row.values["premises.room_count"]:
                    ctx.warn(
                        row,
                        "premises.room_count",
                        _("台账出租间数为 %(ledger)s，系统中已登记房间 %(registered)s 间。")
                        % {"ledger": row.values["premises.room_count"], "registered": registered},
                    )
            if outcome == "created":
                create.append((obj, building, landlord))
            elif outcome == "updated":
                update.append((obj, building, landlord))
                if not same(base["floor_area_m2"], values["floor_area_m2"]):
                    area_changed.append((row, obj))
        self._check_room_areas(area_changed)
        self.buildings.flush()
        self.landlords.flush()
        # Records created in this chunk have their ids only now.
        for obj, building, landlord in itertools.chain(create, update):
            obj.building_id = building.obj.pk
            obj.landlord_id = landlord.obj.pk
        self.save([c[0] for c in create], [u[0] for u in update], [*PREMISES_ATTRS, "landlord"])

    def _check_room_areas(self, changed: list[tuple[Row, Premises]]) -> None:
        """Premises.clean's rule for a stored premises whose area shrinks: its rooms must still fit."""
        if not changed:
            return
        totals = dict(
            Room.objects.filter(premises__in=[p.pk for _, p in changed])
            .values("premises")
            .annotate(total=Sum("area_m2"))
            .values_list("premises", "total")
        )
        for row, obj in changed:
            rooms_total = totals.get(obj.pk) or 0
            if rooms_total > obj.floor_area_m2:
                self.ctx.error(
                    row,
                    "premises.floor_area_m2",
                    _("建筑面积（%(area)s m²）小于已登记房间面积之和（%(rooms)s m²）。")
                    % {"area": obj.floor_area_m2, "rooms": rooms_total},
                )

    def finish(self) -> None:
        self.buildings.validate_pending()
        self.buildings.flush()  # new buildings whose floors later rows raised
        self.buildings.tally()
        self.landlords.tally()


class BuildingImporter(KindImporter):
    models = (Building,)
    primary = Building

    def __init__(self, ctx: ImportContext):
        super().__init__(ctx)
        self.buildings = BuildingBook(ctx)

    def process(self, rows: list[Row]) -> None:
        placed = [row for row in rows if self.located(row)]
        self.buildings.prefetch(placed)
        entries = []
        for row in placed:
            if not self.first_time(
                row,
                self.buildings.key(row),
                "building.address",
                _("与第 %(row)s 行重复：同一网格内相同的地址。"),
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


class LandlordImporter(KindImporter):
    models = (Landlord,)
    primary = Landlord

    def __init__(self, ctx: ImportContext):
        super().__init__(ctx)
        self.landlords = LandlordBook(ctx)
        self.units = {u.name: u for u in Unit.objects.all()}

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        keyed = []
        for row in rows:
            ctx.resolve_grid(row, required=False)
            if "landlord.id_number" not in row.values:
                if "landlord.id_number" not in row.bad:
                    ctx.error(
                        row, "landlord.id_number", _("必须填写%(field)s。") % {"field": _("身份证号码")}
                    )
                continue
            keyed.append(row)
        self.landlords.prefetch(keyed)
        entries = []
        for row in keyed:
            if not self.first_time(
                row,
                row.get("landlord.id_number"),
                "landlord.id_number",
                _("与第 %(row)s 行的身份证号码重复。"),
            ):
                continue
            entry = self.landlords.entry_for(row)
            if not entry.writable:
                ctx.error(
                    row, "landlord.id_number", _("该身份证号码的房东登记在您的管辖范围以外，不能修改。")
                )
                continue
            if entry.new:
                ctx.require_values(row, ("landlord.name",))
            entry.bad |= row.bad
            self._apply(row, entry)
            entries.append((row, entry))
        self.landlords.validate_pending()
        for row, entry in entries:
            if entry.failed:
                row.ok = False
            if row.ok:
                ctx.tally.add(
                    "landlord", "created" if entry.new else "updated" if entry.changed else "unchanged"
                )
        if ctx.writing:
            self.landlords.flush()
            self.written.extend(e.obj.pk for _, e in entries if e.new or e.changed)

    def _apply(self, row: Row, entry: Entry) -> None:
        book, obj = self.landlords, entry.obj
        name = row.get("landlord.name")
        if name is not None:
            if entry.new:
                book.set_value(entry, row, "name", name)
            elif not same(obj.name, name):
                self.ctx.warn(
                    row,
                    "landlord.name",
                    _(
                        "该身份证号码已登记为「%(registered)s」，本行姓名「%(this)s」未采用；如确需更正请在房东页面修改。"
                    )
                    % {"registered": obj.name, "this": name},
                )
        for attr in ("mobile", "address", *FOUR_CATEGORY):
            if f"landlord.{attr}" in row.values:
                book.set_value(entry, row, attr, row.values[f"landlord.{attr}"])
        if row.grid is not None and obj.area_id != row.grid.pk:
            book.set_value(entry, row, "area", row.grid)
        unit_name = row.get("landlord.employer_unit")
        if unit_name:
            unit = self.units.get(unit_name)
            if unit is None:
                self.ctx.error(
                    row,
                    "landlord.employer_unit",
                    _("没有找到单位「%(unit)s」，请先登记该单位或检查名称。") % {"unit": unit_name},
                )
                entry.bad.add("landlord.employer_unit")
            elif obj.employer_unit_id != unit.pk:
                book.set_value(entry, row, "employer_unit", unit)


class RoomImporter(KindImporter):
    models = (Room,)
    primary = Room
    required_new = ("room.area_m2",)

    def __init__(self, ctx: ImportContext):
        super().__init__(ctx)
        self.premises = PremisesLocator(ctx)
        self.stored = RoomsOfPremises(ctx)
        # premises id → {room number: (area, row)} from the file; and the premises' floor area
        self.file_areas: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
        self.floor_area: dict[int, Decimal] = {}

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        placed = []
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
        create, update = [], []
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
                _("与第 %(row)s 行重复：同一出租户内相同的房间号。"),
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
            if total > area:
                last_row = max(r for _a, r in in_file.values())
                self.ctx.error(
                    last_row,
                    "room.area_m2",
                    _("各房间面积之和（%(total)s m²）超过出租户建筑面积（%(area)s m²）。")
                    % {"total": total, "area": area},
                )


class TenantHouseholdImporter(KindImporter):
    models = (TenantHousehold,)
    primary = TenantHousehold
    required_new = ("tenant.head_name",)

    def __init__(self, ctx: ImportContext):
        super().__init__(ctx)
        self.premises = PremisesLocator(ctx)
        self.stored_rooms = RoomsOfPremises(ctx)
        self.households: dict[int, dict[tuple[str, Any], TenantHousehold]] = {}

    def _prefetch_households(self, premises_ids: set[int]) -> None:
        missing = premises_ids - self.households.keys()
        if not missing:
            return
        for pk in missing:
            self.households[pk] = {}
        qs = TenantHousehold.objects.filter(premises_id__in=missing)
        if self.ctx.write:
            qs = qs.select_for_update()
        for household in qs:
            self.households[household.premises_id][(household.id_number, household.moved_in)] = household

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        placed = []
        for row in rows:
            if not self.located(row):
                continue
            if not ctx.require_values(row, ("tenant.id_number", "tenant.moved_in")):
                continue
            placed.append(row)
        self.premises.prefetch(placed)
        hits = {r.number: self.premises.find(r) for r in placed}
        premises_ids = {hit[0] for hit in hits.values() if hit}
        self._prefetch_households(premises_ids)
        # Rooms are needed for the room column and for TenantHousehold.clean on stored households.
        self.stored_rooms.prefetch(premises_ids)
        create, update = [], []
        for row in placed:
            hit = hits[row.number]
            if hit is None:
                continue
            premises_id = hit[0]
            id_number, moved_in = row.get("tenant.id_number"), row.get("tenant.moved_in")
            if not self.first_time(
                row,
                (premises_id, id_number, moved_in),
                "tenant.id_number",
                _("与第 %(row)s 行重复：同一出租户内相同身份证号码和入住日期的租户。"),
            ):
                continue
            room = None
            number = row.get("tenant.room")
            if number:
                room = self.stored_rooms.rooms[premises_id].get(number)
                if room is None:
                    ctx.error(
                        row,
                        "tenant.room",
                        _("该出租户没有登记房间「%(room)s」，请先导入房间。") % {"room": number},
                    )
                    row.bad.add("tenant.room")
            current = self.households[premises_id].get((id_number, moved_in))
            if current is None:
                ctx.require_values(row, self.required_new)
            base = {a: getattr(current, a) for a in TENANT_ATTRS} if current else {}
            if current is not None and current.room_id:
                base["room"] = self.stored_rooms.by_pk.get(current.room_id)
            given = {a: row.values[f"tenant.{a}"] for a in TENANT_ATTRS if f"tenant.{a}" in row.values}
            if room is not None:
                given["room"] = room
            candidate = TenantHousehold(
                premises_id=premises_id, id_number=id_number, moved_in=moved_in, **{**base, **given}
            )
            ctx.validate(candidate, row, "tenant", exclude=["premises", "room"], bad=row.bad)
            obj, outcome = self.upsert(
                current, candidate, row, TENANT_ATTRS, "tenant_household", extra=("room_id",)
            )
            if outcome == "created":
                create.append(obj)
            elif outcome == "updated":
                update.append(obj)
        self.save(create, update, [*TENANT_ATTRS, "room"])


IMPORTERS: dict[str, type[KindImporter]] = {
    "premises": PremisesImporter,
    "building": BuildingImporter,
    "landlord": LandlordImporter,
    "room": RoomImporter,
    "tenant_household": TenantHouseholdImporter,
}
