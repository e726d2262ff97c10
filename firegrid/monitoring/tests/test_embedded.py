"""`make run` ingests sensor messages beside the embedded scheduler when a broker answers, and says so when
none does (issue 15: "the ingester starts with the embedded scheduler when a broker answers")."""

from __future__ import annotations

import io
import uuid

from firegrid.monitoring import embedded

from .test_broker import wait_for


def test_no_broker_is_said_on_the_console_and_nothing_starts(settings):
    settings.FIREGRID_MQTT_URL = "mqtt://127.0.0.1:9"  # discard port: nothing listens
    console = io.StringIO()
    assert embedded.start(console) is None
    assert "no broker answers at 127.0.0.1:9" in console.getvalue()


def test_a_broken_url_is_said_and_nothing_starts(settings):
    settings.FIREGRID_MQTT_URL = "http://127.0.0.1:1883"
    console = io.StringIO()
    assert embedded.start(console) is None
    assert "mqtt://" in console.getvalue()


def test_a_broker_that_answers_gets_one_ingester(broker, settings, shared_db):
    settings.FIREGRID_MQTT_URL = broker
    settings.FIREGRID_MQTT_TOPIC_PREFIX = f"firegrid-test-{uuid.uuid4().hex[:10]}"
    settings.FIREGRID_MQTT_CLIENT_ID = f"{settings.FIREGRID_MQTT_TOPIC_PREFIX}-embedded"
    console = io.StringIO()
    try:
        thread = embedded.start(console)
        assert thread is not None and thread.is_alive()
        assert embedded.start(console) is thread  # a second call starts nothing more
        assert embedded._ingester is not None
        assert wait_for(embedded._ingester.connected.is_set)
        assert "MQTT: ingesting sensor messages from" in console.getvalue()
        assert settings.FIREGRID_MQTT_TOPIC_PREFIX in console.getvalue()
    finally:
        embedded.stop()
    assert not thread.is_alive()
