"""Value mapping of a ledger import (取值对应): a community's own words for its areas and choices mapped to the
system's values — proposals, the distinct values of a sheet's columns, and the map applied to each row."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User

from .fields import fields_for
from .reading import LedgerFile, is_non_data_row
from .values import CellError, clean_text, is_blank, to_bool

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob


# --- value mapping: a ledger's own words for areas and choices → the system's values ---------------------
#
# After the columns are mapped, the distinct values of the area columns (community and grid, read together)
# and of every choice column are shown with a proposal; the officer confirms or picks, and the value map is
# kept in ImportJob.mapping["values"] = {field key or AREA: {sheet value: system value}}, saved with the
# mapping when they choose to. The importer applies it to each raw row before converting cells
# (`ValueMap.apply`). An area's system value is its code (names change, codes do not); a choice's is its
# stored value, a yes/no column's "是"/"否" (what the cell converters read).

AREA = "area"  # the value-map entry of the area columns: "community / grid" (or just one of them) → code
AREA_SEPARATOR = " / "
VALUE_LIMIT = 200  # distinct values listed per column: area columns have few; a wrongly chosen column many
FUZZY_FLOOR = 0.6  # difflib ratio under which a fuzzy match is no proposal at all
MATCH_RANK = {"saved": 4, "exact": 3, "normalised": 2, "fuzzy": 1, "none": 0}

_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十]+")
_COMMUNITY_SUFFIXES = re.compile(r"(社区居委会|社区居民委员会|居委会|村委会|村民委员会|社区|行政村|村)$")
_NAME_NOISE = re.compile(r"[\s()（）\[\]【】·.,，。、_\-—/]")


def _numeral_value(text: str) -> str:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (grid and building numbers stay under a hundred)."""
    if "十" not in text:
        return "".join(str(_DIGIT[ch]) for ch in text)
    tens, _sep, units = text.partition("十")
    value = (_DIGIT.get(tens[-1], 1) if tens else 1) * 10 + (_DIGIT.get(units[0], 0) if units else 0)
    return str(value)


def normalise_area_name(text: str, *, prefix: str = "") -> str:
    """A name reduced for matching: half-width, no spaces or brackets, Chinese numerals as digits, no 第,
    no 社区/村 suffix, no 网格 anywhere ("网格1", "第一网格", "1网格" all → "1"). `prefix` (a community's
    own reduced name) is dropped from the start, so 樟树潭一网格 in 樟树潭社区 is also "1"."""
    key = unicodedata.normalize("NFKC", clean_text(text)).lower()
    key = _NAME_NOISE.sub("", key)
    key = _COMMUNITY_SUFFIXES.sub("", key) or key
    key = key.replace("网格", "").replace("第", "").replace("号", "")
    key = _NUMERAL.sub(lambda m: _numeral_value(m.group(0)), key)
    if prefix and key.startswith(prefix) and key != prefix:
        key = key[len(prefix) :]
    return key


def name_match(sheet: str, name: str, *, prefix: str = "", code: str = "") -> tuple[str, int]:
    """("exact" | "normalised" | "fuzzy" | "none", score 0–100) of a sheet's value against a system name."""
    text = clean_text(sheet)
    if not text:
        return "none", 0
    if text == clean_text(name) or (code and text == code):
        return "exact", 100
    mine = normalise_area_name(text)
    theirs = {normalise_area_name(name), normalise_area_name(name, prefix=prefix)}
    if mine and mine in theirs:
        return "normalised", 100
    if prefix:
        mine_short = normalise_area_name(text, prefix=prefix)
        if mine_short and mine_short in theirs:
            return "normalised", 100
    ratio = max((difflib.SequenceMatcher(None, mine, t).ratio() for t in theirs if t), default=0.0)
    if ratio >= FUZZY_FLOOR:
        return "fuzzy", round(ratio * 100)
    return "none", 0


def area_key(community: object, grid: object) -> str:
    """The value-map key of a row's area cells: "樟潭社区 / 网格1", or the one that is filled."""
    c, g = clean_text(community), clean_text(grid)
    return f"{c}{AREA_SEPARATOR}{g}" if c and g else (c or g)


def split_area_key(key: str, *, community_mapped: bool, grid_mapped: bool) -> tuple[str, str]:
    if community_mapped and grid_mapped and AREA_SEPARATOR in key:
        c, _sep, g = key.partition(AREA_SEPARATOR)
        return c, g
    if grid_mapped and not community_mapped:
        return "", key
    if community_mapped and not grid_mapped:
        return key, ""
    # Both mapped, one cell filled: a grid number never looks like a community name ending in 社区/村,
    # but either may stand alone; try it as both (`propose_area_value` does).
    return key, key


@dataclass(frozen=True)
class AreaTarget:
    """A community or grid a sheet's area value may be mapped to."""

    pk: int
    code: str
    name: str
    level: str  # AreaLevel.COMMUNITY or GRID
    community: str  # the grid's community name ("" for a community)
    in_scope: bool

    @property
    def label(self) -> str:
        return f"{self.community} {self.name}" if self.community else self.name


def area_targets(user: User) -> list[AreaTarget]:
    """Every community and grid (proposals may name an area outside the user's scope, so that its rows are
    reported as such), each marked in or out of the user's scope. A community is in scope when one of its
    grids is (a grid worker's rows of their community land in their grid)."""
    scope = None if user.scope_grid_ids is None else set(user.scope_grid_ids)
    rows = list(
        Area.objects.filter(level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID])
        .order_by("path")
        .values_list("pk", "code", "name", "level", "parent_id", "parent__name")
    )
    communities_in_scope = {
        parent
        for pk, _c, _n, level, parent, _p in rows
        if level == AreaLevel.GRID and (scope is None or pk in scope)
    }
    targets = []
    for pk, code, name, level, _parent_id, parent_name in rows:
        if level == AreaLevel.GRID:
            targets.append(AreaTarget(pk, code, name, level, parent_name or "", scope is None or pk in scope))
        else:
            targets.append(AreaTarget(pk, code, name, level, "", pk in communities_in_scope))
    return targets


@dataclass
class ValueProposal:
    """One distinct value of a column, how many rows hold it, and what the system proposes for it."""

    value: str
    count: int
    target: str = ""  # the system value (an area code, a choice's stored value), "" for none
    match: str = "none"  # saved / exact / normalised / fuzzy / none
    score: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "count": self.count,
            "target": self.target,
            "match": self.match,
            "score": self.score,
        }


def _best(scored: list[tuple[str, int, bool, str]]) -> tuple[str, str, int]:
    """(target, match, score) of the best (match, score, in scope, target) candidate; a tie between two
    different targets at the top is no proposal (网格1 in two communities, no community column)."""
    scored = [s for s in scored if s[0] != "none"]
    if not scored:
        return "", "none", 0
    scored.sort(key=lambda s: (MATCH_RANK[s[0]], s[1], s[2]), reverse=True)
    top = scored[0]
    if len(scored) > 1 and (MATCH_RANK[scored[1][0]], scored[1][1], scored[1][2]) == (
        MATCH_RANK[top[0]],
        top[1],
        top[2],
    ):
        return "", "none", 0
    return top[3], top[0], top[1]


def _worse(a: tuple[str, int], b: tuple[str, int]) -> tuple[str, int]:
    kind = min(a[0], b[0], key=MATCH_RANK.__getitem__)
    return kind, min(a[1], b[1])


def propose_area_value(
    key: str, targets: list[AreaTarget], *, community_mapped: bool, grid_mapped: bool
) -> tuple[str, str, int]:
    """(area code, match, score) for one area value of the sheet."""
    community, grid = split_area_key(key, community_mapped=community_mapped, grid_mapped=grid_mapped)
    alone = community == grid  # one cell of two mapped columns filled: try it as either
    scored: list[tuple[str, int, bool, str]] = []
    community_keys = {}
    for t in targets:
        if t.level == AreaLevel.COMMUNITY:
            community_keys[t.name] = normalise_area_name(t.name)
    for t in targets:
        if t.level == AreaLevel.GRID and grid_mapped and grid:
            prefix = community_keys.get(t.community, "")
            grid_score = name_match(grid, t.name, prefix=prefix, code=t.code)
            if community and not alone:
                grid_score = _worse(grid_score, name_match(community, t.community))
            scored.append((*grid_score, t.in_scope, t.code))
        elif t.level == AreaLevel.COMMUNITY and community_mapped and community and (alone or not grid):
            # A community only for a row without a grid (a pair names its grid, not the community).
            scored.append((*name_match(community, t.name, code=t.code), t.in_scope, t.code))
    return _best(scored)


# --- choice columns ----------------------------------------------------------------------------------------


def _target_model(target: str) -> type[Model] | None:
    from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

    return {
        "building": Building,
        "premises": Premises,
        "landlord": Landlord,
        "room": Room,
        "tenant": TenantHousehold,
    }.get(target)


def choice_options(kind: str, key: str) -> list[tuple[str, str]]:
    """(system value, label) of a choice column (a TextChoices field, or a yes/no one); [] otherwise."""
    f = fields_for(kind).get(key)
    if f is None:
        return []
    if f.convert is to_bool:
        return [("是", str(_("是"))), ("否", str(_("否")))]
    model = _target_model(f.target)
    if model is None:
        return []
    try:
        model_field = model._meta.get_field(f.attr)
    except Exception:  # not a model field (premises.floors is a range): not a choice column
        return []
    choices = getattr(model_field, "choices", None)
    if not choices:
        return []
    return [(str(value), str(label)) for value, label in choices]


def propose_choice_value(
    kind: str, key: str, value: str, options: list[tuple[str, str]]
) -> tuple[str, str, int]:
    """(system value, match, score): the label or value itself (exact), what the column's converter
    already reads (√ → 是, 砖混结构 → brick_concrete: normalised), else the closest label (fuzzy)."""
    text = clean_text(value)
    for option, label in options:
        if text == label or text.lower() == option.lower():
            return option, "exact", 100
    try:
        converted = fields_for(kind)[key].convert(text)
    except CellError:
        converted = None
    if converted is not None:
        wanted = ("是" if converted else "否") if isinstance(converted, bool) else str(converted)
        if any(option == wanted for option, _label in options):
            return wanted, "normalised", 100
    scored = [
        ("fuzzy", round(r * 100), True, option)
        for option, label in options
        if (r := difflib.SequenceMatcher(None, text, label).ratio()) >= FUZZY_FLOOR
    ]
    return _best(scored)


def value_columns(kind: str, columns: dict[str, int]) -> list[str]:
    """The value-map entries a mapping has: AREA when a community or grid column is mapped, then every
    mapped choice column (field key → column index given)."""
    entries = [AREA] if ("grid" in columns or "community" in columns) else []
    entries += [key for key in columns if key not in ("grid", "community") and choice_options(kind, key)]
    return entries


@dataclass
class DistinctValues:
    counts: dict[str, int]  # value → rows, in order of first appearance
    truncated: bool = False  # more than VALUE_LIMIT distinct values: the rest are not listed


def distinct_values(ledger: LedgerFile, job: ImportJob, columns: dict[str, int]) -> dict[str, DistinctValues]:
    """The distinct values of every value-map entry, with their row counts, in one pass of the sheet."""
    entries = value_columns(job.kind, columns)
    found = {entry: DistinctValues({}) for entry in entries}
    first = job.header_row + job.header_rows
    community, grid = columns.get("community"), columns.get("grid")
    choice_columns = [(entry, columns[entry]) for entry in entries if entry != AREA]
    rows = ledger.rows(job.sheet_name)
    try:
        for number, values in rows:
            if number < first or is_non_data_row(values):
                continue
            width = len(values)
            if AREA in found:
                key = area_key(
                    values[community] if community is not None and community < width else None,
                    values[grid] if grid is not None and grid < width else None,
                )
                if key:
                    _count(found[AREA], key)
            for entry, index in choice_columns:
                if index < width and not is_blank(values[index]):
                    _count(found[entry], clean_text(values[index]))
    finally:
        rows.close()
    return found


def _count(distinct: DistinctValues, value: str) -> None:
    if value in distinct.counts:
        distinct.counts[value] += 1
    elif len(distinct.counts) < VALUE_LIMIT:
        distinct.counts[value] = 1
    else:
        distinct.truncated = True


def propose_values(
    job: ImportJob,
    user: User,
    columns: dict[str, int],
    distinct: dict[str, DistinctValues],
    saved: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[ValueProposal]]:
    """A proposal per distinct value: the saved map's value first (re-offered), else exact, normalised,
    fuzzy or none. Area proposals may name an area outside the user's scope: its rows will be errors."""
    saved = saved or {}
    proposals: dict[str, list[ValueProposal]] = {}
    targets = area_targets(user) if AREA in distinct else []
    known_codes = {t.code for t in targets}
    for entry, found in distinct.items():
        listed = []
        options = [] if entry == AREA else choice_options(job.kind, entry)
        option_values = {o for o, _label in options}
        remembered = saved.get(entry) or {}
        for value, count in found.counts.items():
            proposal = ValueProposal(value, count)
            target = remembered.get(value)
            if target and (target in known_codes if entry == AREA else target in option_values):
                proposal.target, proposal.match, proposal.score = target, "saved", 100
            elif entry == AREA:
                proposal.target, proposal.match, proposal.score = propose_area_value(
                    value, targets, community_mapped="community" in columns, grid_mapped="grid" in columns
                )
            else:
                proposal.target, proposal.match, proposal.score = propose_choice_value(
                    job.kind, entry, value, options
                )
            listed.append(proposal)
        proposals[entry] = listed
    return proposals


# --- applying a value map -----------------------------------------------------------------------------------


class ValueMap:
    """A job's value map, applied by the importer to each raw row before its cells are converted: a
    choice cell becomes the system value the converter reads, the area cells the system's community and
    grid names (the grid's code when there is no community column). Values not in the map pass as they are."""

    def __init__(self, mapping: dict, columns: dict[str, int]) -> None:
        values = (mapping or {}).get("values") or {}
        self.choices = [
            (columns[key], table)
            for key, table in values.items()
            if key != AREA and key in columns and isinstance(table, dict) and table
        ]
        area_mapped = "grid" in columns or "community" in columns
        self.area: dict[str, str] = (values.get(AREA) or {}) if area_mapped else {}
        self.community, self.grid = columns.get("community"), columns.get("grid")
        self.areas: dict[str, tuple[str, str, str]] = {}  # code → (level, name, community name)
        self.unique_names: set[str] = set()
        if self.area:
            for code, name, level, parent in Area.objects.filter(
                code__in=set(self.area.values())
            ).values_list("code", "name", "level", "parent__name"):
                self.areas[code] = (level, name, parent or "")
            # Without a community column a grid is written by name when no other grid has it (its
            # messages then name it as the officer knows it), else by code.
            names = [name for level, name, _c in self.areas.values() if level == AreaLevel.GRID]
            shared = Counter(
                Area.objects.filter(level=AreaLevel.GRID, name__in=names).values_list("name", flat=True)
            )
            self.unique_names = {name for name in names if shared[name] == 1}
        self.active = bool(self.choices or self.area)

    def apply(self, values: list) -> list:
        if not self.active:
            return values
        out = list(values)
        needed = max(
            [i for i, _t in self.choices] + [i for i in (self.community, self.grid) if i is not None]
        )
        if len(out) <= needed:
            out.extend([None] * (needed + 1 - len(out)))
        for index, table in self.choices:
            if not is_blank(out[index]):
                mapped = table.get(clean_text(out[index]))
                if mapped is not None:
                    out[index] = mapped
        if self.area:
            key = area_key(
                out[self.community] if self.community is not None else None,
                out[self.grid] if self.grid is not None else None,
            )
            area = self.areas.get(self.area.get(key, "")) if key else None
            if area is not None:
                self._place(out, self.area[key], *area)
        return out

    def _place(self, out: list, code: str, level: str, name: str, community: str) -> None:
        if level == AreaLevel.GRID and self.grid is not None:
            if self.community is not None:
                out[self.community], out[self.grid] = community, name
            else:
                out[self.grid] = name if name in self.unique_names else code
        elif level == AreaLevel.COMMUNITY and self.community is not None:
            out[self.community] = name
            if self.grid is not None:
                out[self.grid] = None


def apply_value_map(mapping: dict, field_key: str, value: str) -> str:
    """One cell's system value under a job's mapping (the sheet's value when it is not mapped)."""
    return ((mapping or {}).get("values") or {}).get(field_key, {}).get(clean_text(value), value)
