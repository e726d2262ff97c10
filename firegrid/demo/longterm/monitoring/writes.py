"""Bulk writes of the sensors, their events and the cases (ids, sequences)."""

from __future__ import annotations

from firegrid.monitoring.models import AlertCase, Device, DeviceEvent

from ..rows import insert_rows, next_pk, reset_sequence
from .data import Case, Event, Sensor

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
