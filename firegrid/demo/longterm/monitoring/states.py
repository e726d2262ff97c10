"""The sensors' states as of the load (online, offline, low battery, fault, alarm) and their last event."""

from __future__ import annotations

import datetime as dt
import random

from firegrid.monitoring.choices import DeviceKind, DeviceState, EventKind
from firegrid.monitoring.models import Device
from firegrid.monitoring.services import offline_intervals

from ..context import days
from .data import BATTERY_KINDS, FAULT_CODES, FAULT_SHARE, LOW_BATTERY_SHARE, OFFLINE_SHARE, Event, Sensor
from .devices import _message, _reading

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
