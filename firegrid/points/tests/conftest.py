"""The clock of the points tests: every test but the browser ones runs on scene.TODAY."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from .scene import TODAY


@pytest.fixture(autouse=True)
def pinned_day(request):
    """Run the test at 10:00 Shanghai on scene.TODAY, the clock still ticking (ordering by time holds)."""
    if request.node.get_closest_marker("browser"):
        # Chromium and the live server keep the real clock; these tests build their data with the real day.
        yield
        return
    instant = dt.datetime.combine(TODAY, dt.time(10), tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(instant, tick=True):
        yield
