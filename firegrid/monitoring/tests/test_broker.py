"""A real broker: publish to 127.0.0.1:1883 (FIREGRID_TEST_MQTT_URL) and see the case created by the
ingester running in a thread. Skipped with a loud message when no broker answers, unless CI=true (then it
fails) — as the browser tests. Each run uses its own topic prefix, so parallel runs never collide."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import threading
import time
import uuid

import pytest

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, Role
from firegrid.monitoring.choices import CaseState, DeviceState
from firegrid.monitoring.ingest import IngestCore, Reason
from firegrid.monitoring.models import AlertCase, Device
from firegrid.monitoring.mqtt import MqttIngester, make_client, parse_url


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_alarm_published_to_the_broker_opens_a_case(broker, shared_db, settings):
    prefix = f"firegrid-test-{uuid.uuid4().hex[:10]}"
    settings.FIREGRID_MQTT_TOPIC_PREFIX = prefix
    grid = t.make_area(
        AreaLevel.GRID, "测试网格", t.make_area(AreaLevel.DISTRICT, "测试区", code="9"), code="9001"
    )
    landlord = t.make_landlord("王房东", area=grid)
    premises = t.make_premises(t.make_building(grid, "测试路1号"), landlord, unit_label="整幢")
    t.make_user("gw-mqtt", Role.GRID_WORKER, [grid])
    device = Device.objects.create(premises=premises, kind="smoke", serial="MQTT-SD-1")

    core = IngestCore(batch_size=50, flush_ms=100)
    stop = threading.Event()
    ingester = MqttIngester(core, url=broker, client_id=f"{prefix}-ingest", persistent=False, stop=stop)
    thread = threading.Thread(target=ingester.run, daemon=True)
    thread.start()
    publisher = make_client(f"{prefix}-pub", parse_url(broker), persistent=False)
    try:
        assert ingester.connected.wait(10), "the ingester did not connect"
        time.sleep(0.3)  # the subscription is acknowledged
        b = parse_url(broker)
        publisher.connect(b.host, b.port)
        publisher.loop_start()
        now = dt.datetime.now(dt.UTC)
        for seq in range(1, 4):
            ts = (now + dt.timedelta(seconds=seq)).isoformat()
            publisher.publish(core.topic("MQTT-SD-1", "alarm"), json.dumps({"ts": ts, "seq": seq}), qos=1)
        publisher.publish(core.topic("MQTT-SD-1", "alarm"), b"{broken", qos=1)
        publisher.publish(
            core.topic("NOBODY-1", "alarm"), json.dumps({"ts": now.isoformat(), "seq": 1}), qos=1
        )
        assert wait_for(lambda: AlertCase.objects.filter(device=device, alarm_count=3).exists()), dict(
            core.stats
        )
        assert wait_for(lambda: core.stats[Reason.UNKNOWN_DEVICE] == 1)
    finally:
        stop.set()
        thread.join(10)
        publisher.loop_stop()
        publisher.disconnect()
    case = AlertCase.objects.get(device=device)
    assert case.state == CaseState.OPEN
    assert Device.objects.get(pk=device.pk).state == DeviceState.ALARM
    assert core.stats[Reason.BAD_JSON] == 1
    assert not thread.is_alive()


MOSQUITTO = "/usr/sbin/mosquitto"


def _start_mosquitto(port: int, tmp_path) -> subprocess.Popen[bytes]:
    config = tmp_path / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert wait_for(lambda: _answers(port), 5), "mosquitto did not start"
    return process


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_the_ingester_reconnects_when_the_broker_restarts(shared_db, settings, tmp_path):
    if not os.path.exists(MOSQUITTO):
        message = f"{MOSQUITTO} not found: install Debian's mosquitto"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI=true)")
        print(f"\n!!! SKIPPING MQTT RECONNECT TEST: {message}\n")
        pytest.skip(message)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"mqtt://127.0.0.1:{port}"
    prefix = f"firegrid-test-{uuid.uuid4().hex[:10]}"
    settings.FIREGRID_MQTT_TOPIC_PREFIX = prefix
    grid = t.make_area(
        AreaLevel.GRID, "测试网格", t.make_area(AreaLevel.DISTRICT, "测试区", code="9"), code="9001"
    )
    premises = t.make_premises(
        t.make_building(grid, "测试路2号"), t.make_landlord("赵房东", area=grid), unit_label="1楼"
    )
    device = Device.objects.create(premises=premises, kind="smoke", serial="MQTT-RC-1")
    core = IngestCore(batch_size=50, flush_ms=100)
    stop = threading.Event()
    mosquitto = _start_mosquitto(port, tmp_path)
    ingester = MqttIngester(core, url=url, client_id=f"{prefix}-ingest", persistent=False, stop=stop)
    thread = threading.Thread(target=ingester.run, daemon=True)
    thread.start()

    def publish(seq: int) -> None:
        client = make_client(f"{prefix}-pub-{seq}", parse_url(url), persistent=False)
        client.connect("127.0.0.1", port)
        client.loop_start()
        ts = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seq)).isoformat()
        client.publish(
            core.topic("MQTT-RC-1", "alarm"), json.dumps({"ts": ts, "seq": seq}), qos=1
        ).wait_for_publish(5)
        client.loop_stop()
        client.disconnect()

    try:
        assert ingester.connected.wait(10)
        time.sleep(0.3)
        publish(1)
        assert wait_for(lambda: AlertCase.objects.filter(device=device).exists())
        mosquitto.terminate()
        mosquitto.wait(5)
        assert wait_for(lambda: not ingester.connected.is_set(), 5)
        mosquitto = _start_mosquitto(port, tmp_path)
        assert ingester.connected.wait(40), "the ingester did not reconnect"
        time.sleep(0.3)
        publish(2)
        assert wait_for(lambda: AlertCase.objects.filter(device=device, alarm_count=2).exists()), dict(
            core.stats
        )
    finally:
        stop.set()
        thread.join(10)
        mosquitto.terminate()
        mosquitto.wait(5)
