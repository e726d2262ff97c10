from __future__ import annotations

import os
import socket
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from firegrid.jobs.testing import shared_db  # noqa: F401  (fixture)
from firegrid.monitoring.choices import DeviceKind

from .scene import make_case, make_device

BROKER_URL = os.environ.get("FIREGRID_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


@pytest.fixture
def broker() -> str:
    parts = urlsplit(BROKER_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 1883), timeout=1):
            pass
    except OSError as exc:
        message = (
            f"no MQTT broker answers at {BROKER_URL} ({exc}): install mosquitto or set FIREGRID_TEST_MQTT_URL"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true)")
        print(f"\n!!! SKIPPING MQTT BROKER TEST: {message}\n")
        pytest.skip(message)
    return BROKER_URL


@pytest.fixture
def monitoring_scene(district, personas):
    """(After the personas, so the grid workers are told.) A smoke detector in premises_a (grid A) and a
    gas detector in premises_b (grid B), each with an open alert case."""
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
