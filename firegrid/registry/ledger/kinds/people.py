"""Landlord and tenant-household ledgers."""

from __future__ import annotations

from typing import Any

from firegrid.areas.models import Unit
from firegrid.core.models import Record
from firegrid.registry.models import Landlord, TenantHousehold

from ..books import (
    FOUR_CATEGORY,
    Entry,
    PremisesLocator,
    RoomsOfPremises,
    same,
)
from ..importer import ImportContext, Row
from ..landlords import LandlordBook, NameMobile, name_mobile, shown
from ..messages import deferred as _  # stored by the job, translated when shown
from .base import TENANT_ATTRS, KindImporter


def apply_employer_unit(
    ctx: ImportContext, units: dict[str, Unit], book: LandlordBook, entry: Entry, row: Row
) -> None:
    """The row's 工作单位 on its landlord: a registered unit by name, else an error on the row."""
    unit_name = row.get("landlord.employer_unit")
    if not unit_name:
        return
    unit = units.get(unit_name)
    if unit is None:
        ctx.error(
            row,
            "landlord.employer_unit",
            _("没有找到单位「%(unit)s」，请先登记该单位或检查名称。") % {"unit": unit_name},
        )
        entry.bad.add("landlord.employer_unit")
    elif entry.obj.employer_unit_id != unit.pk:
        book.set_value(entry, row, "employer_unit", unit)


class LandlordImporter(KindImporter):
    models = (Landlord,)
    primary = Landlord

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.landlords = LandlordBook(ctx)
        self.units = {u.name: u for u in Unit.objects.all()}
        # name and mobile → (first row with them, whether that row gave an ID number)
        self.pairs_seen: dict[NameMobile, tuple[int, bool]] = {}

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        keyed: list[Row] = []
        for row in rows:
            ctx.resolve_grid(row, required=False)
            if self.landlords.keyed(row):  # by ID number, or by name and mobile
                keyed.append(row)
        self.landlords.prefetch(keyed)
        entries: list[tuple[Row, Entry]] = []
        for row in keyed:
            if not self._first_time(row):
                continue
            entry = self.landlords.entry_for(row)
            if entry is None or self.landlords.refuse_hidden(row, entry):
                continue
            if self.landlords.refuse_unwritable(row, entry):
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

    def _first_time(self, row: Row) -> bool:
        """Each landlord once in a landlord ledger. The same ID number twice is a duplicate; so is a name
        and mobile a row without an ID number shares with an earlier row (that row's landlord, by the key),
        or a row with one shares with an earlier row without (the same landlord, its ID number given)."""
        id_number, pair = row.get("landlord.id_number"), name_mobile(row)
        if id_number and not self.first_time(
            row,
            id_number,
            "landlord.id_number",
            _("身份证号码「%(key)s」与第 %(row)s 行重复。"),
            id_number,
        ):
            return False
        if pair is None:
            return True
        first = self.pairs_seen.get(pair)
        if first is not None and not (id_number and first[1]):
            self.ctx.error(
                row,
                "landlord.mobile",
                _("姓名和手机号码「%(key)s」与第 %(row)s 行重复。") % {"row": first[0], "key": shown(pair)},
            )
            return False
        self.pairs_seen.setdefault(pair, (row.number, bool(id_number)))
        return True

    def _apply(self, row: Row, entry: Entry) -> None:
        book, obj = self.landlords, entry.obj
        book.fill_id_number(row, entry)
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
        apply_employer_unit(self.ctx, self.units, book, entry, row)
        book.index(entry)


class TenantHouseholdImporter(KindImporter):
    models = (TenantHousehold,)
    primary = TenantHousehold
    required_new = ("tenant.head_name",)

    def __init__(self, ctx: ImportContext) -> None:
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
        placed: list[Row] = []
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
        create: list[Record] = []
        update: list[Record] = []
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
                _("与第 %(row)s 行重复：同一出租户内相同身份证号码和入住日期的租户（%(key)s）。"),
                f"{id_number} {moved_in}",
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
            if obj is None:
                continue
            if outcome == "created":
                create.append(obj)
            elif outcome == "updated":
                update.append(obj)
        self.save(create, update, [*TENANT_ATTRS, "room"])
