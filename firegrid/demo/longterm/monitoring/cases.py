"""The alert cases: the last twelve months' closed ones, and today's two alarms."""

from __future__ import annotations

import datetime as dt
import random

from firegrid.areas.models import User
from firegrid.inspections.choices import COVERING_OUTCOMES, HazardStatus, InspectionStatus
from firegrid.inspections.models import Hazard, Inspection
from firegrid.longterm.queue import queue_premises
from firegrid.monitoring.choices import FOLLOW_UP_OUTCOMES, CaseOutcome, CaseState, DeviceKind, EventKind
from firegrid.rectification.choices import CLOSED_STATES
from firegrid.rectification.models import Plan
from firegrid.risk.models import PremisesGrade

from ..context import Context, days
from .data import (
    DAY_HOURS,
    DEVICE_MODELS,
    INSTALLERS,
    NOTES,
    OUTCOME_HOURS,
    OUTCOME_KINDS,
    OUTCOMES,
    PHONE_NOTES,
    PHONE_SHARE,
    QUIET_DAYS,
    SHARES,
    Case,
    Event,
    Sensor,
)
from .devices import Place, _alarm_values, _message

# --- the last twelve months' cases ---------------------------------------------------------------------------


# A case that found something (FOLLOW_UP_OUTCOMES) is followed up by a covering visit within this many days:
# the history draws it where the simulated visits make that so (the latest ones may still be owed).
FOLLOW_UP_DAYS = 21


def _history(
    ctx: Context, rng: random.Random, sensors: list[Sensor], workers: dict[int, int], events: list[Event]
) -> list[Case]:
    by_kind: dict[str, list[Sensor]] = {kind: [] for kind in SHARES}
    for sensor in sensors:
        by_kind[sensor.kind].append(sensor)
    visits = _covering_visits({s.premises_id for s in sensors})
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
            followed = outcome in FOLLOW_UP_OUTCOMES and day < ctx.today - days(FOLLOW_UP_DAYS)
            chosen = _alarming_sensor(rng, by_kind, outcome, opened, visits if followed else None)
            if day > last_day or chosen is None:
                continue
            cases.append(_closed_case(ctx, rng, chosen, workers, events, outcome, opened))
        week += days(7)
    return cases


def _covering_visits(premises_ids: set[int]) -> dict[int, list[dt.datetime]]:
    """premises id → the times of its covering visits, in order (what follows a case up)."""
    visits: dict[int, list[dt.datetime]] = {}
    for premises_id, at in (
        Inspection.objects.filter(
            premises_id__in=premises_ids,
            status=InspectionStatus.SUBMITTED,
            outcome__in=COVERING_OUTCOMES,
            submitted_at__isnull=False,
        )
        .order_by("submitted_at")
        .values_list("premises_id", "submitted_at")
    ):
        if premises_id is not None and at is not None:  # (both are, by the filter: for the types)
            visits.setdefault(premises_id, []).append(at)
    return visits


def _alarming_sensor(
    rng: random.Random,
    by_kind: dict[str, list[Sensor]],
    outcome: str,
    opened: dt.datetime,
    visits: dict[int, list[dt.datetime]] | None = None,
) -> Sensor | None:
    """A free sensor of a kind that reports `outcome`; with `visits`, one whose premises had a covering
    visit within FOLLOW_UP_DAYS after the alarm (any free one when none had)."""
    kinds, weights = zip(*OUTCOME_KINDS[outcome], strict=True)
    kind = rng.choices(kinds, weights)[0]
    for k in (kind, *kinds):
        free = [
            s
            for s in by_kind[k]
            if s.installed_at < opened - days(1) and (s.busy_until is None or s.busy_until < opened)
        ]
        if visits is not None:
            soon = opened + days(FOLLOW_UP_DAYS)
            visited = [s for s in free if any(opened < at <= soon for at in visits.get(s.premises_id, ()))]
            free = visited or free
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
