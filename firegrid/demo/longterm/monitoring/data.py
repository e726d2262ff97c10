"""The monitoring phase's numbers, words and working records: shares and models of the sensors, the
outcomes' mix, hours and notes, and the `Sensor` / `Case` records the phase builds before it writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from firegrid.monitoring.choices import CaseOutcome, DeviceKind, DeviceState

# Share of the district's premises with a sensor of each kind.
SHARES: dict[str, float] = {
    DeviceKind.SMOKE: 0.08,
    DeviceKind.EBIKE_CHARGING: 0.02,
    DeviceKind.ELECTRICAL_FIRE: 0.01,
    DeviceKind.GAS: 0.01,
}
SERIAL_PREFIX: dict[str, str] = {
    DeviceKind.SMOKE: "SD",
    DeviceKind.EBIKE_CHARGING: "EB",
    DeviceKind.ELECTRICAL_FIRE: "EF",
    DeviceKind.GAS: "GD",
}
DEVICE_MODELS: dict[str, tuple[str, ...]] = {
    DeviceKind.SMOKE: ("JTY-GD-NB201", "JTY-GD-NB360", "YG-NB07"),
    DeviceKind.EBIKE_CHARGING: ("CDJ-4G-16A", "CDJ-NB-10A"),
    DeviceKind.ELECTRICAL_FIRE: ("DHF-4T-NB", "DHF-2T-4G"),
    DeviceKind.GAS: ("JT-RQ-NB20", "JT-RQ-NB30"),
}
INSTALLERS = (
    "衢州安消物联科技有限公司",
    "浙江衢安消防设施工程有限公司",
    "衢州市信达智能科技有限公司",
    "衢江区鑫盾消防器材经营部",
)
INSTALLER_WEIGHTS = (5, 3, 2, 1)
BATTERY_KINDS = (DeviceKind.SMOKE, DeviceKind.GAS)
# Shares of the devices (not in today's alarms) in each state but online.
OFFLINE_SHARE, LOW_BATTERY_SHARE, FAULT_SHARE = 0.03, 0.02, 0.01
FAULT_CODES = ("E01", "E07", "E12")
FOOD_WORDS = ("小吃", "面馆", "早餐", "饭", "麻辣烫", "食品")
# A premises kept out of wanggy's queue today also stays out of it this week (the grades are recomputed
# after this phase).
QUIET_DAYS = 7

OUTCOMES: tuple[tuple[str, int], ...] = (
    (CaseOutcome.FALSE_ALARM, 40),
    (CaseOutcome.COOKING_SMOKE, 25),
    (CaseOutcome.EBIKE_INDOORS, 15),
    (CaseOutcome.ELECTRICAL_FAULT, 10),
    (CaseOutcome.DEVICE_FAULT, 8),
    (CaseOutcome.REAL_FIRE, 2),
)
# The sensors that report an outcome, with their weights.
OUTCOME_KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    CaseOutcome.FALSE_ALARM: ((DeviceKind.SMOKE, 6), (DeviceKind.GAS, 1), (DeviceKind.ELECTRICAL_FIRE, 1)),
    CaseOutcome.COOKING_SMOKE: ((DeviceKind.SMOKE, 4), (DeviceKind.GAS, 1)),
    CaseOutcome.EBIKE_INDOORS: ((DeviceKind.EBIKE_CHARGING, 3), (DeviceKind.SMOKE, 1)),
    CaseOutcome.ELECTRICAL_FAULT: (
        (DeviceKind.ELECTRICAL_FIRE, 3),
        (DeviceKind.EBIKE_CHARGING, 1),
        (DeviceKind.SMOKE, 1),
    ),
    CaseOutcome.DEVICE_FAULT: ((DeviceKind.SMOKE, 4), (DeviceKind.GAS, 1), (DeviceKind.ELECTRICAL_FIRE, 1)),
    CaseOutcome.REAL_FIRE: (
        (DeviceKind.SMOKE, 2),
        (DeviceKind.EBIKE_CHARGING, 1),
        (DeviceKind.ELECTRICAL_FIRE, 1),
    ),
}
DAY_HOURS = tuple(range(7, 23))
OUTCOME_HOURS: dict[str, tuple[int, ...]] = {
    CaseOutcome.COOKING_SMOKE: (6, 7, 10, 11, 12, 16, 17, 18, 19),
    CaseOutcome.EBIKE_INDOORS: (19, 20, 21, 22, 23, 0, 1),
}
NOTES: dict[str, tuple[str, ...]] = {
    CaseOutcome.FALSE_ALARM: (
        "到场核查无烟无火，系卫生间水汽触发，已清洁探测器",
        "现场无异常，疑为灰尘积聚误报，已提醒房东定期清洁",
        "住户在室内吸烟触发报警，现场无火情，已提醒",
    ),
    CaseOutcome.COOKING_SMOKE: (
        "厨房炒菜油烟触发，已提醒住户开窗通风、使用油烟机",
        "店面后厨油烟较大，现场无火情，已建议加装排烟设施",
        "住户煎炸食物油烟触发，现场无火情",
    ),
    CaseOutcome.EBIKE_INDOORS: (
        "住户在房间内为电动车电池充电，已当场制止，电池移至集中充电点",
        "电动车推入室内充电，已劝离并告知房东加强管理",
        "楼道内飞线为电动车充电，已拆除并告知房东",
    ),
    CaseOutcome.ELECTRICAL_FAULT: (
        "插座接触不良发热，已断电，通知房东请电工更换",
        "线路老化剩余电流超限，已通知房东限期检修",
        "多个大功率电器同时使用致线路过载，已提醒分时使用",
    ),
    CaseOutcome.DEVICE_FAULT: (
        "探测器故障误报，已联系安装单位更换",
        "设备传感器老化反复报警，已报修安装单位",
        "设备电池电压不稳致误报，已更换电池",
    ),
    CaseOutcome.REAL_FIRE: (
        "电动车电池冒烟起火，住户用灭火器扑灭，无人员伤亡，已通报消防并督促整改",
        "厨房锅内油起火，已及时扑灭，无人员伤亡",
        "电线短路冒烟起火，已断电扑灭，无人员伤亡，已督促房东整改线路",
    ),
}
PHONE_NOTES = (
    "电话联系住户确认现场无异常，系误触测试按钮",
    "电话联系房东核实，住户做饭时水汽触发，无异常",
)
PHONE_SHARE = 0.25  # of the false alarms: settled by telephone, closed without a visit


@dataclass(eq=False, slots=True)
class Sensor:
    kind: str
    premises_id: int
    grid_id: int
    room_id: int | None
    installed_at: dt.datetime
    model: str
    installer: str
    pk: int = 0
    serial: str = ""
    state: str = DeviceState.ONLINE
    heard_at: dt.datetime | None = None  # last_heartbeat_at: the receive time of its last message
    event_at: dt.datetime | None = None  # last_event_at: the device time of its last applied message
    offline_after: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    reading: dict[str, Any] = field(default_factory=dict)
    reading_at: dt.datetime | None = None
    busy_until: dt.datetime | None = None  # the end of its last case (its `clear`)
    seqs: set[int] = field(default_factory=set)


@dataclass(eq=False, slots=True)
class Case:
    sensor: Sensor
    opened_at: dt.datetime
    last_alarm_at: dt.datetime
    alarm_count: int
    state: str
    worker: int
    acknowledged_at: dt.datetime | None = None
    visited_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    outcome: str = ""
    note: str = ""


Event = tuple[Sensor, str, dt.datetime, dt.datetime, int | None, dict[str, Any]]
