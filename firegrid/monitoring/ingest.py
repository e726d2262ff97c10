"""The ingest core: MQTT messages from sensors → parsed → validated → buffered → flushed in one
transaction. A plain class, testable without a broker; `mqtt.py` is the thin paho shell around it.

Topic scheme (``<prefix>`` is FIREGRID_MQTT_TOPIC_PREFIX, default ``firegrid``)::

    <prefix>/v1/devices/<serial>/<event>

``<serial>`` is the device's serial number (letters, digits, ``-``, ``_``) and ``<event>`` one of
``heartbeat``, ``alarm``, ``fault``, ``low_battery``, ``clear``, ``reading``. The payload is a JSON
object of at most FIREGRID_MQTT_MAX_PAYLOAD bytes (4096)::

    {"ts": "2026-12-07T20:15:03+08:00", "seq": 1841}
    {"ts": "2026-12-07T20:15:03Z", "seq": 1842, "values": {"residual_ma": 31.5, "temp_c": 58.0}}

``ts`` is the device's ISO-8601 time with an offset (``Z`` or ``+08:00``); ``seq`` the device's message
counter, a whole number ≥ 0, unique per device (a redelivery carries the same seq). ``values`` (numbers by
name) is required for ``reading`` and allowed for ``alarm``; other keys are kept as they are.

What the core does with each message:

- **refused, counted per reason and logged, never raised**: ``bad_topic``, ``unknown_event``,
  ``oversized``, ``bad_json``, ``bad_ts``, ``bad_seq``, ``bad_values``; at the flush ``unknown_device``.
- **duplicate** (same serial and seq as a message already stored or in the same batch): counted, not
  applied again.
- **out_of_order** (ts older than the last applied message of the device): stored with
  ``applied=False`` and counted; it does not move the device's state back. A late alarm still adds to an
  open case but does not open one.
- **clock_skew** (ts more than FIREGRID_MQTT_MAX_SKEW_SECONDS in the future): accepted with the receive
  time as its ts, and counted.
- any accepted message is a sign of life: the device's last heartbeat (receive time) moves on, and its
  offline deadline with it (heartbeat interval × FIREGRID_DEVICE_OFFLINE_INTERVALS).
- an ``alarm`` opens an alert case (报警处置) when the device has none open, or adds to the open one
  (alarm count, last alarm time); ``clear`` puts the device back online but never closes the case.

Writes are batched: messages wait in a buffer until FIREGRID_MQTT_BATCH_SIZE of them are there or
FIREGRID_MQTT_FLUSH_MS have passed since the first (`due()`); `flush()` writes the batch in one
transaction and returns the tokens (MQTT message ids) to acknowledge — a message is acknowledged as
accepted only once it is flushed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from firegrid.core.bulk_insert import insert_objects, update_objects

from . import services
from .choices import DEVICE_EVENTS, EVENT_STATE, CaseState, DeviceState, EventKind
from .conf import setting
from .models import AlertCase, Device, DeviceEvent

log = logging.getLogger(__name__)

SERIAL_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Stored seq is a BIGINT.
MAX_SEQ = 2**63 - 1
# After this many failed flushes of the same batch it is dropped unacknowledged (the broker redelivers
# it to the next session) instead of blocking every message behind it.
MAX_FLUSH_ATTEMPTS = 3


class Reason:
    """Counter names (`IngestCore.stats`)."""

    BAD_TOPIC = "bad_topic"
    UNKNOWN_EVENT = "unknown_event"
    OVERSIZED = "oversized"
    BAD_JSON = "bad_json"
    BAD_TS = "bad_ts"
    BAD_SEQ = "bad_seq"
    BAD_VALUES = "bad_values"
    UNKNOWN_DEVICE = "unknown_device"
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out_of_order"
    CLOCK_SKEW = "clock_skew"
    FLUSH_FAILED = "flush_failed"
    DROPPED = "dropped"
    ACCEPTED = "accepted"
    APPLIED = "applied"
    CASES_OPENED = "cases_opened"


class Refused(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass
class Message:
    """A message that passed validation and waits in the buffer."""

    serial: str
    event: str
    ts: dt.datetime
    seq: int
    payload: dict[str, Any]
    received_at: dt.datetime
    skewed: bool = False
    token: Any = None


@dataclass
class FlushResult:
    tokens: list[Any] = field(default_factory=list)  # to acknowledge: every message of the batch
    written: int = 0  # events stored
    ok: bool = True


def _parse_ts(raw: Any) -> dt.datetime:
    if not isinstance(raw, str) or len(raw) > 40:
        raise Refused(Reason.BAD_TS, "ts must be an ISO-8601 string")
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise Refused(Reason.BAD_TS, repr(raw)) from None
    if value.tzinfo is None:
        raise Refused(Reason.BAD_TS, "ts needs an offset (Z or +08:00)")
    return value


def _parse_values(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw or len(raw) > 32:
        raise Refused(Reason.BAD_VALUES, "values must be an object of numbers")
    values: dict[str, float] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or len(name) > 32:
            raise Refused(Reason.BAD_VALUES, "value names are short strings")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Refused(Reason.BAD_VALUES, f"{name} is not a number")
        values[name] = value
    return values


class IngestCore:
    """Parse → validate → buffer → flush. Not thread-safe: one thread submits and flushes (the shell's)."""

    def __init__(
        self,
        *,
        prefix: str | None = None,
        batch_size: int | None = None,
        flush_ms: int | None = None,
        max_payload: int | None = None,
        max_skew_seconds: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = timezone.now,
    ) -> None:
        self.prefix = (prefix if prefix is not None else setting("FIREGRID_MQTT_TOPIC_PREFIX")).strip("/")
        self.batch_size = batch_size or int(setting("FIREGRID_MQTT_BATCH_SIZE"))
        self.flush_seconds = (
            flush_ms if flush_ms is not None else int(setting("FIREGRID_MQTT_FLUSH_MS"))
        ) / 1000
        self.max_payload = max_payload or int(setting("FIREGRID_MQTT_MAX_PAYLOAD"))
        self.max_skew = dt.timedelta(
            seconds=max_skew_seconds
            if max_skew_seconds is not None
            else int(setting("FIREGRID_MQTT_MAX_SKEW_SECONDS"))
        )
        self.clock = clock
        self.now = now
        self.buffer: list[Message] = []
        self.first_buffered_at: float | None = None
        self.failed_attempts = 0
        self.stats: Counter[str] = Counter()
        self._topic_head = f"{self.prefix}/v1/devices/"

    # --- topics ---

    def topic_filter(self) -> str:
        """What the ingester subscribes to."""
        return f"{self.prefix}/v1/devices/+/+"

    def topic(self, serial: str, event: str) -> str:
        return f"{self._topic_head}{serial}/{event}"

    # --- parse and validate ---

    def parse(self, topic: str, payload: bytes, received_at: dt.datetime) -> Message:
        """The message, or Refused with its reason."""
        if not topic.startswith(self._topic_head):
            raise Refused(Reason.BAD_TOPIC, topic[:200])
        parts = topic[len(self._topic_head) :].split("/")
        if len(parts) != 2 or not SERIAL_RE.match(parts[0]):
            raise Refused(Reason.BAD_TOPIC, topic[:200])
        serial, event = parts
        if event not in DEVICE_EVENTS:
            raise Refused(Reason.UNKNOWN_EVENT, event[:50])
        if len(payload) > self.max_payload:
            raise Refused(Reason.OVERSIZED, f"{len(payload)} bytes")
        try:
            body = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise Refused(Reason.BAD_JSON, payload[:80].decode("utf-8", "replace")) from None
        if not isinstance(body, dict):
            raise Refused(Reason.BAD_JSON, "the payload is not a JSON object")
        ts = _parse_ts(body.get("ts"))
        seq = body.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_SEQ:
            raise Refused(Reason.BAD_SEQ, repr(seq)[:40])
        extra = {k: v for k, v in body.items() if k not in ("ts", "seq")}
        if event == EventKind.READING or "values" in extra:
            extra["values"] = _parse_values(extra.get("values"))
        skewed = ts - received_at > self.max_skew
        if skewed:
            # A device whose clock runs ahead is believed about what happened, not when.
            extra["device_ts"] = ts.isoformat()
            ts = received_at
        return Message(serial, event, ts, seq, extra, received_at, skewed)

    def _count(self, reason: str, detail: str = "") -> None:
        self.stats[reason] += 1
        n = self.stats[reason]
        # Logged, but a flood of one fault must not flood the log: the first 10, then every 1000th.
        if n <= 10 or n % 1000 == 0:
            log.warning("mqtt ingest: %s (%s so far) %s", reason, n, detail)

    def submit(
        self, topic: str, payload: bytes, *, token: Any = None, received_at: dt.datetime | None = None
    ) -> str | None:
        """Buffer a message; the refusal reason when it is refused (counted and logged) — then nothing is
        kept and the caller may acknowledge it at once."""
        received = received_at or self.now()
        try:
            message = self.parse(topic, payload, received)
        except Refused as exc:
            self._count(exc.reason, exc.detail)
            return exc.reason
        if message.skewed:
            self._count(Reason.CLOCK_SKEW, message.serial)
        message.token = token
        if not self.buffer:
            self.first_buffered_at = self.clock()
        self.buffer.append(message)
        return None

    def due(self) -> bool:
        if not self.buffer:
            return False
        if len(self.buffer) >= self.batch_size:
            return True
        return (
            self.first_buffered_at is not None and self.clock() - self.first_buffered_at >= self.flush_seconds
        )

    # --- flush ---

    def flush(self) -> FlushResult:
        """Write the buffer in one transaction; the tokens to acknowledge. A failed write keeps the batch
        for the next flush (dropped unacknowledged after MAX_FLUSH_ATTEMPTS)."""
        if not self.buffer:
            return FlushResult()
        batch = self.buffer
        try:
            with transaction.atomic():
                written = self._apply(batch)
        except DatabaseError:
            self.failed_attempts += 1
            self._count(Reason.FLUSH_FAILED)
            log.exception("mqtt ingest: flush of %s messages failed", len(batch))
            if self.failed_attempts >= MAX_FLUSH_ATTEMPTS:
                self.stats[Reason.DROPPED] += len(batch)
                self.buffer, self.first_buffered_at, self.failed_attempts = [], None, 0
            return FlushResult(ok=False)
        self.buffer, self.first_buffered_at, self.failed_attempts = [], None, 0
        return FlushResult(tokens=[m.token for m in batch], written=written)

    def _apply(self, batch: list[Message]) -> int:
        now = self.now()
        intervals = services.offline_intervals()
        devices = {
            d.serial: d
            for d in Device.objects.select_for_update().filter(serial__in={m.serial for m in batch})
        }
        ids = [d.pk for d in devices.values()]
        seen = set(
            DeviceEvent.objects.filter(device_id__in=ids, seq__in={m.seq for m in batch}).values_list(
                "device_id", "seq"
            )
        )
        open_cases = {
            c.device_id: c
            for c in AlertCase.objects.select_for_update()
            .filter(device_id__in=ids)
            .exclude(state=CaseState.CLOSED)
        }
        events: list[DeviceEvent] = []
        touched: dict[int, Device] = {}
        bumped: dict[int, AlertCase] = {}
        for m in batch:
            device = devices.get(m.serial)
            if device is None:
                self._count(Reason.UNKNOWN_DEVICE, m.serial)
                continue
            if (device.pk, m.seq) in seen:
                self._count(Reason.DUPLICATE, f"{m.serial} seq {m.seq}")
                continue
            seen.add((device.pk, m.seq))
            self.stats[Reason.ACCEPTED] += 1
            in_order = device.last_event_at is None or m.ts >= device.last_event_at
            if device.last_heartbeat_at is None or m.received_at > device.last_heartbeat_at:
                device.last_heartbeat_at = m.received_at
                device.offline_after = device.silence_deadline(m.received_at, intervals)
            if in_order:
                device.last_event_at = m.ts
                target = EVENT_STATE[m.event]
                if target is not None:
                    device.state = target
                elif device.state == DeviceState.OFFLINE:
                    device.state = DeviceState.ONLINE
                if "values" in m.payload:
                    device.last_reading = {**m.payload["values"], "ts": m.ts.isoformat()}
                self.stats[Reason.APPLIED] += 1
            else:
                self._count(Reason.OUT_OF_ORDER, f"{m.serial} seq {m.seq}")
            device.updated_at = now
            touched[device.pk] = device
            events.append(
                DeviceEvent(
                    device=device,
                    kind=m.event,
                    ts=m.ts,
                    received_at=m.received_at,
                    seq=m.seq,
                    payload=m.payload,
                    applied=in_order,
                    clock_skewed=m.skewed,
                )
            )
            if m.event == EventKind.ALARM:
                case = open_cases.get(device.pk)
                if case is not None:
                    case.alarm_count += 1
                    case.last_alarm_at = max(case.last_alarm_at, m.ts)
                    bumped[case.pk] = case
                elif in_order:
                    open_cases[device.pk] = services.open_case(device, m.ts)
                    self.stats[Reason.CASES_OPENED] += 1
        # Prepared statements run per row (core/bulk_insert.py): bulk_update's CASE WHEN per row and field
        # took nearly all of a flush's time (bench/monitoring.py).
        insert_objects(DeviceEvent, events)
        update_objects(
            Device,
            list(touched.values()),
            ["state", "last_heartbeat_at", "last_event_at", "offline_after", "last_reading", "updated_at"],
        )
        # Repeats do not move the case's version: a storm must not make a person's move a conflict.
        update_objects(AlertCase, list(bumped.values()), ["alarm_count", "last_alarm_at"])
        return len(events)
