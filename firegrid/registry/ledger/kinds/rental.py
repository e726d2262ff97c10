"""出租房屋台账: one row of a community's rental ledger feeds every table — the building, the premises, the
landlord with the four-category flags and employer unit, and the premises' rooms let and residents — and
keeps every column no field holds with the premises (`Premises.ledger_extra`, {header: value}), so nothing
the community wrote is dropped. Idempotent like every kind: a second import of the same file changes
nothing."""

from __future__ import annotations

import re
from typing import Any

from firegrid.areas.models import Unit

from ..books import FOUR_CATEGORY, Entry
from ..importer import ImportContext, Row
from ..values import clean_text, is_blank
from .people import apply_employer_unit
from .premises import PremisesImporter

# Columns whose values are about the sheet, not the record (a serial number moves when rows are added).
_NOT_KEPT = re.compile(r"^(序号|编号|序|no\.?)$", re.I)
# Mapped figures kept with the premises as they are checked (the registry has no field for them).
KEPT_FIGURES = ("premises.room_count", "premises.residents")


class RentalLedgerImporter(PremisesImporter):
    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        self.units = {u.name: u for u in Unit.objects.all()}
        mapped = set(ctx.columns.values())
        self.kept = [
            (index, header)
            for index, header in enumerate(ctx.headers)
            if index not in mapped and header and not _NOT_KEPT.match(clean_text(header))
        ]
        self.figures = [(key, ctx.headers[ctx.columns[key]]) for key in KEPT_FIGURES if key in ctx.columns]

    def extra(self, row: Row) -> dict[str, object]:
        kept: dict[str, object] = {}
        for index, header in self.kept:
            value = row.raw[index] if index < len(row.raw) else None
            if not is_blank(value):
                kept[header] = clean_text(value)
        for key, header in self.figures:
            if key in row.values:
                kept[header] = row.values[key]
        return kept

    def link_landlord(self, row: Row, entry: Entry) -> None:
        """The premises columns' name and mobile, then the four-category flags and the employer unit."""
        super().link_landlord(row, entry)
        if not entry.new and not entry.writable:
            return  # linked, never changed (landlords.apply_inline warned)
        book, obj = self.landlords, entry.obj
        if "landlord.four_category" in row.values:
            flags = row.values["landlord.four_category"]
            for flag in FOUR_CATEGORY:
                book.set_value(entry, row, flag, flag in flags)
        apply_employer_unit(self.ctx, self.units, book, entry, row)
        if not row.get("landlord.employer_unit") and "landlord.employer_unit" in row.bad:
            entry.bad.add("landlord.employer_unit")
        # A four-category landlord whose unit the ledger does not give: the unit is to verify (待核实).
        unknown: set[Any] = set(obj.to_verify or [])
        if obj.is_four_category and obj.employer_unit_id is None:
            unknown.add("employer_unit")
        else:
            unknown.discard("employer_unit")
        if sorted(unknown) != list(obj.to_verify or []):
            obj.to_verify = sorted(unknown)
            book.mark(entry)
            if not entry.new:
                entry.changed = True
