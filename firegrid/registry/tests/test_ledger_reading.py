"""The importer's own reading of a sheet (reading._parse_sheet's fast path for common cells) gives exactly the
values openpyxl gives, and a cell value remembered per column (ImportContext.read_cells) is reported on
every row that has it, told apart by type."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from firegrid.registry.ledger import samples
from firegrid.registry.ledger.importer import ImportContext
from firegrid.registry.ledger.messages import render
from firegrid.registry.ledger.reading import open_ledger
from firegrid.registry.ledger.values import FORMULA_WITHOUT_VALUE
from firegrid.registry.models import ImportJob


def varied_workbook(write_only: bool) -> bytes:
    """Shared strings (a normal workbook) or inline strings (write-only), with every kind of cell."""
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("台账") if write_only else book.active
    sheet.title = "台账"
    sheet.append(["标题"])
    sheet.append(["序号", "日期", "是否", "文本", "数字", "空"])
    for i in range(30):
        sheet.append([i, dt.date(2024, 1, 1 + i), i % 2 == 0, f" 文本{i}\u3000", 60.5 if i % 3 else 7, None])
    sheet.append([])
    sheet.append([None, dt.datetime(2024, 3, 1, 12, 30), "#N/A", "", 1e20, -3])
    if not write_only:
        sheet["D5"] = CellRichText([TextBlock(InlineFont(b=True), "粗"), "细"])
        sheet["H40"] = "远处的单元格"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
def test_the_sheet_reads_as_openpyxl_reads_it(tmp_path, write_only):
    path = tmp_path / "台账.xlsx"
    data = varied_workbook(write_only)
    # A formula saved without its value, and one with: the first is flagged, the second is its value.
    path.write_bytes(samples._with_formulas(data, {"E4": None, "E6": "42"}))
    ours = dict(open_ledger(path).rows("台账"))
    theirs = load_workbook(path, read_only=True, data_only=True)["台账"]
    expected = {n: list(r) for n, r in enumerate(theirs.iter_rows(values_only=True), start=1)}
    assert ours[4][4] is FORMULA_WITHOUT_VALUE and expected[4][4] is None
    ours[4][4] = None
    assert ours[6][4] == 42
    for number, values in ours.items():
        width = len(values)
        assert values == expected[number][:width], number
        assert [type(v) for v in values] == [type(v) for v in expected[number][:width]], number
        assert not any(v is not None for v in expected[number][width:]), number
    assert set(ours) <= set(expected)
    assert 34 in ours and (ours[33] == [] if write_only else 33 not in ours)  # a blank row stays blank


def test_a_remembered_cell_is_reported_on_every_row_and_told_apart_by_type(district, personas):
    job = ImportJob(
        kind="premises",
        mapping={"columns": {"0": "premises.room_count"}},
        headers=["出租间数"],
    )
    ctx = ImportContext(job, personas.grid_worker, write=False)
    rows = [ctx.parse(n, [value]) for n, value in ((5, True), (6, 1), (7, True), (8, "六间"), (9, "六间"))]
    assert [r.ok for r in rows] == [False, True, False, False, False]
    assert rows[1].values == {"premises.room_count": 1}
    found = [(p.row, p.column, render(p.message)) for p in ctx.problems.items]
    assert found == [
        (5, 0, "应填写整数。"),
        (7, 0, "应填写整数。"),
        (8, 0, "应填写整数，而不是「六间」。"),
        (9, 0, "应填写整数，而不是「六间」。"),
    ]
