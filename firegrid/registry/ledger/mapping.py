"""Finding the header row of a community's own sheet and proposing which Firegrid field each column is:
by header name (a table of synonyms per kind), then by sample values (an 18-character ID, an 11-digit
mobile), and first of all by a mapping a user confirmed earlier for a sheet with the same header."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.core.masking import mask_id_number, mask_mobile

from .fields import KIND_FIELDS, fields_for
from .reading import HEADER_SEARCH_ROWS, LedgerFile, LedgerFileError, is_non_data_row, is_title_row
from .values import FORMULA_WITHOUT_VALUE, CellError, clean_text, header_key, is_blank, to_bool

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob, LedgerMapping

SAMPLE_ROWS = 20  # data rows read for value sniffing; the first SHOWN_SAMPLES are shown to the user
SHOWN_SAMPLES = 3
EXACT, CONTAINS = 100, 10
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")


@dataclass
class SheetPreview:
    """The header of one sheet and a few rows under it: what the mapping page shows."""

    sheet: str
    header_row: int  # as Excel numbers it
    header_rows: int  # 1, or 2 for a two-level header (a group row above the column names)
    headers: list[str]  # per column, as shown ("房东信息 / 姓名")
    score: int  # how many header cells name a known field
    samples: list[list[object]] = field(default_factory=list)  # raw values, per data row
    row_count: int | None = None  # rows in the sheet, when the file says

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_rows

    @property
    def signature(self) -> str:
        return header_signature(self.headers)

    def column_samples(self, index: int, count: int = SHOWN_SAMPLES) -> list[str]:
        """A column's first sample values, ID and mobile numbers masked (the page is not a reveal)."""
        shown = []
        for row in self.samples:
            value = row[index] if index < len(row) else None
            if is_blank(value):
                continue
            if value is FORMULA_WITHOUT_VALUE:
                shown.append(_("（公式，无计算结果）"))
            else:
                text = clean_text(value)
                if ID_PATTERN.fullmatch(text):
                    text = mask_id_number(text)
                elif MOBILE_PATTERN.fullmatch(text):
                    text = mask_mobile(text)
                shown.append(text[:40])
            if len(shown) == count:
                break
        return shown


def header_signature(headers: list[str]) -> str:
    """Identifies a sheet layout: the normalised header texts in order (empty trailing columns dropped)."""
    keys = [header_key(h) for h in headers]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()[:40]


def _match_score(key: str, synonyms: tuple[str, ...]) -> int:
    best = 0
    for synonym in synonyms:
        if key == synonym:
            return EXACT + len(synonym)
        if len(synonym) >= 2 and synonym in key:
            best = max(best, CONTAINS + len(synonym))
    return best


def _row_score(values: list, kind: str, minimum: int = 1) -> int:
    """How many cells of a row name a field of this kind (a header row names many)."""
    keys = [header_key(x) for x in values if not is_blank(x)]
    score = 0
    for key in keys:
        if key and len(key) <= 24:
            if any(_match_score(key, f.header_keys()) >= minimum for f in KIND_FIELDS[kind]):
                score += 1
    return score


def preview_sheet(ledger: LedgerFile, sheet: str, kind: str, header_row: int | None = None) -> SheetPreview:
    """Find the header row (the best-scoring of the first rows, titles skipped, unless `header_row` is
    given), merge a second header level under it if there is one, and read sample rows."""
    head: list[tuple[int, list]] = []
    samples: list[list] = []
    preview: SheetPreview | None = None
    rows = ledger.rows(sheet)
    try:
        for number, values in rows:
            if preview is None:
                head.append((number, values))
                limit = header_row + 1 if header_row else HEADER_SEARCH_ROWS + 1
                if number < limit:
                    continue
                preview = _choose_header(head, kind, header_row)
                samples = [v for n, v in head if n >= preview.first_data_row and not is_non_data_row(v)]
            elif not is_non_data_row(values):
                samples.append(values)
            if len(samples) >= SAMPLE_ROWS:
                break
    finally:
        rows.close()
    if preview is None:
        if not head:
            raise LedgerFileError(_("工作表是空的。"))
        preview = _choose_header(head, kind, header_row)
        samples = [v for n, v in head if n >= preview.first_data_row and not is_non_data_row(v)]
    preview.sheet = sheet
    preview.samples = samples[:SAMPLE_ROWS]
    preview.row_count = ledger.row_count
    return preview


def _choose_header(head: list[tuple[int, list]], kind: str, header_row: int | None) -> SheetPreview:
    by_number = dict(head)
    if header_row:
        if header_row not in by_number:
            raise LedgerFileError(_("第 %(row)s 行不存在或是空行。") % {"row": header_row})
        number, score = header_row, _row_score(by_number[header_row], kind)
    else:
        candidates = [(n, _row_score(v, kind)) for n, v in head[:HEADER_SEARCH_ROWS] if not is_title_row(v)]
        candidates = [(n, s) for n, s in candidates if s > 0]
        if not candidates:
            raise LedgerFileError(
                _(
                    "前 %(n)s 行中没有找到表头（如“地址”“房东姓名”“身份证号码”）。请检查所选的台账类型和工作表。"
                )
                % {"n": HEADER_SEARCH_ROWS}
            )
        number, score = max(candidates, key=lambda c: (c[1], -c[0]))
    parent = by_number[number]
    headers = [clean_text(x) for x in parent]
    header_rows = 1
    child = by_number.get(number + 1)
    if child is not None and _is_sub_header(parent, child, kind):
        headers = _merge_header_levels(parent, child)
        header_rows = 2
    return SheetPreview(sheet="", header_row=number, header_rows=header_rows, headers=headers, score=score)


def _is_sub_header(parent: list, child: list, kind: str) -> bool:
    """A second header level: column names under a merged group cell (the group's other cells are empty
    in the row above), at least two of them exactly a known header, and no digits (data would have them)."""
    texts = [clean_text(x) for x in child if not is_blank(x)]
    if any(any(ch.isdigit() for ch in t) for t in texts):
        return False
    under_group = any(
        not is_blank(value) and (i >= len(parent) or is_blank(parent[i])) for i, value in enumerate(child)
    )
    return under_group and _row_score(child, kind, minimum=EXACT) >= 2


def _merge_header_levels(parent: list, child: list) -> list[str]:
    """房东信息 merged over three columns above 姓名 | 身份证号 | 电话 → "房东信息 / 姓名" …; a column
    without a sub-header keeps its own header (序号, 地址 merged down over both rows)."""
    width = max(len(parent), len(child))
    merged, group = [], ""
    for i in range(width):
        top = clean_text(parent[i]) if i < len(parent) else ""
        below = clean_text(child[i]) if i < len(child) else ""
        if top:
            group = top
        if below:
            merged.append(f"{group} / {below}" if group and group != below else below)
        else:
            merged.append(top)
        if not below and top:
            group = ""  # a column merged down over both rows ends the group
    return merged


def best_sheet(ledger: LedgerFile, kind: str) -> SheetPreview:
    """The sheet whose header names most fields of this kind (a workbook often has a cover or notes sheet)."""
    best, first_error = None, None
    for name in ledger.sheet_names:
        try:
            preview = preview_sheet(ledger, name, kind)
        except LedgerFileError as exc:
            first_error = first_error or exc
            continue
        if best is None or preview.score > best.score:
            best = preview
    if best is None:
        raise first_error or LedgerFileError(_("工作表是空的。"))
    return best


# --- proposing a mapping --------------------------------------------------------------------------------


@dataclass
class Proposal:
    """column index → field key, and why each was proposed ("saved", "name", "sample")."""

    columns: dict[int, str]
    reasons: dict[int, str]
    saved: bool = False


def propose_mapping(kind: str, preview: SheetPreview, saved: dict[str, str] | None = None) -> Proposal:
    """The saved mapping of this layout if there is one, else names first, then sample values."""
    known = fields_for(kind)
    if saved:
        remembered = {
            int(i): key for i, key in saved.items() if key in known and int(i) < len(preview.headers)
        }
        if remembered:
            return Proposal(remembered, dict.fromkeys(remembered, "saved"), saved=True)
    candidates = []
    for index, header in enumerate(preview.headers):
        key = header_key(header)
        if not key:
            continue
        for f in KIND_FIELDS[kind]:
            score = _match_score(key, f.header_keys())
            # A two-level header: the column's own name ("姓名" under "房东信息") also counts.
            if not score and " / " in header:
                score = _match_score(header_key(header.rsplit(" / ", 1)[1]), f.header_keys())
            if score:
                candidates.append((score, -index, index, f.key))
    columns: dict[int, str] = {}
    reasons: dict[int, str] = {}
    taken: set[str] = set()
    for _score, _order, index, key in sorted(candidates, reverse=True):
        if index in columns or key in taken:
            continue
        columns[index] = key
        reasons[index] = "name"
        taken.add(key)
    for index in range(len(preview.headers)):
        if index in columns:
            continue
        sniffed = sniff_column(preview, index)
        if not sniffed:
            continue
        for f in KIND_FIELDS[kind]:
            if f.sniff == sniffed and f.key not in taken:
                columns[index] = f.key
                reasons[index] = "sample"
                taken.add(f.key)
                break
    return Proposal(dict(sorted(columns.items())), reasons)


def sniff_column(preview: SheetPreview, index: int) -> str:
    """ "id_number" or "mobile" when most sample values of a column look like one."""
    texts = [
        clean_text(row[index]) for row in preview.samples if index < len(row) and not is_blank(row[index])
    ]
    if not texts:
        return ""
    for name, pattern in (("id_number", ID_PATTERN), ("mobile", MOBILE_PATTERN)):
        if sum(1 for t in texts if pattern.fullmatch(t.replace(" ", ""))) >= 0.6 * len(texts):
            return name
    return ""


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


# --- mappings as YAML files (the command's --mapping FILE, the API): one file per sheet layout -------------

YAML_VERSION = 1


def to_yaml(saved: LedgerMapping) -> str:
    """A saved mapping as a YAML file a district's IT staff can keep beside a script: columns by letter,
    the default grid and the area values by code (codes, unlike names, do not change)."""
    mapping = saved.mapping or {}
    grid_pk = mapping.get("default_grid")
    default_code = Area.objects.filter(pk=grid_pk).values_list("code", flat=True).first() if grid_pk else None
    document = {
        "firegrid_ledger_mapping": YAML_VERSION,
        "kind": saved.kind,
        "headers": list(saved.headers or []),
        "columns": {
            get_column_letter(int(index) + 1): key
            for index, key in sorted((mapping.get("columns") or {}).items(), key=lambda item: int(item[0]))
        },
        "default_grid": default_code,
        "values": mapping.get("values") or {},
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _bad(key: str, reason: str) -> ValidationError:
    return ValidationError(_("对应关系文件的「%(key)s」有误：%(reason)s") % {"key": key, "reason": reason})


def from_yaml(text: str, user: User) -> LedgerMapping:
    """A mapping read from YAML (`to_yaml`'s format), checked against what the user may use; unsaved, with
    no owner (services.save_mapping saves one for the user's area). Errors name the bad key."""
    from firegrid.registry.models import LedgerMapping

    from .choices import ImportKind

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(
            _("对应关系文件不是有效的 YAML：%(error)s") % {"error": str(exc)[:200]}
        ) from None
    if not isinstance(document, dict):
        raise _bad("/", str(_("应为键值对（kind、headers、columns…）")))
    unknown = set(document) - {
        "firegrid_ledger_mapping",
        "kind",
        "headers",
        "columns",
        "default_grid",
        "values",
    }
    if unknown:
        raise _bad(sorted(map(str, unknown))[0], str(_("不认识的键")))
    kind = document.get("kind")
    if kind not in ImportKind.values:
        raise _bad("kind", str(_("应为 %(kinds)s 之一") % {"kinds": ", ".join(ImportKind.values)}))
    headers = document.get("headers")
    if not isinstance(headers, list) or not headers:
        raise _bad("headers", str(_("应为台账表头的列表")))
    headers = [clean_text(h) for h in headers]
    known = fields_for(kind)
    raw_columns = document.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise _bad("columns", str(_("应为“列字母: 字段”的对应表")))
    columns: dict[str, str] = {}
    for letter, key in raw_columns.items():
        where = f"columns.{letter}"
        try:
            index = column_index_from_string(str(letter).strip().upper()) - 1
        except ValueError:
            raise _bad(where, str(_("不是列字母（如 A、B、AA）"))) from None
        if index >= len(headers):
            raise _bad(where, str(_("超出表头的列数")))
        if key not in known:
            raise _bad(where, str(_("不是此类台账的字段：%(key)s") % {"key": key}))
        if key in columns.values():
            raise _bad(where, str(_("每个字段只能对应一列")))
        columns[str(index)] = key
    default_grid = None
    code = document.get("default_grid")
    if code not in (None, ""):
        grid = Area.objects.filter(level=AreaLevel.GRID, code=str(code)).first()
        if grid is None:
            raise _bad("default_grid", str(_("没有编码为「%(code)s」的网格") % {"code": code}))
        if user.scope_grid_ids is not None and grid.pk not in user.scope_grid_ids:
            raise _bad("default_grid", str(_("网格「%(grid)s」不在您的辖区内") % {"grid": grid.name}))
        default_grid = grid.pk
    values = _values_from_yaml(kind, document.get("values") or {}, {int(i): k for i, k in columns.items()})
    return LedgerMapping(
        kind=kind,
        signature=header_signature(headers),
        headers=headers,
        mapping={"columns": columns, "default_grid": default_grid, "values": values},
    )


def _values_from_yaml(kind: str, raw: object, columns: dict[int, str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise _bad("values", str(_("应为“列: {台账值: 系统值}”的对应表")))
    entries = value_columns(kind, {key: index for index, key in columns.items()})
    values: dict[str, dict[str, str]] = {}
    for entry, table in raw.items():
        where = f"values.{entry}"
        if entry not in entries:
            raise _bad(where, str(_("不是已对应的社区/网格列或选项列")))
        if not isinstance(table, dict):
            raise _bad(where, str(_("应为“台账值: 系统值”的对应表")))
        table = {clean_text(k): clean_text(v) for k, v in table.items() if clean_text(v)}
        if entry == AREA:
            codes = set(
                Area.objects.filter(
                    level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID], code__in=set(table.values())
                ).values_list("code", flat=True)
            )
            allowed = codes
        else:
            allowed = {option for option, _label in choice_options(kind, entry)}
        for sheet_value, target in table.items():
            if target not in allowed:
                raise _bad(
                    f"{where}.{sheet_value}", str(_("「%(value)s」不是可用的系统值") % {"value": target})
                )
        values[entry] = table
    return values


def mapping_for_area(kind: str, area: Area, user: User) -> LedgerMapping | None:
    """The mapping of a kind offered in an area (for the command's export): the area's own newest, else
    the nearest ancestor's (the district's only when published), else a published one. `area` must
    already be checked to be inside the user's scope (batch.area_in_scope)."""
    from django.db.models import Q

    from firegrid.registry.models import LedgerMapping

    ids = area.ancestor_ids
    lineage = ids if len(ids) == 1 or user.is_district_wide else ids[1:]
    found = list(
        LedgerMapping.objects.filter(kind=kind).filter(Q(owner_area_id__in=lineage) | Q(published=True))
    )
    depth = {pk: i for i, pk in enumerate(lineage)}
    if not found:
        return None
    return min(
        found,
        key=lambda m: (
            (0, -depth[m.owner_area_id], -m.updated_at.timestamp())
            if m.owner_area_id in depth
            else (1, 0, -m.updated_at.timestamp())
        ),
    )


def save_from_yaml(text: str, user: User, *, publish: bool = False) -> LedgerMapping:
    """Read a YAML mapping (`from_yaml`) and save it for the user's area (published by a district role
    when asked), replacing that area's mapping of the same layout: `services.save_layout_mapping`'s rules,
    the same as for a job's mapping."""
    from . import services

    loaded = from_yaml(text, user)
    return services.save_layout_mapping(
        actor=user,
        kind=loaded.kind,
        signature=loaded.signature,
        headers=loaded.headers,
        mapping=loaded.mapping,
        publish=publish,
    )
