"""Finding the header row of a community's own sheet and proposing which Firegrid field each column is:
by header name (a table of synonyms per kind), then by sample values (an 18-character ID, an 11-digit
mobile), and first of all by a mapping a user confirmed earlier for a sheet with the same header."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from firegrid.core.masking import mask_id_number, mask_mobile

from .fields import KIND_FIELDS, fields_for
from .reading import HEADER_SEARCH_ROWS, LedgerFile, LedgerFileError, is_non_data_row, is_title_row
from .values import FORMULA_WITHOUT_VALUE, clean_text, header_key, is_blank

if TYPE_CHECKING:
    pass

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
