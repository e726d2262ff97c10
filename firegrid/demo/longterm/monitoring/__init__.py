"""The monitoring phase (物联感知, issue 15): the district's sensors as they stand this morning and the alert
cases (报警处置) of the last twelve months, written in bulk as history — no audit entries, no notifications.
It runs after the patrols (whose grid workers' accounts handle the cases) and before tonight's grades,
which count the cases of the last year that found something (`monitoring/risk_hooks.py`). Such a case is
followed up by the first covering visit of its premises after it closed (`followup.fill_follow_ups`): the
history draws one older than three weeks at a premises that a simulated visit reached within three weeks
after the alarm (`cases.FOLLOW_UP_DAYS`), so only the latest stay in their grid's queue as 报警后待检查.

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

from django.utils import timezone

from firegrid.monitoring.followup import fill_follow_ups

from ...data import DISTRICT_CODE
from ..context import Context, days
from .cases import _history, _today
from .data import SERIAL_PREFIX, Event
from .devices import _grid_workers, _install, _number, _places
from .states import _states
from .writes import _write_cases, _write_devices, _write_events


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
    written += _write_cases(cases)
    # The year's visits follow up the cases that found something (报警后待检查); the latest stay owed.
    fill_follow_ups()
    return written


def load_moment(ctx: Context) -> dt.datetime:
    """The load's "now" for the devices' heartbeats: the clock when the demo is loaded for the real date
    (after today's horizon), else the horizon."""
    now = timezone.now()
    return now if ctx.horizon <= now < ctx.end + days(1) else ctx.horizon
