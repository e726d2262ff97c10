"""The paho-mqtt shell around the ingest core (`ingest.IngestCore`), run by `firegrid mqtt`.

paho's network thread (`loop_start`) receives messages into a queue and reconnects by itself when the
broker goes away (`reconnect_delay_set`: 1 s, doubling up to 30 s); this thread — the only one touching
the database — feeds the core, flushes it when due and acknowledges (QoS 1, manual acks) the messages of
each flushed batch. A persistent session (fixed client id, clean_session off) lets the broker keep and
redeliver what was not acknowledged while the ingester was away. See docs/monitoring.md.
"""

from __future__ import annotations

import logging
import queue
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from django.db import close_old_connections, connections

from .conf import setting
from .ingest import IngestCore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def parse_url(url: str) -> Broker:
    """mqtt://[user:password@]host[:port] or mqtts://… (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"FIREGRID_MQTT_URL must start with mqtt:// or mqtts://, not {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    return Broker(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (8883 if tls else 1883),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


def make_client(client_id: str, broker: Broker, *, persistent: bool, manual_ack: bool = False) -> paho.Client:
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent,
        protocol=paho.MQTTv311,
        manual_ack=manual_ack,
    )
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
    return client


class MqttIngester:
    """Subscribe, feed the core, flush, acknowledge — until `stop` is set."""

    def __init__(
        self,
        core: IngestCore | None = None,
        *,
        url: str | None = None,
        client_id: str | None = None,
        persistent: bool = True,
        stop: threading.Event | None = None,
    ) -> None:
        self.core = core or IngestCore()
        self.broker = parse_url(url or setting("FIREGRID_MQTT_URL"))
        self.client_id = client_id or setting("FIREGRID_MQTT_CLIENT_ID")
        self.persistent = persistent
        self.stop = stop or threading.Event()
        self.connected = threading.Event()
        self.inbox: queue.Queue[tuple[str, bytes, int, int]] = queue.Queue()
        self.client = make_client(self.client_id, self.broker, persistent=persistent, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # paho's callbacks (its network thread): no database here.
    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if getattr(reason, "is_failure", False):
            log.error("mqtt: connection refused: %s", reason)
            return
        client.subscribe(self.core.topic_filter(), qos=1)
        self.connected.set()
        log.info(
            "mqtt: connected to %s:%s, subscribed to %s",
            self.broker.host,
            self.broker.port,
            self.core.topic_filter(),
        )

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        self.connected.clear()
        if not self.stop.is_set():
            log.warning("mqtt: disconnected (%s); reconnecting", reason)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self.inbox.put((message.topic, bytes(message.payload), message.mid, message.qos))

    def _ack(self, token: tuple[int, int]) -> None:
        mid, qos = token
        if qos > 0:
            self.client.ack(mid, qos)

    def step(self, wait: float = 0.05) -> None:
        """Take what arrived (waiting up to `wait` for the first), flush when due, acknowledge."""
        try:
            item: tuple[str, bytes, int, int] | None = self.inbox.get(timeout=wait)
        except queue.Empty:
            item = None
        while item is not None:
            topic, payload, mid, qos = item
            if self.core.submit(topic, payload, token=(mid, qos)) is not None:
                self._ack((mid, qos))  # refused: nothing to keep, nothing to redeliver
            if self.core.due():
                self._flush()
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                item = None
        if self.core.due():
            self._flush()

    def _flush(self) -> None:
        close_old_connections()
        result = self.core.flush()
        for token in result.tokens:
            self._ack(token)

    def run(self) -> None:
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()
        try:
            while not self.stop.is_set():
                self.step()
            self.step(wait=0)
            if self.core.buffer:
                self._flush()
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            # This thread's database connections end with it (a test database can then be dropped).
            connections.close_all()
            log.info("mqtt: stopped; %s", dict(self.core.stats))
