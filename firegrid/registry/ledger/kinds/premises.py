"""A premises ledger row: registers its building and landlord inline, then the premises."""

from __future__ import annotations

import itertools

from django.db.models import Count, Sum

from firegrid.registry.choices import BUSINESS_KINDS
from firegrid.registry.models import Building, Landlord, Premises, Room

from ..books import (
    WHOLE_BUILDING,
    BuildingBook,
    Entry,
    same,
)
from ..importer import ImportContext, Row
from ..landlords import LandlordBook
from ..messages import deferred as _  # stored by the job, translated when shown
from .base import PREMISES_ATTRS, KindImporter


class PremisesImporter(KindImporter):
    """A premises ledger row registers its building and landlord too (the common community sheet)."""

    models = (Building, Landlord, Premises)
    primary = Premises
    # Only what identifies a premises is required (its address, its landlord); what the ledger lacks
    # (建筑面积, a shop's name) is registered as to verify (待核实, `Premises.to_verify`).
    required_new: tuple[str, ...] = ()

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.buildings = BuildingBook(ctx, auto_floors=True)
        self.landlords = LandlordBook(ctx)
        if "building.floors" not in ctx.columns:
            ctx.notes.append(_("台账没有“层数”列：新登记的建筑按其各户所在的最高楼层登记层数（至少1层）。"))

    def process(self, rows: list[Row]) -> None:
        ctx = self.ctx
        placed: list[Row] = []
        for row in rows:
            has_place = self.located(row)
            if not self.landlords.keyed(row):  # by ID number, or by name and mobile
                has_place = False
            if has_place:
                placed.append(row)
        self.buildings.prefetch(placed)
        self.landlords.prefetch(placed)
        linked: list[Row] = []
        for row in placed:
            landlord = self.landlords.entry_for(row)
            if landlord is None or self.landlords.refuse_hidden(row, landlord):
                continue
            label = row.get("premises.unit_label") or WHOLE_BUILDING
            row.values["premises.unit_label"] = label
            building = self.buildings.entry_for(row)
            self.buildings.apply(row, building)
            floor_from, floor_to = self._floors(row)
            self.buildings.need_floors(building, floor_to if isinstance(floor_to, int) else floor_from)
            if landlord.new and landlord.first_row == row.number:
                ctx.require_values(row, ("landlord.name",))
                landlord.bad |= row.bad
            self.link_landlord(row, landlord)
            row.refs = (building, landlord)
            linked.append(row)
        self.buildings.validate_pending()
        self.landlords.validate_pending()
        self._premises(linked)

    def link_landlord(self, row: Row, entry: Entry) -> None:
        """The landlord columns a premises row carries (name, mobile); the rental ledger adds more."""
        self.landlords.apply_inline(row, entry)

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
        create: list[tuple[Premises, Entry, Entry]] = []
        update: list[tuple[Premises, Entry, Entry]] = []
        area_changed: list[tuple[Row, Premises]] = []
        for row in rows:
            building, landlord = row.refs
            label = row.values["premises.unit_label"]
            if not self.first_time(
                row,
                (row.placed_grid.pk, row.get("building.address"), label),
                "premises.unit_label" if "premises.unit_label" in ctx.columns else "building.address",
                _("与第 %(row)s 行重复：同一建筑内相同的门牌/户号（%(key)s）。"),
                f"{row.get('building.address')} {label}",
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
            values["to_verify"] = self._to_verify(values)
            extra = self.extra(row)
            if extra:
                values["ledger_extra"] = {**(values.get("ledger_extra") or {}), **extra}
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
            if obj is None:
                continue
            building.counted = landlord.counted = True
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

    @staticmethod
    def _to_verify(values: dict[str, object]) -> list[str]:
        """Fields still unknown after this row: those it flagged before and those neither the record nor
        the ledger gives (Premises.clean takes out the ones that now have a value)."""
        names = set(values.get("to_verify") or [])  # type: ignore[call-overload]
        if values.get("floor_area_m2") is None:
            names.add("floor_area_m2")
        if values.get("kind") in BUSINESS_KINDS and not values.get("business_name"):
            names.add("business_name")
        return sorted(names)

    def extra(self, row: Row) -> dict[str, object]:
        """The ledger's columns no field holds, {header: value} (the rental ledger keeps them)."""
        return {}

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
            if obj.floor_area_m2 is not None and rooms_total > obj.floor_area_m2:
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
