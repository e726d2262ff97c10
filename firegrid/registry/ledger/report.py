"""Workbooks the import hands out: the blank template of each kind (headers, an example row, a sheet
explaining each column) and the problem report (the user's own rows with an 错误 column added, so
they can correct the ledger in place and upload it again)."""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import defaultdict
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .choices import ImportKind, ProblemLevel
from .fields import KIND_FIELDS
from .messages import render
from .reading import ledger_for_job
from .values import FORMULA_WITHOUT_VALUE

if TYPE_CHECKING:
    from firegrid.registry.models import ImportJob

# Columns the premises template leaves out to stay short (still mapped when a ledger has them).
TEMPLATE_SKIP: dict[str, set[str]] = {
    ImportKind.PREMISES: {
        "premises.floor_from",
        "premises.floor_to",
        "building.height_m",
        "building.latitude",
        "building.longitude",
        "building.year_built",
    },
}
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
RED = Font(color="C00000", bold=True)
BOLD = Font(bold=True)


def _safe(value: Any) -> Any:
    """A cell value that Excel will show, never evaluate (formula injection) and openpyxl accepts."""
    if value is FORMULA_WITHOUT_VALUE:
        return None
    if isinstance(value, str):
        value = value.translate(_ILLEGAL)
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value
    return value


def template_workbook(kind: str) -> bytes:
    """The downloadable blank ledger of a kind."""
    skip = TEMPLATE_SKIP.get(kind, set())
    fields = [f for f in KIND_FIELDS[kind] if f.key not in skip]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("台账")
    sheet.append([_("序号"), *[("*" if f.required else "") + str(f.label) for f in fields]])
    sheet.append([_("示例"), *[f.example for f in fields]])
    for cell in sheet[1]:
        cell.font = RED if str(cell.value).startswith("*") else BOLD
    for cell in sheet[2]:
        cell.font = Font(color="808080", italic=True)
    for index, f in enumerate(fields, start=2):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(str(f.label)) * 2 + 4)
        if f.sniff:  # ID and mobile numbers as text, or Excel turns them into lossy numbers
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "B2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明"), _("示例")])
    for cell in notes[1]:
        cell.font = BOLD
    for f in fields:
        notes.append([str(f.label), _("必填") if f.required else "", str(f.help), f.example])
    notes.append([])
    for line in (
        _("每行一条记录；第1行为表头，“示例”行导入时自动跳过，可以删除。"),
        _("表头名称可以沿用本社区台账的叫法，导入时可以确认或修改每列对应的字段。"),
        _("已登记的记录按地址、门牌、身份证号码等识别：再次导入会更新有变化的内容，不会重复登记。"),
        _("空白单元格表示“不填写”：已登记的内容保持不变。"),
        _("身份证号码、手机号码请设为“文本”格式，否则 Excel 会丢失后几位。"),
        _("整个文件检查无误后才会导入；有任何错误都不会导入，请按问题清单修改后重新上传。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    handle = tempfile.SpooledTemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle.read()


def load_problems(job: ImportJob) -> list[dict[str, Any]]:
    """Every problem of the job's last check (the job row keeps only the first ones)."""
    if job.problems_file:
        with job.problems_file.open("rb") as handle:
            return json.loads(gzip.decompress(handle.read()))
    return list(job.report or [])


def problem_report(job: ImportJob) -> IO[bytes]:
    """The ledger as uploaded, row for row, with an 错误 column; a second sheet lists every problem.
    Written in openpyxl's write-only mode to a temporary file: constant memory for any size."""
    # Messages are stored as msgids with parameters: the report speaks the language of who downloads it.
    problems = [{**p, "message": render(p.get("message"))} for p in load_problems(job)]
    by_row: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        where = f"{p['col']}{_('列')}「{p['header']}」" if p["col"] else ""
        prefix = "" if p["level"] == ProblemLevel.ERROR else _("提醒：")
        colon = pgettext("label separator", "：") if where else ""
        by_row[p["row"]].append(f"{prefix}{where}{colon}{p['message']}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("台账")[:31])
    width = len(job.headers or [])
    header_row = job.header_row
    expected = 1
    ledger = ledger_for_job(job)
    for number, values in ledger.rows(job.sheet_name):
        while expected < number:  # rows absent from the file: keep the numbering the messages use
            sheet.append([])
            expected += 1
        width = max(width, len(values)) if number >= header_row else width
        cells = [_safe(v) for v in values] + [None] * (width - len(values))
        if number == header_row:
            error = WriteOnlyCell(sheet, value=_("错误"))
            error.font = RED
            sheet.append([*cells[:width], error])
        elif number in by_row:
            error = WriteOnlyCell(sheet, value=pgettext("list separator", "；").join(by_row[number]))
            error.font = Font(color="C00000")
            error.fill = PatternFill("solid", fgColor="FFF2F0")
            sheet.append([*cells[:width], error])
        else:
            sheet.append(cells)
        expected = number + 1
    listing = workbook.create_sheet(_("问题清单"))
    listing.append([_("行"), _("列"), _("表头"), _("级别"), _("问题")])
    levels = dict(ProblemLevel.choices)
    for p in problems:
        listing.append([p["row"] or "", p["col"], p["header"], str(levels.get(p["level"], "")), p["message"]])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle
