"""Reading a ledger file row by row in constant memory: .xlsx through openpyxl's read-only parser
(cached formula values, a formula without one flagged), .csv in UTF-8 or GBK (detected), and telling
data rows from merged titles, blank lines, totals and sign-off lines."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings

from .messages import deferred as _  # stored by the job, translated when shown
from .values import FORMULA_WITHOUT_VALUE, clean_text, is_blank

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from firegrid.registry.models import ImportJob

XLSX = "xlsx"
CSV = "csv"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
HEADER_SEARCH_ROWS = 10
# Rows that are not records: totals (合计/总计/小计…), sign-off lines (填表人：…), the example row of a
# downloaded template (示例). Matched against the first filled cells of a row.
_NOT_A_RECORD = re.compile(
    r"^(合\s*计|总\s*计|小\s*计|共计|累计|示例$|"
    r"填表人|制表人|审核人|负责人|填报人|填报单位|填报日期|制表日期|制表|审核|备注[:：])"
)
NON_DATA = -1  # classify(): blank, totals, sign-off or example row
MANY = -2  # classify(): a row with two or more filled cells
ZIP_MAGIC = b"PK\x03\x04"
# Members unpacking to more than this have their compression ratio checked (FIREGRID_LEDGER_MAX_RATIO).
RATIO_CHECKED_FROM = 1024 * 1024


# The problem report (report.py) marks itself in the workbook's custom properties, so that uploading it
# again reads the ledger it came from: its 错误 column (this 0-based index) is taken out of every row,
# and only its ledger sheet is offered (not 问题清单). The header, hence the header signature and the
# saved mapping, are then the original's.
REPORT_COLUMN = "firegrid.report.column"
REPORT_SHEET = "firegrid.report.sheet"


class Formula(str):
    """A formula's text ("=SUM(K4:K9)") read for the problem report, which writes it back as a formula."""


def report_marks(workbook: Any) -> tuple[int | None, str]:
    """(the added column's index, the ledger sheet) when the workbook is a problem report; else (None, "")."""
    column, sheet = None, ""
    try:
        props = list(workbook.custom_doc_props.props)
    except AttributeError:
        return None, ""
    for prop in props:
        if prop.name == REPORT_COLUMN and isinstance(prop.value, int):
            column = prop.value
        elif prop.name == REPORT_SHEET and isinstance(prop.value, str):
            sheet = prop.value
    return column, sheet


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all (wrong type, broken, unknown encoding)."""


@dataclass
class LedgerFile:
    """An opened ledger: its format, encoding and sheets, able to iterate any sheet's rows."""

    path: Path
    format: str
    encoding: str = ""
    delimiter: str = ","
    sheet_names: list[str] = field(default_factory=list)
    # Rows in the sheet last opened by rows(), for progress (known once the first row is read; None
    # when the file does not say).
    row_count: int | None = None
    # Merged ranges ("A1:M1") of the sheet last read to its end by rows() (.xlsx; the report keeps them).
    merged: list[str] = field(default_factory=list)

    def rows(
        self, sheet: str = "", *, formulas: bool = False
    ) -> Generator[tuple[int, list[Any]], None, None]:
        """(row number as Excel shows it, cell values) for every row present in the sheet. With
        `formulas`, a formula cell gives its text (`Formula`) instead of its cached value."""
        if self.format == XLSX:
            yield from self._xlsx_rows(sheet or self.sheet_names[0], formulas)
        else:
            yield from _csv_rows(self.path, self.encoding, self.delimiter)

    def _xlsx_rows(self, sheet: str, formulas: bool = False) -> Iterator[tuple[int, list[Any]]]:
        workbook = open_read_only(self.path)
        try:
            added, _report_sheet = report_marks(workbook)
            try:
                worksheet = workbook[sheet]
            except KeyError:
                raise LedgerFileError(_("工作表「%(sheet)s」不存在。") % {"sheet": sheet}) from None
            self.row_count = worksheet.max_row
            self.merged = []
            try:
                parser_rows = _parse_sheet(worksheet, formulas=formulas, merged=self.merged)
            except AttributeError:  # openpyxl internals moved: read values without formula detection
                parser_rows = (
                    (n, list(r)) for n, r in enumerate(worksheet.iter_rows(values_only=True), start=1)
                )
            if added is None:
                yield from parser_rows
            else:
                for number, values in parser_rows:
                    if len(values) > added:
                        del values[added]  # the report's 错误 column
                    yield number, values
        finally:
            workbook.close()


def open_read_only(path: str | Path) -> Any:
    """`load_workbook(path, read_only=True, data_only=True)`, each sheet's size read from the head of its
    XML. openpyxl looks for a sheet's <dimension> by parsing it until <sheetData> ends — the whole sheet
    when it has none (files written by streaming writers, openpyxl's write-only mode among them), which
    read the ledger twice (about a tenth of a commit's CPU). <dimension> comes before <sheetData> in the
    schema, so the head is enough. openpyxl's own reading where its internals have moved."""
    from openpyxl import load_workbook

    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet
        from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
        from openpyxl.worksheet.dimensions import SheetDimension
        from openpyxl.xml.functions import iterparse
    except ImportError:
        return load_workbook(path, read_only=True, data_only=True)

    class HeadSizedSheet(ReadOnlyWorksheet):  # type: ignore[misc]
        def _get_size(self) -> None:
            with self._get_source() as src:
                for _event, element in iterparse(src, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        bounds = SheetDimension.from_tree(element).boundaries
                        if bounds is not None:
                            self._min_column, self._min_row, self._max_column, self._max_row = bounds
                        return
                    if element.tag == DATA_TAG:
                        return

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_worksheets(self) -> None:
            # ExcelReader.read_worksheets' read-only branch, with the sheet class above.
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(sheet, rel)
                    continue
                ws = HeadSizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def check_xlsx_archive(source: str | Path | IO[bytes], name: str) -> None:
    """Refuse an .xlsx that would unpack to far more than a ledger holds (a zip bomb) before anything
    parses it, from the sizes in the zip's central directory: the total unpacked size, and each large
    member's compression ratio. The sizes stated there bound what is read (zipfile stops at a member's
    stated size), so a lie does not get past. Anything that is not a zip is left to `open_ledger`."""
    if not isinstance(source, str | Path):
        source.seek(0)
        if source.read(4) != ZIP_MAGIC:
            return
        source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: open_ledger says what is wrong with it
    max_mb = settings.FIREGRID_LEDGER_MAX_UNPACKED_MB
    if sum(m.file_size for m in members) > max_mb * 1024 * 1024:
        raise LedgerFileError(
            _("「%(name)s」解压后超过 %(mb)s MB，不像是台账，未读取。请检查文件，或拆分后分批导入。")
            % {"name": name, "mb": max_mb}
        )
    max_ratio = settings.FIREGRID_LEDGER_MAX_RATIO
    for member in members:
        # A small member may pack very well (a blank styles part); only a large one can hurt.
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > max_ratio * max(
            member.compress_size, 1
        ):
            raise LedgerFileError(
                _(
                    "「%(name)s」中的 %(member)s 压缩比异常（超过 %(ratio)s:1），可能是恶意构造的文件，未读取。"
                )
                % {"name": name, "member": member.filename, "ratio": max_ratio}
            )


def open_ledger(path: str | Path) -> LedgerFile:
    """Recognise a ledger by its content, not its name: .xlsx is a zip with a workbook, anything else must
    decode as UTF-8 or GB18030 text."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise LedgerFileError(_("文件不是 Excel 工作簿（.xlsx）。"))
        except zipfile.BadZipFile:
            raise LedgerFileError(_("Excel 文件已损坏，无法打开。")) from None
        try:
            workbook = open_read_only(path)
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            raise LedgerFileError(_("Excel 文件无法读取：%(error)s") % {"error": exc}) from exc
        try:
            names = [
                ws.title for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"
            ]
            _added, report_sheet = report_marks(workbook)
            if report_sheet in names:
                names = [report_sheet]  # a problem report uploaded again: its ledger, not 问题清单
        finally:
            workbook.close()
        if not names:
            raise LedgerFileError(_("Excel 文件中没有工作表。"))
        return LedgerFile(path, XLSX, sheet_names=names)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFileError(_("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 或 .csv 后上传。"))
    encoding, lines = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(16384)
    if "\x00" in sample:
        raise LedgerFileError(_("文件不是 .xlsx 或 .csv 表格。"))
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    return LedgerFile(path, CSV, encoding=encoding, delimiter=delimiter, sheet_names=[""], row_count=lines)


def ledger_for_job(job: ImportJob) -> LedgerFile:
    """The ledger of a job whose format was recognised at upload, without opening the workbook again
    (each openpyxl load scans the sheet for its size)."""
    path = Path(job.file.path)
    if job.format == XLSX:
        return LedgerFile(path, XLSX, sheet_names=[job.sheet_name], row_count=job.progress_total or None)
    with open(path, encoding=job.encoding, newline="") as handle:
        sample = handle.read(16384)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    return LedgerFile(path, CSV, job.encoding, delimiter, [""], row_count=job.progress_total or None)


def detect_encoding(path: Path) -> tuple[str, int]:
    """(encoding, line count): UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else
    GB18030 (GBK's superset). The whole file is checked: a GBK file can start with lines that are also
    valid UTF-8."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 1
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(block)
                    lines += block.count(b"\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise LedgerFileError(_("无法识别文件编码：CSV 文件应为 UTF-8 或 GBK 编码。"))


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    with open(path, encoding=encoding, newline="") as handle:
        yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)


def _parse_sheet(
    worksheet: ReadOnlyWorksheet, *, formulas: bool = False, merged: list[str] | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """openpyxl's own read-only parser, with one change: a formula cell without a cached value yields
    FORMULA_WITHOUT_VALUE instead of an empty cell, so the row can say so instead of importing a blank
    (with `formulas`: every formula cell yields its text as a `Formula`). Row numbers are the sheet's own
    (rows absent from the file are skipped, not renumbered). Once the rows are read to the end, `merged`
    receives the sheet's merged ranges (they follow the rows in the file).

    Reading values only (not `formulas`), the common cells — a shared or plain inline string, a number
    without a date format, a boolean, a formula's cached text — are read straight from the XML element
    (`_fast_value`) and the row is laid out directly; every other cell goes through openpyxl's
    `parse_cell`, so each value is exactly what openpyxl gives. openpyxl builds a dict per cell and a
    descriptor-validated object per inline string: at 100,000 rows that was a third of the read."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import (
        FORMULA_TAG,
        INLINE_STRING,
        VALUE_TAG,
        WorkSheetParser,
        _cast_number,
    )

    text_tag = INLINE_STRING[: -len("is")] + "t"
    columns: dict[str, int] = {}  # column letters → index, for this sheet's cells

    class Parser(WorkSheetParser):
        row_counter: int  # set by WorkSheetParser.__init__
        col_counter: int

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if formulas:
                if cell.get("data_type") == "f" and isinstance(cell["value"], str):
                    cell["value"] = Formula(cell["value"])
            elif cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FORMULA_WITHOUT_VALUE
            return cell

        def parse_row(self, row: Any) -> tuple[int, Any]:
            if formulas:
                return super().parse_row(row)
            # The row number as openpyxl's parse_row reads it (its row dimensions are not needed here).
            number = row.get("r")
            if number is None:
                self.row_counter += 1
            else:
                try:
                    self.row_counter = int(number)
                except ValueError:
                    val = float(number)
                    if not val.is_integer():
                        raise ValueError(f"{number} is not a valid row number") from None
                    self.row_counter = int(val)
            self.col_counter = 0
            cells: list[tuple[int, Any]] = []
            for element in row:
                value = self._fast_value(element)
                if value is _SLOW:
                    cell = self.parse_cell(element)
                    cells.append((cell["column"], cell["value"]))
                    continue
                coordinate = element.get("r")
                if coordinate:
                    letters = coordinate.rstrip("0123456789")
                    column = columns.get(letters)
                    if column is None:
                        column = coordinate_to_tuple(coordinate)[1]  # raises as openpyxl does
                        columns[letters] = column
                    self.col_counter = column
                else:
                    self.col_counter += 1
                    column = self.col_counter
                cells.append((column, value))
            if not cells:
                return self.row_counter, []
            values: list[Any] = [None] * cells[-1][0]
            for column, value in cells:
                values[column - 1] = value
            return self.row_counter, values

        def _fast_value(self, element: Any) -> Any:
            """What openpyxl's parse_cell gives a common cell's value (data only), or _SLOW."""
            kind = element.get("t", "n")
            if kind == "inlineStr":
                child = element.find(INLINE_STRING)
                if child is not None and len(child) == 1 and child[0].tag == text_tag:
                    return child[0].text or ""
                return _SLOW
            value = element.findtext(VALUE_TAG, None)
            if not value:
                return _SLOW  # empty: maybe a formula without its value
            if kind == "s":
                return self.shared_strings[int(value)]
            if kind == "n":
                style = element.get("s", 0)
                if style and int(style) in self.date_formats:
                    return _SLOW
                return _cast_number(value)
            if kind == "str":
                return value
            if kind == "b":
                return bool(int(value))
            return _SLOW

    book = worksheet.parent
    source = worksheet._get_source()
    parser = Parser(
        source,
        worksheet._shared_strings,
        data_only=not formulas,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with source:
            if not formulas:
                yield from parser.parse()  # (number, values): Parser.parse_row lays them out
            else:
                for number, cells in parser.parse():
                    if not cells:
                        yield number, []
                        continue
                    values = [None] * cells[-1]["column"]
                    for cell in cells:
                        values[cell["column"] - 1] = cell["value"]
                    yield number, values
        if merged is not None and parser.merged_cells is not None:
            merged.extend(str(ref.ref) for ref in parser.merged_cells.mergeCell)

    return rows()


_SLOW = object()  # _parse_sheet: a cell left to openpyxl's parse_cell


# --- which rows hold data -----------------------------------------------------------------------------


def non_empty(values: list[Any]) -> list[str]:
    return [text for text in (clean_text(x) for x in values if not is_blank(x)) if text]


def is_title_row(values: list[Any]) -> bool:
    """A merged title row (or a caption above the table): one filled cell."""
    return len(non_empty(values)) == 1


def classify(values: list[Any]) -> int:
    """NON_DATA for blank lines, totals rows (合计/总计/小计 in the first filled cells — a leading 序号
    column holds a number, so the first two count) and sign-off lines; the index of the only filled cell
    of a one-cell row; MANY otherwise. One pass, stopping at the second filled cell: it runs per row."""
    filled = 0
    first = NON_DATA
    for index, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, str):
            text = value.strip()
            if not text:
                continue
            if _NOT_A_RECORD.match(text):
                return NON_DATA
        filled += 1
        if filled == 1:
            first = index
        else:
            return MANY
    return first


def skip_reason(values: list[Any]) -> Any:
    """Why a row under the header is not a record (for the report's list of skipped rows)."""
    texts = non_empty(values)
    if not texts:
        return _("空行")
    if re.match(r"^(合\s*计|总\s*计|小\s*计|共计|累计)", texts[0]) or (
        len(texts) > 1 and re.match(r"^(合\s*计|总\s*计|小\s*计|共计|累计)", texts[1])
    ):
        return _("合计行")
    if texts[0] == "示例":
        return _("示例行")
    return _("落款或说明行")


def is_non_data_row(values: list[Any]) -> bool:
    return classify(values) == NON_DATA
