"""The monitoring settings (FIREGRID_MQTT_*, FIREGRID_DEVICE_*): read from Django settings when set
there (tests override them), else from the environment, else the defaults below. See docs/monitoring.md."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from firegrid.conf.env import env_int

DEFAULTS: dict[str, Any] = {
    # The broker: mqtt://[user:password@]host[:port] (mqtts:// for TLS).
    "FIREGRID_MQTT_URL": "mqtt://127.0.0.1:1883",
    # Topics are <prefix>/v1/devices/<serial>/<event>; tests use a random prefix so runs never collide.
    "FIREGRID_MQTT_TOPIC_PREFIX": "firegrid",
    "FIREGRID_MQTT_CLIENT_ID": "firegrid-ingest",
    "FIREGRID_MQTT_BATCH_SIZE": 200,  # a flush after this many buffered messages …
    "FIREGRID_MQTT_FLUSH_MS": 500,  # … or this long after the first one, whichever comes first
    "FIREGRID_MQTT_MAX_PAYLOAD": 4096,  # bytes; a bigger payload is refused (oversized)
    "FIREGRID_MQTT_MAX_SKEW_SECONDS": 300,  # a ts further in the future takes the receive time
    "FIREGRID_DEVICE_OFFLINE_INTERVALS": 3,  # silent for this many heartbeat intervals: offline
    # Risk points a premises gets from its alarms of the last year that proved real (risk_hooks.py): a
    # hazard found (e-bike charging indoors, an electrical fault) makes it at least yellow by the default
    # rule set (cut-off 20); a real fire makes it red (cut-off 50).
    "FIREGRID_ALARM_HAZARD_WEIGHT": 20,
    "FIREGRID_ALARM_FIRE_WEIGHT": 50,
}


def setting(name: str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    default = DEFAULTS[name]
    if isinstance(default, int):
        return env_int(name, default)
    return os.environ.get(name) or default
