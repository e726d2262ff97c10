"""Ledgers as communities make them, generated in memory for the tests and the import benchmark: a merged
title row, the community's own headers and column order, full-width digits, trailing spaces, formulas,
blank lines, a totals row and a sign-off line."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from firegrid.core.validators import id_check_character

# A community's own premises sheet: its order, its names (not Firegrid's template).
COMMUNITY_HEADERS = [
    "序号",
    "所属网格",
    "房屋地址",
    "户号",
    "房东姓名",
    "身份证号码",
    "联系电话",
    "出租类型",
    "所在楼层",
    "出租间数",
    "建筑面积（㎡）",
    "是否群租",
    "备注",
]
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def id_number(serial: int, born: str = "19800101", region: str = "330803") -> str:
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def landlord_id(n: int) -> str:
    """A valid, distinct ID per n (birth date varies with n so more than 1,000 landlords differ)."""
    year = 1950 + (n // 1000) % 50
    month = 1 + (n // 50_000) % 12
    return id_number(n, born=f"{year}{month:02d}{1 + (n // 1000) // 50 % 28:02d}")


def community_row(n: int, grid_name: str, *, per_building: int = 3, messy: bool = False) -> list[Any]:
    """Row n of a community premises ledger; `per_building` premises share a building address."""
    building = n // per_building
    unit = n % per_building
    landlord = building  # one landlord per building, as in most villages
    mobile = f"138{landlord:08d}"[-11:]
    row: list[Any] = [
        n + 1,
        grid_name,
        f"樟潭街道测试村{building + 1}号",
        f"{unit + 1}0{unit + 1}室" if per_building > 1 else "整幢",
        f"房东{landlord + 1}",
        landlord_id(landlord),
        mobile,
        "出租房",
        str(unit + 1),
        4,
        "60.5",
        "否",
        "",
    ]
    if messy:
        row[2] = row[2].translate(FULL_WIDTH_DIGITS) + "  "  # full-width digits, trailing spaces
        row[6] = row[6].translate(FULL_WIDTH_DIGITS)
        row[4] = f" {row[4]}\u3000"
    return row


# 出租房屋台账 as a community keeps it: the premises sheet's columns plus the landlord's four-category
# class and employer, the residents, and a column of its own that no field holds (kept with the premises).
RENTAL_HEADERS = [
    *COMMUNITY_HEADERS[:7],
    "四类人员类别",
    "工作单位",
    *COMMUNITY_HEADERS[7:10],
    "居住人数",
    *COMMUNITY_HEADERS[10:],
    "消防器材",
]
# Employer units the rental rows name (a benchmark or test registers them first: an unknown one is an error).
RENTAL_UNITS = ("樟潭街道办事处", "衢江区教育局", "衢江区卫生健康局")


def rental_row(n: int, grid_name: str, *, per_building: int = 3, messy: bool = False) -> list[Any]:
    """Row n of a community rental ledger (RENTAL_HEADERS), built on `community_row`: every 7th landlord a
    party member working at one of RENTAL_UNITS, every 11th an official whose unit the ledger lacks
    (registered as to verify), the rest 否; the same values on every row of a landlord."""
    row = community_row(n, grid_name, per_building=per_building, messy=messy)
    landlord = n // per_building
    if landlord % 7 == 0:
        category, unit = "党员", RENTAL_UNITS[landlord % len(RENTAL_UNITS)]
    elif landlord % 11 == 0:
        category, unit = "干部", ""
    else:
        category, unit = "否", ""
    residents = 2 + n % 5
    remark = "有电动车" if n % 4 == 0 else ""
    equipment = f"灭火器{1 + n % 3}具"
    return [*row[:7], category, unit, *row[7:10], residents, row[10], row[11], remark, equipment]


def write_xlsx(
    rows: Iterable[list[Any]],
    *,
    headers: list[str] = COMMUNITY_HEADERS,
    title: str | None = "樟树潭社区出租房屋消防安全排查台账",
    caption: str | None = None,
    totals: bool = True,
    sign_off: bool = True,
    blank_every: int = 0,
    formulas: dict[str, str | None] | None = None,
    write_only: bool = False,
) -> bytes:
    """An .xlsx: title row (merged across the header's width), header, data rows (a blank row every
    `blank_every` rows), a totals row, a sign-off line. `formulas` maps a cell ("K5") to a formula's
    cached value — None for a formula saved without one (as programs save them)."""
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("台账") if write_only else workbook.active
    if not write_only:
        sheet.title = "台账"
    count = 0
    if title:
        sheet.append([title])
        if not write_only:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    if caption:
        sheet.append([caption])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        count += 1
        if blank_every and count % blank_every == 0:
            sheet.append([])
    if totals:
        sheet.append(["合计", None, None, None, None, None, None, None, None, None, None, None, None])
    if sign_off:
        sheet.append(["填表人：王网格员        审核人："])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return _with_formulas(data, formulas) if formulas else data


def _with_formulas(data: bytes, formulas: dict[str, str | None]) -> bytes:
    """Turn cells into formulas, with or without a cached value, by editing the sheet's XML (openpyxl
    itself never writes cached values)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                for ref, cached in formulas.items():
                    cell = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)')
                    value = "" if cached is None else f"<v>{cached}</v>"
                    xml, n = cell.subn(f'<c r="{ref}"><f>1+1</f>{value}</c>', xml)
                    if not n:
                        raise ValueError(f"cell {ref} not found")
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def write_csv(
    rows: Iterable[list[Any]], *, headers: list[str] = COMMUNITY_HEADERS, encoding: str = "utf-8"
) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)
