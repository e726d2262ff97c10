"""Workbooks the import hands out: the blank template of each kind (headers, an example row, a sheet
explaining each column) and the problem report (the user's own rows with an 错误 column added, so
they can correct the ledger in place and upload it again)."""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import defaultdict
from typing import IO, TYPE_CHECKING, Any

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from .choices import ImportKind, ProblemLevel
from .fields import KIND_FIELDS
from .messages import render
from .reading import REPORT_COLUMN, REPORT_SHEET, Formula, ledger_for_job
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
TEMPLATE_SKIP[ImportKind.RENTAL_LEDGER] = TEMPLATE_SKIP[ImportKind.PREMISES]
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
RED = Font(color="C00000", bold=True)
BOLD = Font(bold=True)


def _safe(value: Any) -> Any:
    """A cell value that Excel will show, never evaluate (formula injection) and openpyxl accepts."""
    if value is FORMULA_WITHOUT_VALUE:
        return None
    if isinstance(value, Formula):
        return str(value)  # the sheet's own formula, written back as a formula (not its cached value)
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
    labels = {f.key: f.label for f in fields}
    # An ID number may be left out where the mobile is given: not starred, its note says so.
    sheet.append([_("序号"), *[("*" if f.required and not f.unless else "") + str(f.label) for f in fields]])
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
        if f.required and f.unless:
            required = _("与“%(other)s”至少填一项") % {"other": labels.get(f.unless, "")}
        else:
            required = _("必填") if f.required else ""
        notes.append([str(f.label), required, str(f.help), f.example])
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


def where_text(problem: dict[str, Any]) -> str:
    """ "Column F “身份证号码”": one msgid with the letter and header as parameters (a letter glued to a
    translated "列" read "IColumns" in English)."""
    if not problem["col"]:
        return ""
    return _("%(col)s列「%(header)s」") % {"col": problem["col"], "header": problem["header"]}


def problem_report(job: ImportJob) -> IO[bytes]:
    """The ledger as uploaded, row for row — its title rows, merged cells, formulas (as formulas) and
    every column — with an 错误 column after the header's last column; a second sheet lists every
    problem and the rows skipped as not data. Uploaded again, it reads as the original ledger
    (reading.report_marks): the 错误 column is dropped and the saved mapping is found.
    Written in openpyxl's write-only mode to a temporary file: constant memory for any size."""
    # Messages are stored as msgids with parameters: the report speaks the language of who downloads it.
    problems = [{**p, "message": render(p.get("message"))} for p in load_problems(job)]
    by_row: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        where = where_text(p)
        prefix = {ProblemLevel.ERROR: "", ProblemLevel.SKIPPED: _("已跳过：")}.get(p["level"], _("提醒："))
        colon = pgettext("label separator", "：") if where else ""
        by_row[p["row"]].append(f"{prefix}{where}{colon}{p['message']}")
    workbook = Workbook(write_only=True)
    sheet_name = (job.sheet_name or _("台账"))[:31]
    sheet = workbook.create_sheet(sheet_name)
    # The 错误 column goes right after the header's columns, in every row (cells right of it move one
    # column on): one fixed column, which reading drops again.
    added = len(job.headers or [])
    header_row = job.header_row
    expected = 1
    ledger = ledger_for_job(job)
    for number, values in ledger.rows(job.sheet_name, formulas=True):
        while expected < number:  # rows absent from the file: keep the numbering the messages use
            sheet.append([])
            expected += 1
        cells: list[Any] = [_safe(v) for v in values]
        error: WriteOnlyCell | None = None
        if number == header_row:
            error = WriteOnlyCell(sheet, value=_("错误"))
            error.font = RED
        elif number in by_row:
            error = WriteOnlyCell(sheet, value=pgettext("list separator", "；").join(by_row[number]))
            error.font = Font(color="C00000")
            error.fill = PatternFill("solid", fgColor="FFF2F0")
        if error is not None or len(cells) > added:
            cells = [*cells[:added], *[None] * (added - len(cells)), error, *cells[added:]]
        sheet.append(cells)
        expected = number + 1
    for ref in ledger.merged:
        merged = CellRange(ref)
        if merged.max_col > added:  # a range right of (or across) the 错误 column moved with its cells
            merged = CellRange(
                min_col=merged.min_col + (merged.min_col > added),
                min_row=merged.min_row,
                max_col=merged.max_col + 1,
                max_row=merged.max_row,
            )
        sheet.merged_cells.add(merged)
    workbook.custom_doc_props.append(IntProperty(name=REPORT_COLUMN, value=added))
    workbook.custom_doc_props.append(StringProperty(name=REPORT_SHEET, value=sheet_name))
    listing = workbook.create_sheet(_("问题清单"))
    listing.append([_("行"), _("列"), _("表头"), _("级别"), _("问题")])
    levels = dict(ProblemLevel.choices)
    for p in problems:
        listing.append([p["row"] or "", p["col"], p["header"], str(levels.get(p["level"], "")), p["message"]])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem_report_response(job: ImportJob) -> FileResponse:
    """The problem report as a download (the page's link and the API's `report/` alike); 404 until the
    job has finished a run."""
    if not job.finished_at:
        raise Http404
    stem = job.original_name.rsplit(".", 1)[0]
    return FileResponse(
        problem_report(job),
        as_attachment=True,
        filename=_("%(name)s-问题清单.xlsx") % {"name": stem},
        content_type=XLSX,
    )
