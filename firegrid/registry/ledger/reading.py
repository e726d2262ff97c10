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

    def rows(self, sheet: str = "") -> Generator[tuple[int, list[Any]], None, None]:
        """(row number as Excel shows it, cell values) for every row present in the sheet."""
        if self.format == XLSX:
            yield from self._xlsx_rows(sheet or self.sheet_names[0])
        else:
            yield from _csv_rows(self.path, self.encoding, self.delimiter)

    def _xlsx_rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            try:
                worksheet = workbook[sheet]
            except KeyError:
                raise LedgerFileError(_("工作表「%(sheet)s」不存在。") % {"sheet": sheet}) from None
            self.row_count = worksheet.max_row
            try:
                parser_rows = _parse_sheet(worksheet)
            except AttributeError:  # openpyxl internals moved: read values without formula detection
                parser_rows = (
                    (n, list(r)) for n, r in enumerate(worksheet.iter_rows(values_only=True), start=1)
                )
            yield from parser_rows
        finally:
            workbook.close()


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
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken workbook
            raise LedgerFileError(_("Excel 文件无法读取：%(error)s") % {"error": exc}) from exc
        try:
            names = [
                ws.title for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"
            ]
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


def _parse_sheet(worksheet: ReadOnlyWorksheet) -> Iterator[tuple[int, list[Any]]]:
    """openpyxl's own read-only parser, with one change: a formula cell without a cached value yields
    FORMULA_WITHOUT_VALUE instead of an empty cell, so the row can say so instead of importing a blank.
    Row numbers are the sheet's own (rows absent from the file are skipped, not renumbered)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FORMULA_WITHOUT_VALUE
            return cell

    book = worksheet.parent
    source = worksheet._get_source()
    parser = Parser(
        source,
        worksheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with source:
            for number, cells in parser.parse():
                if not cells:
                    yield number, []
                    continue
                values = [None] * cells[-1]["column"]
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values

    return rows()


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


def is_non_data_row(values: list[Any]) -> bool:
    return classify(values) == NON_DATA
