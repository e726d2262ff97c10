"""The landlords of one import run, by natural key. A landlord is known by its ID number, or — a community's
ledger often has none — by name and mobile:

- a row with an ID number names the landlord registered (or earlier in the file) with it; failing that,
  the one landlord with the row's name and mobile and no ID number yet, whose ID number the row then fills
  in (its 待核实 flag for the ID number drops: `drop_verified`); failing that, a new landlord;
- a row without one names the one landlord with its name and mobile, with or without an ID number;
  failing that, a new landlord, registered 待核实 with `id_number` to verify.

Two landlords with the same name and mobile make such a row ambiguous (an error asking for the ID number).
A landlord the importer may not see is never linked nor changed, whichever key found it."""

from __future__ import annotations

from django.db.models import QuerySet

from firegrid.core.permissions import Action
from firegrid.registry.models import OUTSIDE_SCOPE_ID_NUMBER, OUTSIDE_SCOPE_NAME_MOBILE, Landlord

from .books import FOUR_CATEGORY, Book, Entry, same
from .importer import ImportContext, Row, field_label
from .messages import deferred as _  # stored by the job, translated when shown

NameMobile = tuple[str, str]

ID_NUMBER_OR_MOBILE = _("必须填写房东身份证号码或手机号码。")


def name_mobile(row: Row) -> NameMobile | None:
    name, mobile = row.get("landlord.name"), row.get("landlord.mobile")
    return (name, mobile) if name and mobile else None


def shown(pair: NameMobile) -> str:
    """The key as the ledger wrote it, in a message to the importer (who typed it)."""
    return f"{pair[0]} {pair[1]}"


class LandlordBook(Book):
    model = Landlord
    target = "landlord"
    attrs = ("name", "id_number", "mobile", "address", "area", *FOUR_CATEGORY, "employer_unit", "to_verify")
    exclude = ["area", "employer_unit"]

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        # `entries` holds each entry once (by its id()); these find them by key.
        self.by_id: dict[str, Entry] = {}
        self.by_name_mobile: dict[NameMobile, list[Entry]] = {}
        self.by_pk: dict[int, Entry] = {}  # registered landlords: one entry each, however found
        self.asked_ids: set[str] = set()
        self.asked_pairs: set[NameMobile] = set()

    # --- keys -------------------------------------------------------------------------------------------

    def keyed(self, row: Row) -> bool:
        """The row names its landlord (ID number, or name and mobile); else one error saying what is missing.
        A cell already reported as unreadable is not reported again."""
        values, bad = row.values, row.bad
        if "landlord.id_number" in values:
            return True
        if "landlord.id_number" in bad or "landlord.mobile" in bad:
            return False
        if "landlord.mobile" not in values:
            column = "landlord.id_number" if "landlord.id_number" in self.ctx.columns else "landlord.mobile"
            self.ctx.error(row, column, ID_NUMBER_OR_MOBILE)
            return False
        return self.ctx.require_values(row, ("landlord.name",))

    @staticmethod
    def has_id(entry: Entry) -> bool:
        return bool(entry.obj.id_number) if entry.obj is not None else entry.hidden_with_id

    def found_by_id(self, row: Row, entry: Entry) -> bool:
        """Whether the row's ID number is the landlord's (else the row found it by name and mobile)."""
        id_number = row.get("landlord.id_number")
        if not id_number:
            return False
        if entry.obj is None:
            return self.by_id.get(id_number) is entry
        return bool(entry.obj.id_number == id_number)

    def index(self, entry: Entry) -> None:
        """Find the entry by its current ID number and name and mobile too (a row may have given them)."""
        obj = entry.obj
        if obj.id_number:
            self.by_id.setdefault(obj.id_number, entry)
        if obj.name and obj.mobile:
            found = self.by_name_mobile.setdefault((obj.name, obj.mobile), [])
            if entry not in found:
                found.append(entry)

    # --- registered landlords ---------------------------------------------------------------------------

    def prefetch(self, rows: list[Row]) -> None:
        ids = {i for r in rows if (i := r.get("landlord.id_number"))} - self.asked_ids
        self.asked_ids |= ids
        found = list(self._locked(Landlord.objects.filter(id_number__in=ids))) if ids else []
        known = {landlord.id_number for landlord in found} | self.by_id.keys()
        # Name and mobile of rows without an ID number, or whose ID number is registered to no one.
        pairs = {
            pair for r in rows if (pair := name_mobile(r)) and r.get("landlord.id_number") not in known
        } - self.asked_pairs
        self.asked_pairs |= pairs
        if pairs:
            qs = Landlord.objects.filter(mobile__in={mobile for _name, mobile in pairs})
            found += [landlord for landlord in self._locked(qs) if (landlord.name, landlord.mobile) in pairs]
        self._register(found)

    def _locked(self, qs: QuerySet[Landlord]) -> QuerySet[Landlord]:
        return qs.select_for_update() if self.ctx.write else qs

    def _register(self, found: list[Landlord]) -> None:
        landlords = {landlord.pk: landlord for landlord in found if landlord.pk not in self.by_pk}
        if not landlords:
            return
        actor = self.ctx.actor
        visible = set(
            Landlord.objects.visible_to(actor).filter(pk__in=landlords).values_list("pk", flat=True)
        )
        writable = set(
            Landlord.objects.visible_to(actor, Action.CHANGE)
            .filter(pk__in=visible)
            .values_list("pk", flat=True)
        )
        for landlord in landlords.values():
            if landlord.pk in visible:
                entry = Entry(landlord, new=False, first_row=0, writable=landlord.pk in writable)
            else:
                # Only its keys are kept: nothing of the person may reach the report.
                entry = Entry(
                    None,
                    new=False,
                    first_row=0,
                    writable=False,
                    hidden=True,
                    hidden_with_id=bool(landlord.id_number),
                )
            self.entries[id(entry)] = entry
            self.by_pk[landlord.pk] = entry
            if landlord.id_number:
                self.by_id[landlord.id_number] = entry
            if landlord.mobile:
                self.by_name_mobile.setdefault((landlord.name, landlord.mobile), []).append(entry)

    def flush(self) -> None:
        created = [e for e in self.unwritten.values() if e.new and not e.written]
        super().flush()
        # A later chunk's query by name and mobile finds these again: the same entry, not a second one.
        for entry in created:
            if entry.written and entry.obj.pk is not None:
                self.by_pk[entry.obj.pk] = entry

    # --- the landlord a row names -----------------------------------------------------------------------

    def entry_for(self, row: Row) -> Entry | None:
        """The row's landlord (a new one when none is found); None, with an error on the row, when its name
        and mobile fit several. Call `keyed` (and `prefetch`) first."""
        id_number = row.get("landlord.id_number")
        pair = name_mobile(row)
        if id_number:
            entry = self.by_id.get(id_number)
            if entry is None and pair is not None:
                without_id = [e for e in self.by_name_mobile.get(pair, []) if not self.has_id(e)]
                if len(without_id) > 1:
                    self._ambiguous(row, pair)
                    return None
                if without_id:
                    entry = without_id[0]
                    if not entry.hidden:
                        self.by_id[id_number] = entry  # its later rows find it by the ID number
            if entry is None:
                entry = self._new(row, Landlord(id_number=id_number, name="", area=row.grid))
            return entry
        assert pair is not None  # keyed: a row without an ID number has a name and a mobile
        candidates = self.by_name_mobile.get(pair, [])
        if len(candidates) > 1:
            self._ambiguous(row, pair)
            return None
        if candidates:
            return candidates[0]
        # Known by name and mobile only: the ID number is to verify at the next visit (待核实).
        landlord = Landlord(name=pair[0], mobile=pair[1], area=row.grid, to_verify=["id_number"])
        return self._new(row, landlord)

    def _new(self, row: Row, landlord: Landlord) -> Entry:
        entry = self.add(id(landlord), Entry(landlord, new=True, first_row=row.number))
        self.index(entry)
        return entry

    def _ambiguous(self, row: Row, pair: NameMobile) -> None:
        self.ctx.error(
            row,
            "landlord.mobile",
            _("姓名和手机号码「%(key)s」对应多位已登记的房东，请填写身份证号码以区分。")
            % {"key": shown(pair)},
        )

    def refuse_hidden(self, row: Row, entry: Entry) -> bool:
        """True (and an error on the row) when the row names a landlord the importer may not see.
        Linking one would open the record to the importer; saying "registered" or "exists" would
        tell an outsider that the person is a landlord. The message says neither who nor where."""
        if entry.hidden:
            if self.found_by_id(row, entry):
                self.ctx.error(row, "landlord.id_number", OUTSIDE_SCOPE_ID_NUMBER)
            else:
                self.ctx.error(row, "landlord.mobile", OUTSIDE_SCOPE_NAME_MOBILE)
        return entry.hidden

    def refuse_unwritable(self, row: Row, entry: Entry) -> bool:
        """A landlord ledger row changes its landlord: one the importer may see but not change is an error."""
        if entry.new or entry.writable:
            return False
        if self.found_by_id(row, entry):
            self.ctx.error(
                row, "landlord.id_number", _("该身份证号码的房东登记在您的管辖范围以外，不能修改。")
            )
        else:
            self.ctx.error(row, "landlord.mobile", _("该房东登记在您的管辖范围以外，不能修改。"))
        return True

    def fill_id_number(self, row: Row, entry: Entry) -> None:
        """A row that found its landlord by name and mobile gives the ID number it lacked."""
        id_number = row.get("landlord.id_number")
        if id_number and not entry.obj.id_number:
            self.set_value(entry, row, "id_number", id_number)

    def tally(self) -> None:
        for entry in self.entries.values():
            if entry.counted and not entry.hidden:
                outcome = "created" if entry.new else "updated" if entry.changed else "unchanged"
                self.ctx.tally.add(self.target, outcome)

    def apply_inline(self, row: Row, entry: Entry) -> None:
        """Landlord columns on a premises row: name and mobile (and the ID number it may fill in). The
        registered name wins over a different one in the ledger (a warning); a landlord the user may see
        but not change is linked, never changed (one the user may not see is never linked:
        `refuse_hidden`)."""
        given = {a: row.values[f"landlord.{a}"] for a in ("name", "mobile") if f"landlord.{a}" in row.values}
        obj = entry.obj
        if not entry.new and not entry.writable:
            fills_id = bool(row.get("landlord.id_number")) and not obj.id_number
            differs = any(not same(getattr(obj, a), v) for a, v in given.items())
            if (differs or fills_id) and not entry.warned:
                entry.warned = True
                if self.found_by_id(row, entry):
                    self.ctx.warn(
                        row,
                        "landlord.id_number",
                        _("该身份证号码的房东登记在您的管辖范围以外，本行的房东姓名和电话不会更新。"),
                    )
                else:
                    self.ctx.warn(
                        row,
                        "landlord.mobile",
                        _("该房东登记在您的管辖范围以外，本行的房东信息不会更新。"),
                    )
            return
        self.fill_id_number(row, entry)
        for attr, value in given.items():
            first = entry.set_by.get(attr)
            if first is not None and first != row.number and not same(getattr(obj, attr), value):
                label = field_label(Landlord, attr)
                self.ctx.warn(
                    row,
                    f"landlord.{attr}",
                    _(
                        "同一身份证号码在第 %(row)s 行的%(field)s是「%(first)s」，本行是「%(this)s」，以第 %(row)s 行为准。"
                    )
                    % {"row": first, "field": label, "first": getattr(obj, attr), "this": value},
                )
                continue
            if attr == "name" and not entry.new and not same(obj.name, value):
                entry.set_by[attr] = row.number
                self.ctx.warn(
                    row,
                    "landlord.name",
                    _(
                        "该身份证号码已登记为「%(registered)s」，本行姓名「%(this)s」未采用；如确需更正请在房东页面修改。"
                    )
                    % {"registered": obj.name, "this": value},
                )
                continue
            self.set_value(entry, row, attr, value)
        for key in ("landlord.name", "landlord.mobile"):
            if key in row.bad:
                entry.bad.add(key)
        self.index(entry)
