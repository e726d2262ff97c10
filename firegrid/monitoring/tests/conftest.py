from __future__ import annotations

from types import SimpleNamespace

import pytest

from firegrid.jobs.testing import shared_db  # noqa: F401  (fixture)
from firegrid.monitoring.choices import DeviceKind

from .scene import make_case, make_device


@pytest.fixture
def monitoring_scene(district, personas):
    """(After the personas, so the grid workers are told.) A smoke detector in premises_a (grid A) and a gas detector in premises_b (grid B), each with an
    open alert case."""
    d = district
    device_a = make_device(d.premises_a, serial="SD-A-1", room=d.room_a)
    device_b = make_device(d.premises_b, kind=DeviceKind.GAS, serial="GS-B-1")
    return SimpleNamespace(
        d=d,
        device_a=device_a,
        device_b=device_b,
        case_a=make_case(device_a),
        case_b=make_case(device_b),
    )
