"""Realistic sensor streams for `firegrid mqtt simulate`: devices heartbeating every `interval` seconds,
now and then an alarm (followed by a clear), a fault or a low battery, and on request an alarm storm from
every device of one building. Seeded: the same seed gives the same stream.

`stream(...)` is plain Python (what to send, and when relative to the start); `publish(...)` sends it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .ingest import IngestCore

# Chances per device and heartbeat round.
P_ALARM = 0.01
P_FAULT = 0.004
P_LOW_BATTERY = 0.004
P_READING = 0.1


@dataclass(frozen=True)
class Outgoing:
    at: float  # seconds after the start
    serial: str
    event: str
    body: dict[str, object]


def stream(
    serials: Sequence[str],
    *,
    interval: float,
    rounds: int,
    seed: int,
    storm: Sequence[str] = (),
    storm_alarms: int = 20,
    start: dt.datetime | None = None,
) -> Iterator[Outgoing]:
    rng = random.Random(seed)
    start = start or dt.datetime.now(dt.UTC)
    seq = dict.fromkeys(serials, 0)
    # Devices do not beat in step: each has its own phase inside the interval.
    phase = {s: rng.uniform(0, interval) for s in serials}
    out: list[Outgoing] = []

    def add(at: float, serial: str, event: str, **extra: object) -> None:
        seq[serial] += 1
        ts = (start + dt.timedelta(seconds=at)).isoformat(timespec="milliseconds")
        out.append(Outgoing(at, serial, event, {"ts": ts, "seq": seq[serial], **extra}))

    for r in range(rounds):
        for serial in serials:
            at = r * interval + phase[serial]
            add(at, serial, "heartbeat")
            roll = rng.random()
            if roll < P_ALARM:
                add(at + 0.5, serial, "alarm", values={"smoke_db_m": round(rng.uniform(0.15, 0.6), 2)})
                add(at + rng.uniform(30, 300), serial, "clear")
            elif roll < P_ALARM + P_FAULT:
                add(at + 0.5, serial, "fault", code=rng.choice(["E01", "E07", "E12"]))
            elif roll < P_ALARM + P_FAULT + P_LOW_BATTERY:
                add(at + 0.5, serial, "low_battery", values={"battery_pct": rng.randint(3, 15)})
            elif roll < P_ALARM + P_FAULT + P_LOW_BATTERY + P_READING:
                add(
                    at + 0.2,
                    serial,
                    "reading",
                    values={
                        "residual_ma": round(rng.uniform(5, 40), 1),
                        "temp_c": round(rng.uniform(20, 70), 1),
                    },
                )
    if storm:
        # A fire (or a burnt pan) in one building: every device alarms again and again within a minute.
        at0 = interval * rounds / 2
        for i in range(storm_alarms):
            for serial in storm:
                add(at0 + i * 3 + rng.uniform(0, 2), serial, "alarm", values={"smoke_db_m": 0.8})
    yield from sorted(out, key=lambda o: o.at)


def publish(
    messages: Iterator[Outgoing],
    *,
    client: object,
    core: IngestCore,
    speed: float = 1.0,
    realtime: bool = True,
) -> int:
    """Send `messages` (QoS 1) through a connected paho client, at their times divided by `speed`."""
    started = time.monotonic()
    sent = 0
    for message in messages:
        if realtime:
            delay = message.at / speed - (time.monotonic() - started)
            if delay > 0:
                time.sleep(delay)
        client.publish(  # type: ignore[attr-defined]  # a paho Client
            core.topic(message.serial, message.event), json.dumps(message.body), qos=1
        )
        sent += 1
    return sent
