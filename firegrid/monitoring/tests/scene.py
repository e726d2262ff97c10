"""Builders for monitoring tests: devices and alert cases written directly (a scene, not user actions),
and MQTT messages as the devices send them."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from django.utils import timezone

from firegrid.monitoring import services
from firegrid.monitoring.choices import DeviceKind
from firegrid.monitoring.ingest import IngestCore
from firegrid.monitoring.models import AlertCase, Device

_serials = itertools.count(1)


def make_device(
    premises: Any, *, kind: str = DeviceKind.SMOKE, serial: str | None = None, **kw: Any
) -> Device:
    return Device.objects.create(
        premises=premises, kind=kind, serial=serial or f"SD-{next(_serials):05d}", **kw
    )


def make_case(device: Device, at: dt.datetime | None = None) -> AlertCase:
    return services.open_case(device, at or timezone.now())


def body(ts: dt.datetime | str, seq: int, **extra: Any) -> bytes:
    return json.dumps({"ts": ts if isinstance(ts, str) else ts.isoformat(), "seq": seq, **extra}).encode()


def send(core: IngestCore, serial: str, event: str, ts: dt.datetime, seq: int, **extra: Any) -> str | None:
    return core.submit(core.topic(serial, event), body(ts, seq, **extra), token=(serial, seq))


def plan_of(sql: str) -> str:
    """PostgreSQL's plan for `sql` with sequential scans off: which index it would read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return " ".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET enable_seqscan = on")
