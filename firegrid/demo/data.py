"""Fixed data the demo district is built from: the area tree of 衢江区, departments, units and name pools.

Subdistrict names are Qujiang's real ones; community, street, unit and business names are plausible
inventions, and every person is generated (no real names, ID numbers or phone numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from firegrid.areas.choices import DepartmentKind, UnitKind

DISTRICT_NAME = "衢江区"
DISTRICT_CODE = "330803"
# Resident ID numbers of people registered in the district start with its code.
LOCAL_REGION = DISTRICT_CODE


@dataclass(frozen=True)
class SubdistrictData:
    name: str
    short: str  # used in business names and community names: 樟潭, 上方 …
    code_suffix: str  # statistical convention: 街道 0xx, 镇 1xx, 乡 2xx
    lat: float  # centre: the seed of its outline and of its seat community's (generator.outlines)
    lng: float
    share: int  # per mille of the registry (buildings); the total is 1000
    communities: tuple[str, ...] = ()  # fixed names; empty means generated (2–3)
    # Weight of a building here when shops and mixed-use premises are placed (the town centre has more).
    shop_weight: int = 6


SUBDISTRICTS: tuple[SubdistrictData, ...] = (
    # The town centre next to the industrial zones: about half of the registry (mission.md).
    SubdistrictData(
        "樟潭街道",
        "樟潭",
        "001",
        28.982,
        118.930,
        500,
        ("樟树潭社区", "东港社区", "沿江社区", "樟潭村", "花园社区", "城东社区", "江滨社区", "新樟村"),
        shop_weight=12,
    ),
    SubdistrictData(
        "浮石街道",
        "浮石",
        "002",
        28.958,
        118.902,
        180,
        ("浮石社区", "振兴社区", "吉祥社区", "安仁社区", "浮石村", "华家村"),
        shop_weight=10,
    ),
    SubdistrictData("上方镇", "上方", "101", 28.862, 118.982, 26, shop_weight=7),
    SubdistrictData("峡川镇", "峡川", "102", 28.884, 119.118, 20, shop_weight=7),
    SubdistrictData("莲花镇", "莲花", "103", 29.046, 118.852, 34, shop_weight=7),
    SubdistrictData("全旺镇", "全旺", "104", 28.902, 118.861, 30, shop_weight=7),
    SubdistrictData("大洲镇", "大洲", "105", 28.921, 119.047, 22, shop_weight=7),
    SubdistrictData("后溪镇", "后溪", "106", 29.018, 119.021, 24, shop_weight=7),
    SubdistrictData("廿里镇", "廿里", "107", 28.968, 119.062, 36, shop_weight=7),
    SubdistrictData("湖南镇", "湖南", "108", 28.838, 118.921, 18, shop_weight=7),
    SubdistrictData("高家镇", "高家", "109", 29.021, 118.968, 30, shop_weight=7),
    SubdistrictData("杜泽镇", "杜泽", "110", 29.098, 119.048, 32, shop_weight=7),
    SubdistrictData("太真乡", "太真", "201", 29.158, 119.098, 6),
    SubdistrictData("灰坪乡", "灰坪", "202", 29.148, 119.002, 7),
    SubdistrictData("举村乡", "举村", "203", 28.838, 119.098, 9),
    SubdistrictData("岭洋乡", "岭洋", "204", 28.842, 119.158, 8),
    SubdistrictData("周家乡", "周家", "205", 28.862, 119.062, 9),
    SubdistrictData("云溪乡", "云溪", "206", 29.002, 118.902, 9),
)
assert sum(s.share for s in SUBDISTRICTS) == 1000

# Villages for the towns' generated communities (drawn without replacement, so names never repeat).
VILLAGE_POOL = (
    "新塘村", "下张村", "石门村", "黄坛村", "后山村", "前畈村", "上徐村", "大路村", "塘坞村", "横路村",
    "桥头村", "湖头村", "溪口村", "沙湾村", "高坪村", "西山村", "东坑村", "上叶村", "下叶村", "柏树村",
    "枫林村", "竹园村", "田畈村", "金坑村", "马埠村", "王家村", "何家村", "徐家坞村", "庙前村", "山底村",
    "茶坪村", "岭头村", "凉亭村", "长丰村", "黄泥村", "洋坞村", "坑口村", "龙门村", "双桥村",
)  # fmt: skip

# Roads of the two urban subdistricts, shared out among their residents' communities.
URBAN_STREETS = {
    "樟潭": (
        "沿江路", "樟潭路", "东港路", "振兴东路", "新兴路", "花园路", "建设路", "通港路", "江滨路", "樟东路",
        "人民路", "和平路", "文化路", "朝阳路", "工业路", "南湖路", "北环路", "站前路", "长安路", "民主路",
        "幸福路", "园林路", "桂花路", "玉兰路", "香樟路", "创业路", "兴业路", "光明路", "商贸街", "樟潭老街",
    ),
    "浮石": (
        "浮石路", "振兴西路", "吉祥路", "安仁路", "浮石老街", "衢江路", "华家路", "滨江西路", "春晖路", "秀水路",
        "锦绣路", "翠竹路", "紫薇路", "浮江路", "平安路", "兴华路",
    ),
}  # fmt: skip
# A town's own residents' community (at the town seat) gets its streets from these endings.
TOWN_STREET_ENDINGS = ("大道", "中路", "东路", "西路", "南街", "北街", "老街", "新街")

CHINESE_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("衢江区消防救援大队", DepartmentKind.FIRE),
    ("衢江区住房和城乡建设局", DepartmentKind.HOUSING),
    ("衢江区市场监督管理局", DepartmentKind.MARKET),
    ("衢江区综合行政执法局", DepartmentKind.ENFORCEMENT),
    ("衢州市公安局衢江分局", DepartmentKind.POLICE),
    ("衢江区应急管理局", DepartmentKind.EMERGENCY),
)


@dataclass(frozen=True)
class UnitData:
    name: str
    kind: str
    # Relative chance of employing a given four-category landlord (big employers weigh more).
    weight: int
    subdistrict: str = ""  # short name of the subdistrict it sits in; blank means district level


_G, _I, _E = UnitKind.GOVERNMENT, UnitKind.INSTITUTION, UnitKind.ENTERPRISE

UNITS: tuple[UnitData, ...] = (
    UnitData("衢江区委办", _G, 3),
    UnitData("衢江区政府办", _G, 3),
    UnitData("衢江区委组织部", _G, 2),
    UnitData("衢江区委宣传部", _G, 2),
    UnitData("衢江区委统战部", _G, 1),
    UnitData("衢江区委政法委", _G, 1),
    UnitData("衢江区纪委监委", _G, 2),
    UnitData("衢江区人大办", _G, 1),
    UnitData("衢江区政协办", _G, 1),
    UnitData("衢江区发改局", _G, 2),
    UnitData("衢江区经信局", _G, 2),
    UnitData("衢江区教育局", _G, 4),
    UnitData("衢江区科技局", _G, 1),
    UnitData("衢江区民政局", _G, 2),
    UnitData("衢江区司法局", _G, 1),
    UnitData("衢江区财政局", _G, 3),
    UnitData("衢江区人社局", _G, 2),
    UnitData("衢江区规划资源分局", _G, 2),
    UnitData("衢江区生态环境分局", _G, 1),
    UnitData("衢江区住建局", _G, 3),
    UnitData("衢江区交通运输局", _G, 2),
    UnitData("衢江区水利局", _G, 2),
    UnitData("衢江区农业农村局", _G, 3),
    UnitData("衢江区商务局", _G, 1),
    UnitData("衢江区文广旅体局", _G, 1),
    UnitData("衢江区卫健局", _G, 3),
    UnitData("衢江区退役军人事务局", _G, 1),
    UnitData("衢江区应急管理局", _G, 1),
    UnitData("衢江区审计局", _G, 1),
    UnitData("衢江区市场监管局", _G, 2),
    UnitData("衢江区统计局", _G, 1),
    UnitData("衢江区医保分局", _G, 1),
    UnitData("衢江区综合执法局", _G, 2),
    UnitData("衢江区人民法院", _G, 2),
    UnitData("衢江区人民检察院", _G, 1),
    UnitData("衢江区总工会", _G, 1),
    UnitData("衢江区团委", _G, 1),
    UnitData("衢江区妇联", _G, 1),
    UnitData("衢江区税务局", _G, 2),
    UnitData("衢江区樟潭街道办事处", _G, 9, "樟潭"),
    UnitData("衢江区浮石街道办事处", _G, 5, "浮石"),
    UnitData("衢江区杜泽镇人民政府", _G, 2, "杜泽"),
    UnitData("衢江区廿里镇人民政府", _G, 2, "廿里"),
    UnitData("衢江区实验中学", _I, 5),
    UnitData("衢江区第二中学", _I, 4),
    UnitData("衢江区樟潭中学", _I, 5, "樟潭"),
    UnitData("衢江区樟潭小学", _I, 5, "樟潭"),
    UnitData("衢江区浮石小学", _I, 3, "浮石"),
    UnitData("衢江区实验小学", _I, 3),
    UnitData("衢江区杜泽中学", _I, 2, "杜泽"),
    UnitData("衢江区中等职业学校", _I, 2),
    UnitData("衢江区实验幼儿园", _I, 1),
    UnitData("衢江区人民医院", _I, 6),
    UnitData("衢江区中医医院", _I, 4),
    UnitData("衢江区妇幼保健院", _I, 2),
    UnitData("衢江区疾病预防控制中心", _I, 1),
    UnitData("衢江区樟潭社区卫生服务中心", _I, 2, "樟潭"),
    UnitData("衢江区城市建设投资集团有限公司", _E, 2),
    UnitData("衢江区国有资产经营有限公司", _E, 1),
    UnitData("衢江区水务有限公司", _E, 1),
    UnitData("衢江区公共交通有限公司", _E, 1),
    UnitData("衢江区鑫达纸业有限公司", _E, 2, "樟潭"),
    UnitData("衢江区宏远化工有限公司", _E, 1, "樟潭"),
)

# --- people ---------------------------------------------------------------------------------------

# Common surnames, roughly by frequency, with Quzhou's local ones (徐 郑 吴 祝 毛 汪 姜 余 叶 …) weighted up.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 30), ("李", 26), ("张", 26), ("刘", 20), ("陈", 20), ("杨", 14), ("黄", 12), ("赵", 12),
    ("吴", 16), ("周", 16), ("徐", 22), ("孙", 8), ("马", 7), ("朱", 9), ("胡", 10), ("郭", 6),
    ("何", 6), ("高", 6), ("林", 6), ("罗", 5), ("郑", 16), ("梁", 4), ("谢", 4), ("宋", 4),
    ("唐", 4), ("许", 4), ("韩", 3), ("冯", 3), ("邓", 3), ("曹", 3), ("彭", 3), ("曾", 3),
    ("肖", 3), ("田", 3), ("董", 3), ("袁", 3), ("潘", 3), ("蒋", 3), ("蔡", 3), ("余", 8),
    ("杜", 3), ("叶", 8), ("程", 6), ("苏", 2), ("魏", 2), ("吕", 2), ("丁", 2), ("沈", 2),
    ("姚", 2), ("卢", 2), ("姜", 8), ("钟", 2), ("陆", 2), ("汪", 8), ("方", 6), ("金", 3),
    ("祝", 7), ("毛", 7), ("童", 4), ("占", 3), ("邵", 3), ("雷", 2), ("龚", 2), ("巫", 2),
)  # fmt: skip

MALE_GIVEN = (
    "建国", "建华", "国强", "志强", "伟", "勇", "军", "杰", "磊", "强", "斌", "波", "涛", "明", "刚",
    "平", "辉", "鹏", "华", "飞", "新华", "海军", "卫东", "永明", "金水", "根土", "火根", "水生",
    "文斌", "志明", "家豪", "子轩", "浩然", "宇航", "俊杰", "晓东", "立新", "国平", "荣华", "长发",
    "春生", "建平", "正华", "红兵", "建明", "小龙", "德明", "樟根", "土根", "伟民", "振华", "旭东",
)  # fmt: skip
FEMALE_GIVEN = (
    "秀英", "桂英", "秀兰", "玉兰", "丽", "敏", "静", "燕", "艳", "娟", "霞", "芳", "婷", "红",
    "丽萍", "美华", "小红", "月娥", "彩凤", "金花", "素芬", "菊香", "春燕", "晓燕", "雪梅", "丽娟",
    "海燕", "梦瑶", "欣怡", "雨桐", "佳怡", "子涵", "慧", "琴", "萍", "英", "翠花", "美玲", "爱华",
)  # fmt: skip

# Provinces and counties migrant tenants come from (region codes of 6 digits, for ID numbers).
TENANT_REGIONS: tuple[tuple[str, int], ...] = (
    ("330803", 20),  # 衢江区
    ("330802", 10),  # 柯城区
    ("330822", 5),  # 常山县
    ("330824", 5),  # 开化县
    ("330825", 5),  # 龙游县
    ("330881", 5),  # 江山市
    ("362329", 6),  # 江西 玉山县
    ("361121", 4),  # 江西 上饶县
    ("341222", 6),  # 安徽 太和县
    ("341623", 4),  # 安徽 利辛县
    ("522121", 6),  # 贵州 遵义县
    ("522427", 4),  # 贵州 威宁县
    ("511321", 6),  # 四川 南部县
    ("513030", 3),  # 四川 渠县
    ("412828", 4),  # 河南 新蔡县
    ("432522", 3),  # 湖南 双峰县
    ("452122", 2),  # 广西 武鸣县
    ("532128", 2),  # 云南 镇雄县
)

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
)  # fmt: skip

# --- businesses -------------------------------------------------------------------------------------

BUSINESS_BRANDS = (
    "鑫源", "恒泰", "佳佳", "永兴", "好又多", "万家", "聚福", "兴隆", "福满", "顺发", "金鑫", "华联",
    "老街坊", "小胖", "阿强", "利民", "便民", "天天", "开心", "红红", "美美", "新潮", "宏达", "诚信",
    "惠民", "乐购", "明珠", "大众", "如意", "江南", "三衢", "樟香", "江滨", "旺旺", "友谊", "百姓",
)  # fmt: skip
SHOP_KINDS = (
    "便利店", "超市", "小吃店", "面馆", "早餐店", "五金店", "理发店", "服装店", "水果店", "烟酒店",
    "药店", "手机店", "建材店", "快递代收点", "棋牌室", "电动车维修部", "小饭店", "干洗店", "母婴店",
    "茶叶店", "粮油店", "文具店", "足浴店", "麻辣烫店",
)  # fmt: skip
MIXED_USE_KINDS = (
    "服装加工作坊", "电动车维修部", "五金加工店", "小吃加工坊", "家具加工店", "废品收购站", "汽修店",
    "木材加工店", "竹制品加工坊", "食品加工店", "仓储批发部", "门窗加工店",
)  # fmt: skip


# --- demo users -------------------------------------------------------------------------------------

# The documented demo password (printed by `demo_logins`); the demo is for local trial only.
DEMO_PASSWORD = "firegrid2019"
SITE_URL = "http://127.0.0.1:8000/"
