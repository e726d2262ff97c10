"""Messy synthetic ledgers (台账) in different communities' styles, each with the EXACT list of errors an
import must report for it (row as Excel numbers it, column letter, message) — and nothing else.

Built on `ledger/samples.py` (community rows, merged titles, formulas, totals and sign-off rows). Used by
test_ledger_command.py and test_ledger_api.py, which import each ledger through the command and through
the API and compare the error lists exactly. The conftest district: 樟树潭社区 (grids 樟树潭一网格
330803001001001, 樟树潭二网格 …002) and 浮石社区 (浮石一网格 330803002001001).

Some expectations need work other helpers are landing (issue 13): `needs` names it, and the tests mark
such a ledger `xfail(strict=True)` until it has landed (a strict xfail fails the day it passes, so the
mark is removed then)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firegrid.registry.ledger import samples
from firegrid.registry.ledger.samples import FULL_WIDTH_DIGITS, community_row, landlord_id

BAD_ID = "330803198001010010"  # a wrong check character (the right one is 6)
ID_CHECKSUM = "身份证号码校验位不正确，请核对后重新输入。"
MOBILE = "手机号码应为以1开头的11位数字。"


@dataclass
class Ledger:
    """One ledger file, who imports it where, and what the check must say about it."""

    name: str
    filename: str
    build: Callable[[], bytes]
    user: str  # username of the conftest persona who imports it
    area: str  # area code passed with it
    kind: str = "premises"
    # The mapping the officer confirms, by header (None: the proposal as it stands); value map by entry.
    headers: list[str] = field(default_factory=list)  # the sheet's header row, when `columns` is given
    columns: dict[str, str] | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column letter, message)
    needs: str = ""  # why the expectation fails until another helper's work lands (strict xfail)

    def data(self) -> bytes:
        return self.build()

    def mapping_yaml(self) -> str | None:
        """The mapping file the command is given (`firegrid ledger import --mapping`), if any."""
        if self.columns is None and not self.values:
            return None
        import yaml
        from openpyxl.utils import get_column_letter

        columns = {
            get_column_letter(self.headers.index(h) + 1): key for h, key in (self.columns or {}).items()
        }
        document = {"kind": self.kind, "headers": self.headers, "columns": columns, "values": self.values}
        return yaml.safe_dump(document, allow_unicode=True)


# --- 樟树潭社区: the sample layout, messy --------------------------------------------------------------------


def _zhangtan() -> bytes:
    """Merged title and a caption, full-width digits and trailing spaces, a blank row every 3 rows, a
    formula with its cached value (fine) and one saved without (an error), a totals row, a sign-off."""
    rows = [community_row(i, "樟树潭一网格", messy=True) for i in range(6)]
    rows[4][5] = BAD_ID
    return samples.write_xlsx(
        rows,
        caption="填报单位：樟树潭社区    填报日期：2024年3月1日",
        blank_every=3,
        # Row numbers: title 1, caption 2, header 3, data 4–6, blank 7, data 8–10, blank 11.
        formulas={"J4": "4", "J9": None},
    )


ZHANGTAN = Ledger(
    name="zhangtan-xlsx",
    filename="樟树潭社区出租房屋台账.xlsx",
    build=_zhangtan,
    user="wanggy",
    area="330803001001001",
    errors=[
        (9, "F", ID_CHECKSUM),
        (9, "J", "单元格是公式但没有计算结果，请在 Excel 中打开并保存后重新上传，或改为填写数值。"),
    ],
)


# --- 浮石社区: GBK CSV with its own headers -------------------------------------------------------------------

FUSHI_HEADERS = ["编号", "网格名称", "地址", "房号", "业主", "证件号", "手机", "面积", "所在层", "群租"]


def _fushi_rows() -> list[list[Any]]:
    rows = []
    for i in range(5):
        rows.append(
            [
                str(i + 1).translate(FULL_WIDTH_DIGITS),
                "浮石一网格",
                f"浮石街道浮石路{20 + i // 2}号",
                f"{i % 2 + 1}楼",
                f"业主{i // 2 + 1}",
                landlord_id(500 + i // 2),
                f"1390000{i // 2:04d}",
                "45",
                str(i % 2 + 1),
                "否",
            ]
        )
    rows[2][6] = "1390000"  # a short mobile (on the landlord's first row: the one whose values count)
    rows[3][8] = "三楼"  # not a floor number
    return rows


def _fushi() -> bytes:
    return samples.write_csv(_fushi_rows(), headers=FUSHI_HEADERS, encoding="gbk")


FUSHI = Ledger(
    name="fushi-gbk-csv",
    filename="浮石社区台账.csv",
    build=_fushi,
    user="outsider",  # the grid worker of 浮石一网格
    area="330803002001001",
    errors=[
        (4, "G", MOBILE),
        (5, "I", "楼层「三楼」无法识别，请写成 3 或 2-4。"),
    ],
)


# --- 樟树潭社区 again, a UTF-8 CSV kept by another grid: rows of a grid outside the importer's scope ---------


def _utf8_csv() -> bytes:
    rows = [community_row(100 + i, "樟树潭二网格") for i in range(3)]
    rows += [community_row(103, "浮石一网格")]  # a row for the other community's grid
    return samples.write_csv(rows, encoding="utf-8")


UTF8_CSV = Ledger(
    name="zhangtan-utf8-csv-other-grid",
    filename="樟树潭二网格.csv",
    build=_utf8_csv,
    user="shequ",  # the community officer of 樟树潭社区
    area="330803001001",
    errors=[(5, "B", "网格「浮石一网格」不在您的管辖范围内，不能导入。")],
)


# --- the rental ledger: its own area words, no 建筑面积 ---------------------------------------------

RENTAL_HEADERS = [
    "序号",
    "社区",
    "网格",
    "房屋地址",
    "房东姓名",
    "身份证号码",
    "联系电话",
    "出租间数",
    "居住人数",
    "备注",
]


def _rental() -> bytes:
    rows = []
    for i in range(4):
        base = community_row(200 + i, "", per_building=1)
        rows.append([i + 1, "樟潭社区", "网格1", base[2], base[4], base[5], base[6], 3, 5, ""])
    return samples.write_xlsx(rows, headers=RENTAL_HEADERS, title="樟潭社区2024年出租房屋台账")


RENTAL_NO_AREA = Ledger(
    name="rental-area-words-no-floor-area",
    filename="出租房屋台账.xlsx",
    build=_rental,
    user="shequ",
    area="330803001001",
    headers=RENTAL_HEADERS,
    columns={
        "社区": "community",
        "网格": "grid",
        "房屋地址": "building.address",
        "房东姓名": "landlord.name",
        "身份证号码": "landlord.id_number",
        "联系电话": "landlord.mobile",
    },
    values={"area": {"樟潭社区 / 网格1": "330803001001001"}},
    errors=[],  # no 建筑面积, no 户号: the premises imports all the same (issue 13, item 1)
)


# --- every error of a row at once, and a duplicate naming the row it repeats --------------------------------


def _every_error() -> bytes:
    headers = ["序号", "社区", "网格", "房屋地址", "户号", "房东姓名", "身份证号码", "联系电话", "建筑面积"]
    rows: list[list[Any]] = []
    for i in range(3):
        base = community_row(300 + i, "", per_building=1)
        rows.append([i + 1, "樟树潭社区", "樟树潭一网格", base[2], "整幢", base[4], base[5], base[6], 80])
    rows.append([4, "不存在社区", "网格9", "樟潭街道测试村999号", "整幢", "房东X", BAD_ID, "12345", 80])
    rows.append([5, *rows[0][1:]])  # row 7 repeats row 3
    return samples.write_xlsx(
        rows, headers=headers, title="出租房屋台账（樟树潭）", totals=False, sign_off=False
    )


EVERY_ERROR = Ledger(
    name="every-error-of-a-row",
    filename="一行多错.xlsx",
    build=_every_error,
    user="shequ",
    area="330803001001",
    errors=[
        # The unknown community named as unknown (not "no grid X in community Y"), and the row's ID and
        # mobile checked all the same (issue 13, item 3).
        (6, "B", "没有找到社区「不存在社区」（本行网格「网格9」），请填写系统中的社区名称。"),
        (6, "G", ID_CHECKSUM),
        (6, "H", MOBILE),
        # The duplicate names the row it repeats and the key that collided.
        (7, "E", "与第 3 行重复：同一建筑内相同的门牌/户号（樟潭街道测试村301号 整幢）。"),
    ],
)


# --- landlords known by name and mobile only (issue 13, item 1: "a landlord's name with ID or mobile") ---------

NO_ID_HEADERS = ["序号", "所属网格", "房屋地址", "户号", "房东姓名", "联系电话", "建筑面积"]


def _no_id_numbers() -> bytes:
    """A sheet without an ID number column: each landlord (two premises each) is known by name and mobile."""
    rows = []
    for i in range(6):
        landlord = i // 2
        rows.append(
            [
                i + 1,
                "樟树潭一网格",
                f"樟潭街道无证村{landlord + 1}号",
                f"{i % 2 + 1}楼",
                f"无证房东{landlord + 1}",
                f"1370000{landlord:04d}",
                "50",
            ]
        )
    return samples.write_xlsx(rows, headers=NO_ID_HEADERS, title="樟树潭一网格出租房屋台账（无身份证号）")


NO_ID_NUMBERS = Ledger(
    name="landlords-by-name-and-mobile",
    filename="无身份证号台账.xlsx",
    build=_no_id_numbers,
    user="wanggy",
    area="330803001001001",
    errors=[],  # three landlords, registered 待核实 with their ID numbers to verify
)

PARTIAL_ID_HEADERS = [
    "序号",
    "所属网格",
    "房屋地址",
    "户号",
    "房东姓名",
    "身份证号码",
    "联系电话",
    "建筑面积",
]


def _partial_ids() -> bytes:
    """Some landlords with an ID number, some without; rows that identify no landlord."""
    grid = "樟树潭一网格"
    rows = [
        [1, grid, "樟潭街道半证村1号", "1楼", "钱一", landlord_id(601), "13600000001", "40"],  # row 2
        [2, grid, "樟潭街道半证村2号", "1楼", "孙二", "", "13600000002", "40"],  # 3: by name and mobile
        [3, grid, "樟潭街道半证村2号", "2楼", "孙二", "", "13600000002", "40"],  # 4: the same landlord
        [4, grid, "樟潭街道半证村3号", "1楼", "李三", "", "", "40"],  # 5: neither ID nor mobile
        [5, grid, "樟潭街道半证村4号", "1楼", "", "", "13600000005", "40"],  # 6: a mobile without a name
        [6, grid, "樟潭街道半证村5号", "1楼", "孙二", landlord_id(602), "13600000002", "40"],  # 7: 孙二's ID
        [7, grid, "樟潭街道半证村2号", "1楼", "孙二", "", "13600000002", "40"],  # 8: repeats row 3
    ]
    return samples.write_csv(rows, headers=PARTIAL_ID_HEADERS, encoding="utf-8")


PARTIAL_IDS = Ledger(
    name="some-landlords-without-id-numbers",
    filename="部分无身份证号.csv",
    build=_partial_ids,
    user="wanggy",
    area="330803001001001",
    errors=[
        (5, "F", "必须填写房东身份证号码或手机号码。"),
        (6, "E", "必须填写房东姓名。"),
        (8, "D", "与第 3 行重复：同一建筑内相同的门牌/户号（樟潭街道半证村2号 1楼）。"),
    ],
)

LANDLORD_HEADERS = ["序号", "姓名", "身份证号码", "手机号码", "网格"]


def _landlords() -> bytes:
    grid = "樟树潭一网格"
    rows = [
        [1, "周一", landlord_id(611), "13500000001", grid],  # row 2
        [2, "吴二", "", "13500000002", grid],  # 3: by name and mobile
        [3, "吴二", "", "13500000002", grid],  # 4: the same landlord again
        [4, "郑三", "", "", grid],  # 5: neither ID nor mobile
        [5, "周一", landlord_id(611), "13500000009", grid],  # 6: the same ID number again
        [6, "吴二", landlord_id(612), "13500000002", grid],  # 7: row 3's landlord, its ID given
        [7, "王四", landlord_id(614), "", grid],  # 8: an ID number without a mobile is enough
    ]
    return samples.write_xlsx(rows, headers=LANDLORD_HEADERS, title=None, totals=False, sign_off=False)


LANDLORDS = Ledger(
    name="landlord-ledger-keys",
    filename="房东台账.xlsx",
    build=_landlords,
    user="shequ",
    area="330803001001",
    kind="landlord",
    errors=[
        (4, "D", "姓名和手机号码「吴二 13500000002」与第 3 行重复。"),
        (5, "C", "必须填写房东身份证号码或手机号码。"),
        (6, "C", f"身份证号码「{landlord_id(611)}」与第 2 行重复。"),
        (7, "D", "姓名和手机号码「吴二 13500000002」与第 3 行重复。"),
    ],
)


LEDGERS = [
    ZHANGTAN,
    FUSHI,
    UTF8_CSV,
    RENTAL_NO_AREA,
    EVERY_ERROR,
    NO_ID_NUMBERS,
    PARTIAL_IDS,
    LANDLORDS,
]
