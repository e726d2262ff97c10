"""The ingester beside the development server: `make run` starts it with the embedded scheduler when a
broker answers at FIREGRID_MQTT_URL, and says so on the console either way.

Only in the development server (`runserver`, the process that serves): a production web server runs any
number of processes, and two ingesters with one client id would push each other off the broker —
production runs `firegrid mqtt` as its own service (deploy notes in docs/monitoring.md).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from typing import TextIO

from .conf import setting
from .mqtt import Broker, MqttIngester, parse_url

log = logging.getLogger(__name__)

_started: threading.Thread | None = None
_ingester: MqttIngester | None = None
_lock = threading.Lock()


def broker_answers(broker: Broker, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((broker.host, broker.port), timeout=timeout):
            return True
    except OSError:
        return False


def start(stream: TextIO | None = None) -> threading.Thread | None:
    """Start the ingester in a daemon thread when a broker answers; None (and a line saying why) when not."""
    global _started, _ingester
    stream = stream or sys.stderr
    url = setting("FIREGRID_MQTT_URL")
    try:
        broker = parse_url(url)
    except ValueError as error:
        stream.write(f"MQTT: {error}; sensor messages are not ingested.\n")
        return None
    if not broker_answers(broker):
        stream.write(
            f"MQTT: no broker answers at {broker.host}:{broker.port}; sensor messages are not ingested "
            "(start mosquitto, or run `firegrid mqtt` once one answers).\n"
        )
        return None
    with _lock:
        if _started is None or not _started.is_alive():
            _ingester = MqttIngester(url=url)
            _started = threading.Thread(target=_ingester.run, name="firegrid-mqtt", daemon=True)
            _started.start()
            stream.write(
                f"MQTT: ingesting sensor messages from {broker.host}:{broker.port} "
                f"({_ingester.core.topic_filter()}).\n"
            )
            log.info("embedded MQTT ingester started")
        return _started


def stop(timeout: float = 5.0) -> None:
    """Flush and stop the ingester (the server's exit does it for a daemon thread; tests call it)."""
    global _started, _ingester
    with _lock:
        if _ingester is not None and _started is not None:
            _ingester.stop.set()
            _started.join(timeout)
        _started = _ingester = None
