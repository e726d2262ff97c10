"""The simulated streams are seeded, well-formed for the ingester, and a storm is one case per device."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from firegrid.monitoring.ingest import IngestCore
from firegrid.monitoring.models import AlertCase
from firegrid.monitoring.simulate import stream

from .scene import make_device

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def test_the_same_seed_gives_the_same_stream():
    a = list(stream(["A", "B"], interval=60, rounds=20, seed=7, start=START))
    b = list(stream(["A", "B"], interval=60, rounds=20, seed=7, start=START))
    c = list(stream(["A", "B"], interval=60, rounds=20, seed=8, start=START))
    assert a == b and a != c
    assert sum(1 for m in a if m.event == "heartbeat") == 40


def test_a_storm_from_one_building_is_accepted_and_makes_one_case_per_device(district):
    serials = [make_device(district.premises_a, serial=f"ST-{i}").serial for i in range(3)]
    now = START + dt.timedelta(hours=1)
    core = IngestCore(prefix="sim", batch_size=100, flush_ms=0, now=lambda: now)
    for m in stream(serials, interval=10, rounds=4, seed=1, storm=serials, storm_alarms=25, start=START):
        assert core.submit(core.topic(m.serial, m.event), json.dumps(m.body).encode()) is None
        if core.due():
            core.flush()
    core.flush()
    cases = AlertCase.objects.filter(device__serial__in=serials)
    assert cases.count() == 3
    assert all(case.alarm_count >= 25 for case in cases)
