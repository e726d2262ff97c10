"""`firegrid mqtt`: a bad broker URL is a clear error; `simulate` publishes registered devices' streams."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from firegrid.monitoring.mqtt import parse_url

from .scene import make_device

pytestmark = pytest.mark.django_db


def test_a_bad_broker_url_is_a_clear_error():
    with pytest.raises(CommandError, match="mqtt://"):
        call_command("mqtt", "--url", "http://example.org")
    broker = parse_url("mqtts://user:p%40ss@broker.example:9999")
    assert (broker.host, broker.port, broker.username, broker.password, broker.tls) == (
        "broker.example",
        9999,
        "user",
        "p@ss",
        True,
    )
    assert parse_url("mqtt://10.0.0.5").port == 1883


def test_simulate_without_devices_says_what_to_do():
    with pytest.raises(CommandError, match="No devices"):
        call_command("mqtt", "simulate")


def test_simulate_publishes_to_the_broker(district, settings):
    from .conftest import BROKER_URL
    from .test_broker import _answers

    if not _answers(int(BROKER_URL.rsplit(":", 1)[1])):
        pytest.skip("no MQTT broker (see test_broker.py)")
    settings.FIREGRID_MQTT_TOPIC_PREFIX = "firegrid-test-sim"
    make_device(district.premises_a, serial="SIM-1")
    make_device(district.premises_a, serial="SIM-2")
    out = io.StringIO()
    call_command(
        "mqtt",
        "simulate",
        "--url",
        BROKER_URL,
        "--rounds",
        "2",
        "--interval",
        "1",
        "--storm",
        "--speed",
        "1000",
        stdout=out,
    )
    assert "from 2 devices (storm: 2)" in out.getvalue()
