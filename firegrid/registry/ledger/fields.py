"""The columns a ledger of each kind may have: the Firegrid field each stands for, the header names
communities use for it (matched after `values.header_key`), how its cells are read, and the text of the
downloadable template. One table per kind, because the same header means different things in different
sheets (姓名 is the landlord in a premises ledger and the household head in a tenant ledger)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from firegrid.registry.choices import (
    BuildingStructure,
    BuildingUse,
    PremisesKind,
    PremisesStatus,
    RoomUse,
)

from . import values as v
from .choices import ImportKind
from .values import header_key


@dataclass(frozen=True)
class LedgerField:
    """One Firegrid field a ledger column can be mapped to."""

    key: str  # "<target>.<attribute>" (target: building, premises, landlord, room, tenant) or grid/community
    label: str | Promise  # the header of the downloadable template
    synonyms: tuple[str, ...]  # header names seen in real ledgers, besides the label
    convert: Callable[[object], object] = v.to_text
    required: bool = False
    help: str | Promise = ""
    example: str = ""
    sniff: str = ""  # "id_number" or "mobile": recognisable from sample values alone
    # Required unless this other field has a column: a landlord is known by ID number, or else by name and
    # mobile (a community's ledger often has no ID numbers).
    unless: str = ""

    @property
    def target(self) -> str:
        return self.key.partition(".")[0]

    @property
    def attr(self) -> str:
        return self.key.partition(".")[2] or self.key

    def header_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(s) for s in (str(self.label), *self.synonyms) if s))


# --- shared columns ---------------------------------------------------------------------------------

GRID = LedgerField(
    "grid",
    _("网格"),
    ("网格", "网格名称", "所属网格", "网格编码", "网格号", "网格编号"),
    help=_("网格名称或编码。不填时使用导入时选择的默认网格。"),
    example="樟树潭一网格",
)
COMMUNITY = LedgerField(
    "community",
    _("社区"),
    ("社区", "所属社区", "社区名称", "村", "村社", "社区村", "村社区", "行政村"),
    help=_("网格名称在多个社区重复时用来区分；只有一个网格的社区可只填社区。"),
    example="樟树潭社区",
)
ADDRESS = LedgerField(
    "building.address",
    _("地址"),
    (
        "地址",
        "门牌",
        "门牌号",
        "详细地址",
        "房屋地址",
        "出租房屋地址",
        "出租屋地址",
        "建筑地址",
        "房屋坐落",
        "坐落",
        "楼栋地址",
        "地址门牌",
        "门牌地址",
        "房屋位置",
    ),
    required=True,
    help=_("建筑的门牌地址，与网格一起确定是哪一幢建筑。"),
    example="樟潭街道樟树潭村12号",
)
UNIT_LABEL = LedgerField(
    "premises.unit_label",
    _("门牌/户号"),
    ("户号", "室号", "房号", "门牌户号", "出租部位", "房屋部位", "单元户号", "户室号", "单元室号", "部位"),
    help=_("建筑内的哪一户，如 2单元301、1楼东侧店面。不填按“整幢”。"),
    example="整幢",
)

BUILDING_DETAIL = [
    LedgerField(
        "building.name",
        _("楼名/幢号"),
        ("楼名", "幢号", "楼号", "栋号", "楼栋", "楼栋名称", "建筑名称"),
        example="1幢",
    ),
    LedgerField(
        "building.floors",
        _("层数"),
        ("层数", "地上层数", "总层数", "建筑层数", "楼层数", "房屋层数"),
        v.to_int,
        help=_("地上层数。出租户台账不填时，新建筑按各户所在的最高楼层登记。"),
        example="4",
    ),
    LedgerField("building.height_m", _("建筑高度"), ("建筑高度", "高度", "楼高"), v.to_decimal, example="12"),
    LedgerField(
        "building.structure",
        _("结构"),
        ("结构", "建筑结构", "房屋结构", "结构类型"),
        v.choice_converter(
            BuildingStructure,
            {
                "砖混结构": BuildingStructure.BRICK_CONCRETE,
                "混合": BuildingStructure.BRICK_CONCRETE,
                "框架结构": BuildingStructure.FRAME,
                "钢混": BuildingStructure.FRAME,
                "钢筋混凝土": BuildingStructure.FRAME,
                "砖木结构": BuildingStructure.BRICK_WOOD,
                "木": BuildingStructure.WOOD,
                "木质": BuildingStructure.WOOD,
                "钢": BuildingStructure.STEEL,
            },
        ),
        example="砖混",
    ),
    LedgerField(
        "building.year_built",
        _("建成年份"),
        ("建成年份", "建造年份", "建成年代", "建造年代", "建成时间"),
        v.to_int,
        example="2005",
    ),
    LedgerField(
        "building.use",
        _("建筑用途"),
        ("建筑用途", "房屋用途", "用途", "房屋性质"),
        v.choice_converter(
            BuildingUse,
            {
                "自建房": BuildingUse.SELF_BUILT,
                "农民房": BuildingUse.SELF_BUILT,
                "农居房": BuildingUse.SELF_BUILT,
                "民房": BuildingUse.SELF_BUILT,
                "商住": BuildingUse.MIXED,
                "厂房": BuildingUse.INDUSTRIAL,
                "仓库": BuildingUse.INDUSTRIAL,
            },
        ),
        example="农民自建房",
    ),
    LedgerField("building.latitude", _("纬度"), ("纬度", "lat"), v.to_decimal, example="28.9785"),
    LedgerField("building.longitude", _("经度"), ("经度", "lng", "lon"), v.to_decimal, example="118.9624"),
]

# Landlord columns as a premises ledger carries them inline.
LANDLORD_NAME = LedgerField(
    "landlord.name",
    _("房东姓名"),
    (
        "房东姓名",
        "业主姓名",
        "户主",
        "户主姓名",
        "房东",
        "业主",
        "出租人",
        "出租人姓名",
        "房主",
        "房主姓名",
        "产权人",
        "产权人姓名",
        "姓名",
    ),
    required=True,
    example="张建国",
)
LANDLORD_ID = LedgerField(
    "landlord.id_number",
    _("身份证号码"),
    (
        "身份证号",
        "身份证号码",
        "身份证",
        "证件号码",
        "证件号",
        "公民身份号码",
        "房东身份证号",
        "房东身份证号码",
        "业主身份证号码",
    ),
    v.to_id_number,
    required=True,
    help=_(
        "18位居民身份证号码，用来识别房东；没有时按房东姓名和联系电话识别（登记为待核实）。"
        "请把该列设为“文本”格式。"
    ),
    example="330803198001010014",
    sniff="id_number",
    unless="landlord.mobile",
)
LANDLORD_MOBILE = LedgerField(
    "landlord.mobile",
    _("联系电话"),
    ("联系电话", "手机", "手机号码", "手机号", "电话", "联系方式", "房东电话", "房东联系电话", "电话号码"),
    v.to_mobile,
    help=_("11位手机号码。"),
    example="13800000000",
    sniff="mobile",
)

PREMISES_DETAIL = [
    LedgerField(
        "premises.kind",
        _("类型"),
        ("类型", "房屋类型", "出租类型", "场所类型", "出租户类型", "类别"),
        v.choice_converter(
            PremisesKind,
            {
                "出租房屋": PremisesKind.RESIDENTIAL,
                "住宅": PremisesKind.RESIDENTIAL,
                "居住": PremisesKind.RESIDENTIAL,
                "民房": PremisesKind.RESIDENTIAL,
                "出租屋": PremisesKind.RESIDENTIAL,
                "商铺": PremisesKind.SHOP,
                "店面": PremisesKind.SHOP,
                "门面": PremisesKind.SHOP,
                "沿街商铺": PremisesKind.SHOP,
                "三合一": PremisesKind.MIXED_USE,
                "三合一场所": PremisesKind.MIXED_USE,
                "多合一": PremisesKind.MIXED_USE,
                "多合一场所": PremisesKind.MIXED_USE,
                "合用": PremisesKind.MIXED_USE,
            },
        ),
        help=_("出租房、出租商铺或合用场所（三合一）。不填按出租房。"),
        example="出租房",
    ),
    LedgerField(
        "premises.is_shared_rental",
        _("群租房"),
        ("群租房", "是否群租", "群租", "是否群租房"),
        v.to_bool,
        example="否",
    ),
    LedgerField(
        "premises.floors",
        _("楼层"),
        ("楼层", "所在楼层", "出租楼层", "所在层"),
        v.to_floor_range,
        help=_("该户所在楼层，如 3、2-4 或 整幢。"),
        example="1-4",
    ),
    LedgerField("premises.floor_from", _("起始楼层"), ("起始楼层", "起始层"), v.to_int),
    LedgerField("premises.floor_to", _("结束楼层"), ("结束楼层", "结束层", "终止楼层"), v.to_int),
    LedgerField(
        "premises.floor_area_m2",
        _("建筑面积"),
        ("建筑面积", "面积", "出租面积", "房屋面积", "总面积", "出租建筑面积"),
        v.to_decimal,
        help=_("平方米。台账没有时可不填：出租户登记为面积待核实。"),
        example="360",
    ),
    LedgerField(
        "premises.status",
        _("状态"),
        ("状态", "出租状态", "租赁状态", "使用状态"),
        v.choice_converter(
            PremisesStatus,
            {
                "出租": PremisesStatus.ACTIVE,
                "已出租": PremisesStatus.ACTIVE,
                "闲置": PremisesStatus.VACANT,
                "拆除": PremisesStatus.DEMOLISHED,
            },
        ),
        example="在租",
    ),
    LedgerField(
        "premises.business_name",
        _("字号/经营名称"),
        ("字号", "经营名称", "店名", "商铺名称", "店铺名称", "经营户名称", "招牌名称", "经营者名称"),
        help=_("商铺和合用场所的字号；台账没有时登记为待核实。"),
    ),
    LedgerField(
        "premises.room_count",
        _("出租间数"),
        ("出租间数", "房间数", "间数", "出租房间数", "房间数量", "出租间数间"),
        v.to_int,
        help=_("核对用：与已登记的房间数不同时提醒。不会自动生成房间（房间面积未知），请用房间台账导入。"),
        example="6",
    ),
]

# --- the columns of each kind -----------------------------------------------------------------------

PREMISES_FIELDS = [
    GRID,
    COMMUNITY,
    ADDRESS,
    UNIT_LABEL,
    *PREMISES_DETAIL,
    LANDLORD_NAME,
    LANDLORD_ID,
    LANDLORD_MOBILE,
    *BUILDING_DETAIL,
]

BUILDING_FIELDS = [
    GRID,
    COMMUNITY,
    ADDRESS,
    *[
        LedgerField(f.key, f.label, f.synonyms, f.convert, True, f.help, f.example)
        if f.key == "building.floors"
        else f
        for f in BUILDING_DETAIL
    ],
]

LANDLORD_FIELDS = [
    LedgerField(
        LANDLORD_NAME.key,
        _("姓名"),
        LANDLORD_NAME.synonyms,
        required=True,
        example=LANDLORD_NAME.example,
    ),
    LANDLORD_ID,
    LANDLORD_MOBILE,
    LedgerField(
        "landlord.address",
        _("住址"),
        ("住址", "户籍地址", "家庭住址", "现住址", "居住地址", "地址", "户籍地"),
        example="衢江区樟潭街道樟树潭村12号",
    ),
    LedgerField(
        GRID.key,
        _("登记网格"),
        (*GRID.synonyms, "登记网格"),
        help=_("房东登记所在的网格（名称或编码）。不填时使用导入时选择的默认网格。"),
        example=GRID.example,
    ),
    COMMUNITY,
    LedgerField("landlord.is_party_member", _("党员"), ("党员", "是否党员"), v.to_bool, example="否"),
    LedgerField("landlord.is_official", _("干部"), ("干部", "是否干部"), v.to_bool, example="否"),
    LedgerField(
        "landlord.is_deputy", _("两代表一委员"), ("两代表一委员", "是否两代表一委员"), v.to_bool, example="否"
    ),
    LedgerField(
        "landlord.is_public_payroll",
        _("财政供养人员"),
        ("财政供养人员", "是否财政供养人员", "财政供养"),
        v.to_bool,
        example="否",
    ),
    LedgerField(
        "landlord.employer_unit",
        _("工作单位"),
        ("工作单位", "单位", "所在单位", "工作单位名称", "单位名称"),
        help=_("已登记的单位名称；四类人员必填。"),
    ),
]

# Rooms and tenant households are placed by their premises: grid + address + unit label.
PREMISES_LOCATOR = [
    GRID,
    COMMUNITY,
    ADDRESS,
    LedgerField(
        UNIT_LABEL.key,
        UNIT_LABEL.label,
        ("户号", "门牌户号", "出租户", "出租部位", "单元户号", "户室号"),
        help=_("出租户的门牌/户号，不填按“整幢”。出租户须已登记。"),
        example=UNIT_LABEL.example,
    ),
]

ROOM_FIELDS = [
    *PREMISES_LOCATOR,
    LedgerField(
        "room.number",
        _("房间号"),
        ("房间号", "房号", "房间", "房间编号", "室号", "房间名称"),
        required=True,
        example="201",
    ),
    LedgerField(
        "room.area_m2",
        _("使用面积"),
        ("使用面积", "面积", "房间面积"),
        v.to_decimal,
        required=True,
        help=_("平方米。各房间面积之和不能超过出租户的建筑面积。"),
        example="15",
    ),
    LedgerField(
        "room.use",
        _("用途"),
        ("用途", "房间用途", "使用性质"),
        v.choice_converter(
            RoomUse,
            {
                "住人": RoomUse.SLEEPING,
                "居住": RoomUse.SLEEPING,
                "住宿": RoomUse.SLEEPING,
                "仓库": RoomUse.STORAGE,
                "店面": RoomUse.BUSINESS,
                "生产": RoomUse.BUSINESS,
            },
        ),
        example="卧室",
    ),
    LedgerField(
        "room.occupants", _("居住人数"), ("居住人数", "人数", "住人数", "入住人数"), v.to_int, example="2"
    ),
    LedgerField(
        "room.has_window",
        _("有外窗"),
        ("有外窗", "外窗", "是否有窗", "窗户", "有无外窗"),
        v.to_bool,
        example="是",
    ),
]

TENANT_FIELDS = [
    *PREMISES_LOCATOR,
    LedgerField(
        "tenant.room",
        _("房间号"),
        ("房间号", "房间", "房号", "居住房间"),
        help=_("须是该出租户已登记的房间。"),
    ),
    LedgerField(
        "tenant.head_name",
        _("户主姓名"),
        ("户主姓名", "租户姓名", "承租人", "承租人姓名", "姓名", "户主", "租户"),
        required=True,
        example="王小明",
    ),
    LedgerField(
        "tenant.id_number",
        _("身份证号码"),
        ("身份证号码", "身份证号", "身份证", "证件号码", "证件号", "公民身份号码", "承租人身份证号"),
        v.to_id_number,
        required=True,
        example="330803199505050017",
        sniff="id_number",
    ),
    LedgerField(
        "tenant.mobile",
        _("手机号码"),
        ("联系电话", "手机", "手机号码", "手机号", "电话", "联系方式"),
        v.to_mobile,
        example="13900000000",
        sniff="mobile",
    ),
    LedgerField(
        "tenant.people",
        _("人数"),
        ("人数", "居住人数", "同住人数", "家庭人数", "户人数"),
        v.to_int,
        example="2",
    ),
    LedgerField(
        "tenant.moved_in",
        _("入住日期"),
        ("入住日期", "入住时间", "租住时间", "起租日期", "承租日期", "租赁起始日期", "租住日期"),
        v.to_date,
        required=True,
        example="2024-03-01",
    ),
    LedgerField(
        "tenant.moved_out", _("搬离日期"), ("搬离日期", "搬离时间", "退租日期", "搬出日期"), v.to_date
    ),
]

# 出租房屋台账: the premises columns plus the landlord's four-category and unit, and the premises' residents.
RENTAL_FIELDS = [
    *PREMISES_FIELDS,
    LedgerField(
        "landlord.four_category",
        _("四类人员类别"),
        ("四类人员类别", "四类人员", "人员类别", "房东类别", "四类人员类型", "身份类别"),
        v.to_four_category,
        help=_("党员、干部、两代表一委员、财政供养人员（可填多个，用顿号分开）；不是填“否”。"),
        example="否",
    ),
    LedgerField(
        "landlord.employer_unit",
        _("工作单位"),
        ("工作单位", "房东工作单位", "所在单位", "工作单位名称", "单位名称"),
        help=_("已登记的单位名称；四类人员没有填写时登记为待核实。"),
    ),
    LedgerField(
        "premises.residents",
        _("居住人数"),
        ("居住人数", "住户人数", "租住人数", "入住人数", "实住人数", "人数"),
        v.to_int,
        help=_("核对用，随出租户保存在“台账其他信息”中。"),
        example="8",
    ),
]

KIND_FIELDS: dict[str, list[LedgerField]] = {
    ImportKind.PREMISES: PREMISES_FIELDS,
    ImportKind.BUILDING: BUILDING_FIELDS,
    ImportKind.ROOM: ROOM_FIELDS,
    ImportKind.LANDLORD: LANDLORD_FIELDS,
    ImportKind.TENANT_HOUSEHOLD: TENANT_FIELDS,
    ImportKind.RENTAL_LEDGER: RENTAL_FIELDS,
}


def fields_for(kind: str) -> dict[str, LedgerField]:
    return {f.key: f for f in KIND_FIELDS[kind]}


# A mapping without a grid column falls back on the job's default grid; a ledger without a unit label
# is a whole-building rental (整幢). Everything else marked required must have a column.
DEFAULTED = frozenset({"grid", "premises.unit_label"})


def missing_required(kind: str, mapped: set[str]) -> list[LedgerField]:
    missing = []
    for f in KIND_FIELDS[kind]:
        if not f.required or f.key in mapped or f.key in DEFAULTED or f.unless in mapped:
            continue
        missing.append(replace(f, label=requirement_label(kind, f)) if f.unless else f)
    return missing


def requirement_label(kind: str, f: LedgerField) -> str | Promise:
    """A required field as the mapping page names it: "身份证号码或联系电话" for one that another may replace."""
    if not f.unless:
        return f.label
    return _("%(field)s或%(other)s") % {"field": f.label, "other": fields_for(kind)[f.unless].label}
