"""The monitoring phase (物联感知, issue 15): the district's sensors as they stand this morning and the alert
cases (报警处置) of the last twelve months, written in bulk as history — no audit entries, no notifications.
It runs after the patrols (whose grid workers' accounts handle the cases) and before tonight's grades; the
cases feed no risk fact, so the grades do not move for them.

- **Devices** (one row per sensor, ids in the order they were installed): smoke detectors (烟感) in ~8 % of
  the premises — shared rentals and mixed-use premises (people sleeping over a shop) most likely —,
  e-bike charging load monitors (电动车充电监测) in ~2 % — premises where a visit ever found an e-bike item
  failed (`EBIKE-*`) most likely —, electrical fire monitors (电气火灾监测) in ~1 % (shops, mixed-use) and gas
  detectors (燃气报警) in ~1 % (shops selling food, premises with a kitchen). Serials `SD-330803-000123`
  (SD smoke, EB e-bike, EF electrical, GD gas; numbered per kind in installation order), a model, an
  installer, installed between 2020 and last month, the default heartbeat interval.
- **States as of the load**: ~94 % online (last heard within one heartbeat interval before the load's
  moment), ~3 % offline (silent for days; the offline job's `offline` event), ~2 % low battery (battery
  devices: smoke and gas), ~1 % fault; `offline_after` as the ingester sets it (heard + interval ×
  `FIREGRID_DEVICE_OFFLINE_INTERVALS`). One event per device — its last heartbeat, or the low-battery,
  fault or offline event that set its state — not a history. The load's moment is the real clock when the
  demo is loaded for the real date (so a fresh demo shows its devices online until the offline job finds
  them silent — `firegrid mqtt simulate` keeps them alive), else today's horizon (02:00): the heartbeat
  times are the only rows of the long-term phase that depend on the hour it runs at.
- **Cases of the last twelve months**: 1–3 a week, opened by one device's alarm (an alarm event each),
  1–6 alarms, acknowledged within 2–30 minutes, visited within hours (a quarter of the false alarms settled
  by telephone: closed without a visit), closed the same or the next day with an outcome — 误报 ~40 %,
  油烟 ~25 %, 室内充电 ~15 %, 电气故障 ~10 %, 设备故障 ~8 %, 真实火情 ~2 % — and a note, all by the grid
  worker of the premises' grid. An outcome comes from the kinds of sensor that report it (油烟: smoke and
  gas; 室内充电: e-bike monitors and smoke), at its hours (cooking at mealtimes, charging at night).
- **Today**: in the small hours, before the horizon, a smoke detector alarms three times at a premises of
  wanggy's grid with nothing else in his queue (待响应: 报警待核查 in his 今日任务), and elsewhere in the
  district an alarm of last night was acknowledged by its grid's worker, not yet visited (已响应); both
  devices stand in 报警.

Same seed, same day: the same devices (serials, premises, states), events and cases, ids included; only
the heartbeat times follow the clock (above).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.longterm.queue import queue_premises
from firegrid.monitoring.choices import CaseOutcome, CaseState, DeviceKind, DeviceState, EventKind
from firegrid.monitoring.models import AlertCase, Device, DeviceEvent
from firegrid.monitoring.services import offline_intervals
from firegrid.rectification.choices import CLOSED_STATES
from firegrid.rectification.models import Plan
from firegrid.registry.choices import PremisesKind, PremisesStatus, RoomUse
from firegrid.registry.models import Premises, Room
from firegrid.risk.models import PremisesGrade

from ..data import DISTRICT_CODE
from .context import Context, days
from .rows import insert_rows, next_pk, reset_sequence

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


def run(ctx: Context) -> int:
    moment = load_moment(ctx)
    places = _places()
    if not places:
        return 0
    # A stream per part, so that what today's alarms find (the queue as the phases before left it) leaves
    # the devices and the year's cases as they are.
    rng = ctx.rng("monitoring")
    sensors = _install(ctx, rng, places)
    numbers = _number(rng, sensors)
    workers = _grid_workers(ctx, {p[1] for p in places.values()})
    events: list[Event] = []
    cases = _history(ctx, ctx.rng("monitoring-cases"), sensors, workers, events)
    alarming = _today(ctx, sensors, workers, events, cases, places)
    for sensor in sensors:
        if not sensor.pk:  # fitted last month for today's alarm: the kind's next serial, the next id
            numbers[sensor.kind] += 1
            sensor.pk = max(s.pk for s in sensors) + 1
            sensor.serial = f"{SERIAL_PREFIX[sensor.kind]}-{DISTRICT_CODE}-{numbers[sensor.kind]:06d}"
    _states(ctx.rng("monitoring-states"), sensors, alarming, events, moment)
    written = _write_devices(sensors)
    written += _write_events(events)
    return written + _write_cases(cases)


def load_moment(ctx: Context) -> dt.datetime:
    """The load's "now" for the devices' heartbeats: the clock when the demo is loaded for the real date
    (after today's horizon), else the horizon."""
    now = timezone.now()
    return now if ctx.horizon <= now < ctx.end + days(1) else ctx.horizon


# --- devices -------------------------------------------------------------------------------------------------

# A premises in use: kind, grid id, shared rental, business name, sleeping rooms, has a kitchen.
Place = tuple[str, int, bool, str, int, bool]


def _places() -> dict[int, Place]:
    """Every premises in use (devices are in premises people live or work in), read in two queries."""
    sleeping: dict[int, int] = {}
    kitchens: set[int] = set()
    for premises_id, use in Room.objects.filter(premises__status=PremisesStatus.ACTIVE).values_list(
        "premises_id", "use"
    ):
        if use == RoomUse.SLEEPING:
            sleeping[premises_id] = sleeping.get(premises_id, 0) + 1
        elif use == RoomUse.KITCHEN:
            kitchens.add(premises_id)
    rows = (
        Premises.objects.filter(status=PremisesStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "kind", "building__grid_id", "is_shared_rental", "business_name")
    )
    return {
        pk: (kind, grid_id, shared, name, sleeping.get(pk, 0), pk in kitchens)
        for pk, kind, grid_id, shared, name in rows
    }


def _weights(places: dict[int, Place], ebike_failed: set[int]) -> dict[str, dict[int, float]]:
    """How likely each premises is to have a sensor of each kind."""
    weights: dict[str, dict[int, float]] = {kind: {} for kind in SHARES}
    for pk, (kind, _grid, shared, name, sleeping, kitchen) in places.items():
        shop = kind in (PremisesKind.SHOP, PremisesKind.MIXED_USE)
        food = shop and any(word in name for word in FOOD_WORDS)
        smoke = 3.0 if shared else 2.5 if kind == PremisesKind.MIXED_USE else 1.0 if sleeping else 0.5
        weights[DeviceKind.SMOKE][pk] = smoke
        ebike = 8.0 if pk in ebike_failed else 1.0 if sleeping else 0.2
        weights[DeviceKind.EBIKE_CHARGING][pk] = ebike * (1.5 if shared else 1.0)
        if shop:
            weights[DeviceKind.ELECTRICAL_FIRE][pk] = 2.0 if kind == PremisesKind.MIXED_USE else 1.0
        if food or kitchen or shop:
            weights[DeviceKind.GAS][pk] = 10.0 if food else 2.0 if kitchen else 0.3
    return weights


def _sample(rng: random.Random, weights: dict[int, float], k: int) -> list[int]:
    """`k` premises drawn without replacement, each as likely as its weight (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1 / w), pk) for pk, w in weights.items() if w > 0), reverse=True)
    return sorted(pk for _key, pk in keyed[:k])


def _install(ctx: Context, rng: random.Random, places: dict[int, Place]) -> list[Sensor]:
    ebike_failed = set(
        Hazard.objects.filter(item__code__startswith="EBIKE", premises__isnull=False)
        .order_by()
        .values_list("premises_id", flat=True)
        .distinct()
    )
    weights = _weights(places, ebike_failed)
    total = Premises.objects.count()
    chosen = {kind: _sample(rng, weights[kind], round(share * total)) for kind, share in SHARES.items()}
    rooms = _rooms(chosen[DeviceKind.SMOKE] + chosen[DeviceKind.GAS])
    last = ctx.today.replace(day=1) - days(1)  # the end of last month
    first = min(dt.date(2020, 1, 1), last - days(30))
    span = (last - first).days
    sensors = []
    for kind, premises_ids in chosen.items():
        for pk in premises_ids:
            on = first + days(int(span * rng.random() ** 0.8))  # more installed lately
            room = None
            if kind == DeviceKind.SMOKE and rooms[pk][RoomUse.SLEEPING] and rng.random() < 0.6:
                room = rng.choice(rooms[pk][RoomUse.SLEEPING])
            elif kind == DeviceKind.GAS and rooms[pk][RoomUse.KITCHEN]:
                room = rooms[pk][RoomUse.KITCHEN][0]
            sensors.append(
                Sensor(
                    kind=kind,
                    premises_id=pk,
                    grid_id=places[pk][1],
                    room_id=room,
                    installed_at=ctx.work_time(rng, on),
                    model=rng.choice(DEVICE_MODELS[kind]),
                    installer=rng.choices(INSTALLERS, INSTALLER_WEIGHTS)[0],
                )
            )
    return sensors


def _rooms(premises_ids: list[int]) -> dict[int, dict[str, list[int]]]:
    rooms: dict[int, dict[str, list[int]]] = {
        pk: {RoomUse.SLEEPING: [], RoomUse.KITCHEN: []} for pk in premises_ids
    }
    rows = Room.objects.filter(premises_id__in=premises_ids, use__in=[RoomUse.SLEEPING, RoomUse.KITCHEN])
    for pk, premises_id, use in rows.order_by("pk").values_list("pk", "premises_id", "use"):
        rooms[premises_id][use].append(pk)
    return rooms


def _number(rng: random.Random, sensors: list[Sensor]) -> dict[str, int]:
    """Ids in installation order; serials numbered per kind in that order (with the gaps of devices
    returned or never fitted). Returns the last number of each kind."""
    sensors.sort(key=lambda s: (s.installed_at, s.premises_id, s.kind))
    first = next_pk(Device)
    numbers = {kind: rng.randint(100, 900) for kind in SERIAL_PREFIX}
    for n, sensor in enumerate(sensors):
        sensor.pk = first + n
        numbers[sensor.kind] += rng.choice((1, 1, 1, 2, 3))
        sensor.serial = f"{SERIAL_PREFIX[sensor.kind]}-{DISTRICT_CODE}-{numbers[sensor.kind]:06d}"
    return numbers


# --- who handles a grid's cases ------------------------------------------------------------------------------


def _grid_workers(ctx: Context, grid_ids: set[int]) -> dict[int, int]:
    """Grid id → the user who handles its cases: its grid worker (wanggy in his grid, the patrols phase's
    `gw-<code>` accounts in the others), else its community or subdistrict officer, else the commander."""
    workers: dict[int, int] = {}
    rows = (
        User.objects.filter(role=Role.GRID_WORKER, is_active=True, areas__level=AreaLevel.GRID)
        .order_by("pk")
        .values_list("areas__pk", "pk")
    )
    for grid_id, user_id in rows:
        workers.setdefault(grid_id, user_id)
    wanggy = ctx.users.get("wanggy")
    if wanggy is not None:
        for grid in wanggy.areas.all():
            workers[grid.pk] = wanggy.pk
    missing = grid_ids - set(workers)
    if missing:
        officers = [ctx.users[name] for name in ("shequ", "zhangtan") if name in ctx.users]
        fallback = ctx.users.get("commander") or ctx.users["fire"]
        scoped = [(area.path, user) for user in officers for area in user.areas.all()]
        paths = dict(Area.objects.filter(pk__in=missing).values_list("pk", "path"))
        for grid_id in missing:
            user = next((u for path, u in scoped if paths[grid_id].startswith(path)), fallback)
            workers[grid_id] = user.pk
    return workers


# --- events ---------------------------------------------------------------------------------------------------


def _seq(sensor: Sensor, ts: dt.datetime) -> int:
    """The device's message counter at `ts` (about one a minute since it was installed), never repeated."""
    seq = max(0, int((ts - sensor.installed_at).total_seconds() // 60))
    while seq in sensor.seqs:
        seq += 1
    sensor.seqs.add(seq)
    return seq


def _message(
    events: list[Event],
    rng: random.Random,
    sensor: Sensor,
    kind: str,
    ts: dt.datetime,
    payload: dict[str, Any] | None = None,
    received: dt.datetime | None = None,
) -> None:
    """A message the ingester accepted: received a moment after the device sent it."""
    received = received or ts + dt.timedelta(milliseconds=rng.randint(150, 1800))
    payload = payload or {}
    events.append((sensor, kind, ts, received, _seq(sensor, ts), payload))
    if "values" in payload and (sensor.reading_at is None or ts >= sensor.reading_at):
        sensor.reading, sensor.reading_at = {**payload["values"], "ts": ts.isoformat()}, ts


def _alarm_values(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind == DeviceKind.SMOKE:
        return {"smoke_db_m": round(rng.uniform(0.15, 0.6), 2)}
    if kind == DeviceKind.EBIKE_CHARGING:
        current = round(rng.uniform(2.5, 8.5), 1)
        return {"current_a": current, "power_w": round(current * 220)}
    if kind == DeviceKind.ELECTRICAL_FIRE:
        return {"residual_ma": round(rng.uniform(300, 800), 1), "temp_c": round(rng.uniform(60, 95), 1)}
    return {"lel_pct": rng.randint(10, 40)}


def _reading(rng: random.Random, kind: str) -> dict[str, Any]:
    """What a mains-powered or gas sensor reads on an ordinary day."""
    if kind == DeviceKind.EBIKE_CHARGING:
        return {"current_a": 0.0, "power_w": 0}
    if kind == DeviceKind.ELECTRICAL_FIRE:
        return {"residual_ma": round(rng.uniform(5, 40), 1), "temp_c": round(rng.uniform(18, 45), 1)}
    return {"lel_pct": 0}


# --- the last twelve months' cases ---------------------------------------------------------------------------


def _history(
    ctx: Context, rng: random.Random, sensors: list[Sensor], workers: dict[int, int], events: list[Event]
) -> list[Case]:
    by_kind: dict[str, list[Sensor]] = {kind: [] for kind in SHARES}
    for sensor in sensors:
        by_kind[sensor.kind].append(sensor)
    outcomes, outcome_weights = zip(*OUTCOMES, strict=True)
    cases: list[Case] = []
    last_day = ctx.today - days(2)  # closed by yesterday at the latest
    week = ctx.today - days(364)
    while week <= last_day:
        for _n in range(rng.choices((1, 2, 3), (35, 40, 25))[0]):
            day = week + days(rng.randrange(7))
            outcome = rng.choices(outcomes, outcome_weights)[0]
            hour = rng.choice(OUTCOME_HOURS.get(outcome, DAY_HOURS))
            opened = ctx.at(day, hour, rng.randrange(60)) + dt.timedelta(seconds=rng.randrange(60))
            chosen = _alarming_sensor(rng, by_kind, outcome, opened)
            if day > last_day or chosen is None:
                continue
            cases.append(_closed_case(ctx, rng, chosen, workers, events, outcome, opened))
        week += days(7)
    return cases


def _alarming_sensor(
    rng: random.Random, by_kind: dict[str, list[Sensor]], outcome: str, opened: dt.datetime
) -> Sensor | None:
    kinds, weights = zip(*OUTCOME_KINDS[outcome], strict=True)
    kind = rng.choices(kinds, weights)[0]
    for k in (kind, *kinds):
        free = [
            s
            for s in by_kind[k]
            if s.installed_at < opened - days(1) and (s.busy_until is None or s.busy_until < opened)
        ]
        if free:
            return rng.choice(free)
    return None


def _closed_case(
    ctx: Context,
    rng: random.Random,
    sensor: Sensor,
    workers: dict[int, int],
    events: list[Event],
    outcome: str,
    opened: dt.datetime,
) -> Case:
    minutes = dt.timedelta(minutes=1)
    acknowledged = opened + rng.uniform(2, 30) * minutes
    phoned = outcome == CaseOutcome.FALSE_ALARM and rng.random() < PHONE_SHARE
    visited = None if phoned else acknowledged + rng.uniform(15, 180) * minutes
    settled = visited or acknowledged
    if rng.random() < 0.7:
        closed = settled + rng.uniform(10, 90) * minutes
    else:  # the note written up the next working day
        closed = max(ctx.work_time(rng, ctx.local_date(opened) + days(1)), settled + 10 * minutes)
    count = rng.choices((1, 2, 3, 4, 5, 6), (35, 25, 15, 10, 8, 7))[0]
    last_alarm = opened
    for _n in range(count - 1):
        last_alarm = min(last_alarm + rng.uniform(0.3, 2.0) * minutes, settled)
    _message(events, rng, sensor, EventKind.ALARM, opened, {"values": _alarm_values(rng, sensor.kind)})
    sensor.busy_until = closed + rng.uniform(1, 30) * minutes  # the device's `clear`
    notes = PHONE_NOTES if phoned else NOTES[outcome]
    return Case(
        sensor=sensor,
        opened_at=opened,
        last_alarm_at=last_alarm,
        alarm_count=count,
        state=CaseState.CLOSED,
        worker=workers[sensor.grid_id],
        acknowledged_at=acknowledged,
        visited_at=visited,
        closed_at=closed,
        outcome=outcome,
        note=rng.choice(notes),
    )


# --- today's two alarms ----------------------------------------------------------------------------------------


def _today(
    ctx: Context,
    sensors: list[Sensor],
    workers: dict[int, int],
    events: list[Event],
    cases: list[Case],
    places: dict[int, Place],
) -> set[Sensor]:
    """This morning's open case in wanggy's grid and last night's acknowledged one elsewhere (a stream
    each); returns their devices (in alarm)."""
    alarming: set[Sensor] = set()
    rng = ctx.rng("monitoring-today")
    minutes = dt.timedelta(minutes=1)
    wanggy = ctx.users.get("wanggy")
    grid_ids = {a.pk for a in wanggy.areas.all()} if wanggy is not None else set()
    quiet = _quiet_premises(ctx, wanggy, places) if wanggy is not None else []
    opened = ctx.at(ctx.today, 0, rng.randint(25, 95))
    if quiet:
        inside = set(quiet)
        smoke = [
            s
            for s in sensors
            if s.kind == DeviceKind.SMOKE
            and s.premises_id in inside
            and (s.busy_until is None or s.busy_until < opened)
        ]
        if smoke:
            sensor = rng.choice(sorted(smoke, key=lambda s: (s.premises_id, s.installed_at)))
        else:  # a detector fitted last month
            pk = rng.choice(quiet)
            installed = ctx.work_time(rng, ctx.today.replace(day=1) - days(rng.randint(3, 25)))
            sensor = Sensor(
                DeviceKind.SMOKE, pk, places[pk][1], None, installed, DEVICE_MODELS[DeviceKind.SMOKE][0],
                INSTALLERS[0],
            )  # fmt: skip
            sensors.append(sensor)
        alarms = [opened, opened + rng.uniform(1, 2) * minutes]
        alarms.append(alarms[-1] + rng.uniform(1, 3) * minutes)
        for at in alarms:
            _message(events, rng, sensor, EventKind.ALARM, at, {"values": _alarm_values(rng, sensor.kind)})
        cases.append(Case(sensor, opened, alarms[-1], len(alarms), CaseState.OPEN, workers[sensor.grid_id]))
        alarming.add(sensor)
    # Last night, elsewhere: an e-bike charging monitor if one is free (or a smoke detector), acknowledged.
    rng = ctx.rng("monitoring-last-night")
    opened = ctx.at(ctx.today - days(1), 22, rng.randrange(60)) + rng.randint(0, 50) * minutes
    elsewhere = [
        s
        for s in sensors
        if s.grid_id not in grid_ids
        and s not in alarming
        and s.installed_at < opened - days(1)
        and (s.busy_until is None or s.busy_until < opened)
    ]
    for kind in (DeviceKind.EBIKE_CHARGING, DeviceKind.SMOKE):
        candidates = [s for s in elsewhere if s.kind == kind]
        if not candidates:
            continue
        sensor = rng.choice(candidates)
        count = rng.randint(1, 3)
        alarms = [opened + n * rng.uniform(0.5, 2) * minutes for n in range(count)]
        for at in alarms:
            _message(events, rng, sensor, EventKind.ALARM, at, {"values": _alarm_values(rng, sensor.kind)})
        case = Case(sensor, opened, alarms[-1], count, CaseState.ACKNOWLEDGED, workers[sensor.grid_id])
        case.acknowledged_at = alarms[-1] + rng.uniform(2, 30) * minutes
        cases.append(case)
        alarming.add(sensor)
        break
    return alarming


def _quiet_premises(ctx: Context, wanggy: User, places: dict[int, Place]) -> list[int]:
    """Premises of wanggy's grid with nothing in his queue today, nor due this week, no plan or hazard open:
    an alarm there is the one reason to go."""
    grid_ids = list(wanggy.areas.values_list("pk", flat=True))
    queued = set(queue_premises(wanggy, ctx.today).values_list("pk", flat=True))
    settled = set(
        PremisesGrade.objects.filter(
            premises__building__grid_id__in=grid_ids, next_due__gt=ctx.today + days(QUIET_DAYS)
        ).values_list("premises_id", flat=True)
    )
    open_plans = set(Plan.objects.exclude(state__in=CLOSED_STATES).values_list("premises_id", flat=True))
    open_hazards = set(
        Hazard.objects.filter(
            status__in=[HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION, HazardStatus.AWAITING_ACCEPTANCE],
            premises__isnull=False,
        ).values_list("premises_id", flat=True)
    )
    return sorted(
        pk
        for pk, place in places.items()
        if place[1] in grid_ids
        and pk in settled
        and pk not in queued
        and pk not in open_plans
        and pk not in open_hazards
    )


# --- states as of the load ---------------------------------------------------------------------------------------


def _states(
    rng: random.Random,
    sensors: list[Sensor],
    alarming: set[Sensor],
    events: list[Event],
    moment: dt.datetime,
) -> None:
    """Each device's state, last message and silence deadline as of `moment`; its last event."""
    interval = int(Device._meta.get_field("heartbeat_interval").get_default())
    silence = dt.timedelta(seconds=interval * offline_intervals())
    quiet_since = moment - days(21)  # no case since: a device silent for days or broken
    others = [s for s in sensors if s not in alarming]
    shuffled = rng.sample(others, len(others))
    calm = [s for s in shuffled if s.busy_until is None or s.busy_until < quiet_since]
    battery = [s for s in calm if s.kind in BATTERY_KINDS]
    low = set(battery[: round(LOW_BATTERY_SHARE * len(sensors))])
    rest = [s for s in calm if s not in low]
    n_offline, n_fault = round(OFFLINE_SHARE * len(sensors)), round(FAULT_SHARE * len(sensors))
    offline, fault = set(rest[:n_offline]), set(rest[n_offline : n_offline + n_fault])
    for sensor in sensors:
        if sensor in offline:
            heard = moment - dt.timedelta(days=rng.uniform(1.5, 20))
            sensor.state = DeviceState.OFFLINE
            sensor.heard_at, sensor.event_at = heard, heard - dt.timedelta(seconds=1)
            sensor.offline_after = heard + silence
            # The offline job (every five minutes) found it silent: its `offline` event, no seq.
            job = _next_five_minutes(sensor.offline_after) + dt.timedelta(seconds=rng.randint(1, 20))
            events.append((sensor, EventKind.OFFLINE, sensor.offline_after, job, None, {}))
            sensor.updated_at = job
            continue
        # Alive: heard within one heartbeat interval.
        ts = moment - dt.timedelta(seconds=rng.uniform(1, interval - 1))
        received = ts + dt.timedelta(milliseconds=rng.randint(150, 1800))
        sensor.heard_at, sensor.event_at = received, ts
        sensor.offline_after, sensor.updated_at = received + silence, received
        if sensor in alarming:
            sensor.state = DeviceState.ALARM
        elif sensor in low:
            sensor.state = DeviceState.LOW_BATTERY
            at = moment - dt.timedelta(days=rng.uniform(0.3, 10))
            values = {"values": {"battery_pct": rng.randint(3, 15)}}
            _message(events, rng, sensor, EventKind.LOW_BATTERY, at, values)
        elif sensor in fault:
            sensor.state = DeviceState.FAULT
            at = moment - dt.timedelta(days=rng.uniform(0.3, 15))
            _message(events, rng, sensor, EventKind.FAULT, at, {"code": rng.choice(FAULT_CODES)})
        else:
            sensor.state = DeviceState.ONLINE
            _message(events, rng, sensor, EventKind.HEARTBEAT, ts, received=received)
            if sensor.kind != DeviceKind.SMOKE:  # a reading within the hour (not kept as an event)
                at = ts - dt.timedelta(seconds=rng.uniform(0, 3600))
                if sensor.reading_at is None or at > sensor.reading_at:
                    sensor.reading = {**_reading(rng, sensor.kind), "ts": at.isoformat()}
                    sensor.reading_at = at


def _next_five_minutes(at: dt.datetime) -> dt.datetime:
    start = at.replace(second=0, microsecond=0)
    return start + dt.timedelta(minutes=5 - start.minute % 5)


# --- writes -----------------------------------------------------------------------------------------------------


def _write_devices(sensors: list[Sensor]) -> int:
    interval = int(Device._meta.get_field("heartbeat_interval").get_default())
    fields = ["id", "version", "created_at", "updated_at", "kind", "premises", "room", "device_model"]
    fields += ["serial", "installer", "installed_on", "state", "heartbeat_interval", "last_heartbeat_at"]
    fields += ["last_event_at", "offline_after", "last_reading"]
    rows = (
        (s.pk, 1, s.installed_at, s.updated_at or s.installed_at, s.kind, s.premises_id, s.room_id, s.model,
         s.serial, s.installer, s.installed_at.date(), s.state, interval,
         s.heard_at, s.event_at, s.offline_after, s.reading)
        for s in sorted(sensors, key=lambda s: s.pk)
    )  # fmt: skip
    written = insert_rows(Device, fields, rows)
    reset_sequence(Device)
    return written


def _write_events(events: list[Event]) -> int:
    events.sort(key=lambda e: (e[2], e[0].pk))
    fields = ["device", "kind", "ts", "received_at", "seq", "payload", "applied", "clock_skewed"]
    rows = (
        (sensor.pk, kind, ts, received, seq, payload, True, False)
        for sensor, kind, ts, received, seq, payload in events
    )
    return insert_rows(DeviceEvent, fields, rows)


def _write_cases(cases: list[Case]) -> int:
    cases.sort(key=lambda c: (c.opened_at, c.sensor.pk))
    first = next_pk(AlertCase)
    rows = []
    for n, case in enumerate(cases):
        s = case.sensor
        moves = [case.acknowledged_at, case.visited_at, case.closed_at]
        version = 1 + sum(1 for at in moves if at is not None)
        updated = max([case.opened_at, *(at for at in moves if at is not None)])
        ack_by, visit_by, close_by = (case.worker if at is not None else None for at in moves)
        rows.append(
            (first + n, version, case.opened_at, updated, s.pk, s.premises_id, s.room_id, s.kind, case.state,
             case.opened_at, case.last_alarm_at, case.alarm_count, case.acknowledged_at, ack_by,
             case.visited_at, visit_by, case.closed_at, close_by, case.outcome, case.note)
        )  # fmt: skip
    fields = ["id", "version", "created_at", "updated_at", "device", "premises", "room", "kind", "state"]
    fields += ["opened_at", "last_alarm_at", "alarm_count", "acknowledged_at", "acknowledged_by"]
    fields += ["visited_at", "visited_by", "closed_at", "closed_by", "outcome", "note"]
    written = insert_rows(AlertCase, fields, rows)
    reset_sequence(AlertCase)
    return written
