#!/usr/bin/env python
"""Monitoring benchmark (issue 15): the MQTT ingester's sustained rate with its database writes against a
bare paho receive loop on the same broker and message stream, and the alarm-to-case latency under a
district's load.

    make bench-monitoring BENCH_ARGS="..."  (or .venv/bin/python bench/monitoring.py [--devices 10000]
        [--rounds 3] [--live-seconds 120] [--alarms 120] [--db sqlite|postgres] [--out FILE])

It starts a broker of its own (the system's `mosquitto` binary, on --port, 18830) with the defaults a
district runs — in particular `max_inflight_messages 20`, the QoS 1 messages the broker sends a client before
it must acknowledge — except `max_queued_messages 0` (unbounded), so nothing is dropped while a consumer
drains a backlog. Messages are `firegrid mqtt simulate`'s heartbeats, one stream per phase (its own topic
prefix), published by a separate process.

1. **Drain rate** (`bare_rate`, `ingest_rate`): the consumer subscribes with a persistent session and goes
   away; --devices × --rounds heartbeats are published and queued by the broker; the consumer comes back
   and the clock runs from its first message to its last (bare: received; ingester: written and
   acknowledged). The publisher's speed is out of the figure: the same backlog, drained by each.
   `ingest_ratio` = ingest_rate / bare_rate (goal ≥ 0.5).
2. **Alarm-to-case latency** under live load: the ingester runs; every device heartbeats once a minute
   (phases spread over the minute) for --live-seconds, and --alarms devices each alarm once at a random
   moment. Per alarm: from its publication (the publisher's clock) to the commit of the flush that opened its
   case (the ingester's clock, same machine). p50 / p95 / p99 / max, and the cases opened.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "firegrid_monitoring_bench"
DEVICES_PER_PREMISES = 5
GOAL_RATIO = 0.5
LIVE_SEQ_BASE = 1_000_000


# --- the broker -----------------------------------------------------------------------------------------


def start_broker(port: int, workdir: str) -> subprocess.Popen[bytes]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        raise SystemExit(
            "bench: mosquitto is not installed (bash scripts/system-packages.sh test installs it)"
        )
    conf = Path(workdir) / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n"
    )
    broker = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return broker
        except OSError:
            time.sleep(0.05)
    broker.kill()
    raise SystemExit(f"bench: the broker did not start on port {port}")


def paho_client(client_id: str, *, persistent: bool) -> Any:
    import paho.mqtt.client as paho

    return paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent,
        protocol=paho.MQTTv311,
    )


def serials(n: int) -> list[str]:
    return [f"BM-{i:06d}" for i in range(n)]


def topic(prefix: str, serial: str, event: str) -> str:
    return f"{prefix}/v1/devices/{serial}/{event}"


# --- the publisher (its own process) --------------------------------------------------------------------------


def phase_publish(
    port: int, prefix: str, devices: int, rounds: int, live_seconds: float, alarms: int, out: str
) -> None:
    """Drain mode (live_seconds 0): devices × rounds heartbeats as fast as the broker takes them. Live mode:
    each device once a minute for live_seconds, `alarms` devices alarming once; the alarms' publication
    times go to `out`. Sequence numbers go on from the drain's (the ingester drops a device's seq seen
    before as a duplicate)."""
    import datetime as dt

    client = paho_client(f"bench-pub-{uuid.uuid4().hex[:8]}", persistent=False)
    client.max_inflight_messages_set(200)
    client.connect("127.0.0.1", port)
    client.loop_start()
    names = serials(devices)
    rng = random.Random(7)
    seq = dict.fromkeys(names, LIVE_SEQ_BASE if live_seconds else 0)

    def send(serial: str, event: str) -> Any:
        seq[serial] += 1
        body = {"ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "seq": seq[serial]}
        return client.publish(topic(prefix, serial, event), json.dumps(body), qos=1)

    started = time.time()
    last = None
    published_at: dict[str, float] = {}
    if not live_seconds:
        for _ in range(rounds):
            for serial in names:
                last = send(serial, "heartbeat")
    else:
        plan = []
        phase = {s: rng.uniform(0, 60) for s in names}
        minute = 0
        while minute * 60 < live_seconds:
            plan += [
                (minute * 60 + phase[s], s, "heartbeat")
                for s in names
                if minute * 60 + phase[s] < live_seconds
            ]
            minute += 1
        plan += [(rng.uniform(5, live_seconds - 5), s, "alarm") for s in rng.sample(names, alarms)]
        plan.sort()
        for at, serial, event in plan:
            delay = started + at - time.time()
            if delay > 0:
                time.sleep(delay)
            last = send(serial, event)
            if event == "alarm":
                published_at[serial] = time.time()
    if last is not None:
        last.wait_for_publish(timeout=600)
    # Every PUBACK in: nothing still in paho's queue.
    while client.want_write() or len(getattr(client, "_out_messages", {})):
        time.sleep(0.05)
    seconds = time.time() - started
    client.disconnect()
    client.loop_stop()
    Path(out).write_text(json.dumps({"seconds": seconds, "alarms": published_at}))


def _publisher(
    port: int, prefix: str, devices: int, rounds: int, live_seconds: float, alarms: int
) -> tuple[list[str], str]:
    """The publisher's command line (this script's `publish` phase) and the file it reports to."""
    out = tempfile.mktemp(suffix=".json")
    values = (port, prefix, devices, rounds, live_seconds, alarms, out)
    return [PY, __file__, "publish", *map(str, values)], out


def publish(
    port: int, prefix: str, devices: int, *, rounds: int = 0, live_seconds: float = 0, alarms: int = 0
) -> dict[str, Any]:
    args, out = _publisher(port, prefix, devices, rounds, live_seconds, alarms)
    subprocess.run(args, check=True)
    return json.loads(Path(out).read_text())


def publish_async(
    port: int, prefix: str, devices: int, *, live_seconds: float, alarms: int
) -> tuple[subprocess.Popen[bytes], str]:
    args, out = _publisher(port, prefix, devices, 0, live_seconds, alarms)
    return subprocess.Popen(args), out


# --- the consumers ------------------------------------------------------------------------------------------------


def bare_drain(port: int, devices: int, rounds: int) -> dict[str, Any]:
    """A paho client that only counts: subscribe (persistent), go, let the backlog be queued, come back, drain."""
    prefix = f"bench-bare-{uuid.uuid4().hex[:6]}"
    client_id = f"bench-bare-{uuid.uuid4().hex[:6]}"
    total = devices * rounds
    got = {"n": 0, "first": 0.0, "last": 0.0}
    done = threading.Event()
    subscribed = threading.Event()

    def on_connect(client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        client.subscribe(f"{prefix}/v1/devices/+/+", qos=1)

    def on_subscribe(*args: Any) -> None:
        subscribed.set()

    def on_message(client: Any, userdata: Any, message: Any) -> None:
        now = time.perf_counter()
        if not got["n"]:
            got["first"] = now
        got["n"] += 1
        got["last"] = now
        if got["n"] >= total:
            done.set()

    client = paho_client(client_id, persistent=True)
    client.on_connect, client.on_subscribe, client.on_message = on_connect, on_subscribe, on_message
    client.connect("127.0.0.1", port)
    client.loop_start()
    subscribed.wait(10)
    client.disconnect()
    client.loop_stop()
    published = publish(port, prefix, devices, rounds=rounds)
    client.connect("127.0.0.1", port)
    client.loop_start()
    finished = done.wait(600)
    client.disconnect()
    client.loop_stop()
    seconds = got["last"] - got["first"]
    return {
        "messages": got["n"],
        "complete": finished,
        "seconds": round(seconds, 3),
        "rate": round((got["n"] - 1) / seconds, 1) if seconds else None,
        "publish_seconds": round(published["seconds"], 3),
    }


class Watched:
    """The ingester's core, timed: when its first message came and when each flush committed."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.first: float | None = None
        self.flushes: list[tuple[float, int]] = []  # (wall clock after the commit, messages accepted so far)
        submit, flush = core.submit, core.flush

        def timed_submit(*args: Any, **kwargs: Any) -> Any:
            if self.first is None:
                self.first = time.time()
            return submit(*args, **kwargs)

        def timed_flush() -> Any:
            result = flush()
            self.flushes.append((time.time(), self.core.stats["accepted"]))
            return result

        core.submit, core.flush = timed_submit, timed_flush


def run_ingester(core: Any, port: int, client_id: str, *, persistent: bool) -> tuple[Any, threading.Thread]:
    from firegrid.monitoring.mqtt import MqttIngester

    ingester = MqttIngester(core, url=f"mqtt://127.0.0.1:{port}", client_id=client_id, persistent=persistent)
    thread = threading.Thread(target=ingester.run, daemon=True)
    thread.start()
    return ingester, thread


def ingest_drain(port: int, devices: int, rounds: int) -> dict[str, Any]:
    from firegrid.monitoring.ingest import IngestCore

    prefix = f"bench-ingest-{uuid.uuid4().hex[:6]}"
    client_id = f"bench-ingest-{uuid.uuid4().hex[:6]}"
    total = devices * rounds
    ingester, thread = run_ingester(IngestCore(prefix=prefix), port, client_id, persistent=True)
    ingester.connected.wait(10)
    time.sleep(0.5)  # the subscription is in
    ingester.stop.set()
    thread.join(30)
    published = publish(port, prefix, devices, rounds=rounds)
    core = IngestCore(prefix=prefix)
    watched = Watched(core)
    ingester, thread = run_ingester(core, port, client_id, persistent=True)
    deadline = time.time() + 1800
    while core.stats["accepted"] < total and time.time() < deadline:
        time.sleep(0.1)
    ingester.stop.set()
    thread.join(60)
    done_at = next((at for at, accepted in watched.flushes if accepted >= total), None)
    seconds = (done_at - watched.first) if done_at and watched.first else None
    return {
        "messages": core.stats["accepted"],
        "complete": done_at is not None,
        "seconds": round(seconds, 3) if seconds else None,
        "rate": round(total / seconds, 1) if seconds else None,
        "flushes": len(watched.flushes),
        "mean_batch": round(total / len(watched.flushes), 1) if watched.flushes else None,
        "publish_seconds": round(published["seconds"], 3),
        "stats": dict(core.stats),
    }


def live_latency(port: int, devices: int, live_seconds: float, alarms: int) -> dict[str, Any]:
    from firegrid.monitoring.ingest import IngestCore
    from firegrid.monitoring.models import AlertCase

    prefix = f"bench-live-{uuid.uuid4().hex[:6]}"
    core = IngestCore(prefix=prefix)
    watched = Watched(core)
    ingester, thread = run_ingester(core, port, f"bench-live-{uuid.uuid4().hex[:6]}", persistent=False)
    ingester.connected.wait(10)
    time.sleep(0.5)
    opened_before = set(AlertCase.objects.values_list("pk", flat=True))
    publisher, out = publish_async(port, prefix, devices, live_seconds=live_seconds, alarms=alarms)
    publisher.wait()
    time.sleep(3)  # the last alarms' flush
    ingester.stop.set()
    thread.join(60)
    published = json.loads(Path(out).read_text())["alarms"]
    cases = {
        serial: created.timestamp()
        for serial, created in AlertCase.objects.exclude(pk__in=opened_before).values_list(
            "device__serial", "created_at"
        )
    }
    commits = [at for at, _ in watched.flushes]
    latencies = []
    for serial, sent in published.items():
        created = cases.get(serial)
        if created is None:
            continue
        committed = next((at for at in commits if at >= created), None)
        if committed is not None:
            latencies.append((committed - sent) * 1000)
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    heartbeats = core.stats["accepted"] - len(published)
    return {
        "devices": devices,
        "seconds": live_seconds,
        "alarms_published": len(published),
        "cases_opened": len(cases),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(latencies[-1], 1) if latencies else None,
        },
        "heartbeats_accepted": heartbeats,
        "heartbeat_rate": round(heartbeats / live_seconds, 1),
        "stats": dict(core.stats),
    }


# --- the database -------------------------------------------------------------------------------------------------


def setup_django(db_url: str) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DATABASE_URL"] = db_url
    os.environ["FIREGRID_DEV"] = "true"
    os.environ["FIREGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="monitoring-bench-")
    os.environ["LOG_LEVEL"] = "ERROR"
    # Kept in memory: the messages are composed and handed over as in production, not printed.
    os.environ["FIREGRID_SMS_BACKEND"] = "firegrid.core.sms.LocmemBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()


def fresh_db(kind: str, workdir: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir}/bench.sqlite3"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def load_devices(devices: int) -> None:
    """`devices` smoke detectors, five to a premises, in one grid with its worker (who is told of alarms)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from firegrid import testing as t
    from firegrid.areas.choices import AreaLevel, Role
    from firegrid.monitoring.choices import DeviceKind
    from firegrid.monitoring.models import Device
    from firegrid.registry.models import Premises

    d = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    s = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", d, code="330803001")
    c = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", s, code="330803001001")
    grid = t.make_area(AreaLevel.GRID, "樟树潭一网格", c, code="330803001001001")
    t.make_user("bench-worker", Role.GRID_WORKER, [grid])
    landlord = t.make_landlord("房东", grid)
    premises: list[Premises] = []
    for b in range((devices + DEVICES_PER_PREMISES - 1) // DEVICES_PER_PREMISES):
        building = t.make_building(grid, f"樟树潭村{b + 1}号")
        premises.append(t.make_premises(building, landlord, unit_label="整幢"))
    names = serials(devices)
    Device.objects.bulk_create(
        [
            Device(premises=premises[i // DEVICES_PER_PREMISES], kind=DeviceKind.SMOKE, serial=serial)
            for i, serial in enumerate(names)
        ],
        batch_size=1000,
    )


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "publish":
        port, prefix, devices, rounds, live, alarms, out = sys.argv[2:9]
        phase_publish(int(port), prefix, int(devices), int(rounds), float(live), int(alarms), out)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="heartbeats per device in the drain backlog")
    parser.add_argument("--live-seconds", type=float, default=120)
    parser.add_argument("--alarms", type=int, default=120)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--port", type=int, default=18830)
    parser.add_argument("--out", default=str(REPO / "bench" / "results-monitoring.json"))
    opts = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="monitoring-bench-")
    broker = start_broker(opts.port, workdir)
    try:
        setup_django(fresh_db(opts.db, workdir))
        started = time.time()
        load_devices(opts.devices)
        print(f"bench: {opts.devices} devices loaded in {time.time() - started:.1f} s", flush=True)
        bare = bare_drain(opts.port, opts.devices, opts.rounds)
        print("bench: bare paho drain", bare, flush=True)
        ingest = ingest_drain(opts.port, opts.devices, opts.rounds)
        print("bench: ingester drain", {k: v for k, v in ingest.items() if k != "stats"}, flush=True)
        live = live_latency(opts.port, opts.devices, opts.live_seconds, opts.alarms)
        print("bench: live latency", {k: v for k, v in live.items() if k != "stats"}, flush=True)
    finally:
        broker.terminate()
        broker.wait(10)
    ratio = round(ingest["rate"] / bare["rate"], 3) if ingest["rate"] and bare["rate"] else None
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "db": opts.db,
        "devices": opts.devices,
        "backlog_messages": opts.devices * opts.rounds,
        "broker": "mosquitto defaults (max_inflight_messages 20) + max_queued_messages 0, persistence off",
        "bare": bare,
        "ingest": ingest,
        "ingest_ratio": ratio,
        "target_ingest_ratio_at_least_0_5": bool(ratio and ratio >= GOAL_RATIO),
        "live": live,
    }
    Path(opts.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(
        json.dumps(
            {k: v for k, v in results.items() if k not in ("bare", "ingest", "live")}, ensure_ascii=False
        )
    )
    print(f"bench: wrote {opts.out}")


if __name__ == "__main__":
    main()
