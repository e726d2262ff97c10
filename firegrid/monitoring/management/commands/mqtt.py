"""`firegrid mqtt` — the long-running MQTT ingester; `firegrid mqtt simulate` — realistic sensor streams.

    firegrid mqtt [--url mqtt://127.0.0.1:1883]
    firegrid mqtt simulate [--devices 50] [--interval 60] [--rounds 10] [--seed 2019] [--storm] [--speed 1]

Topic scheme and payload: docs/monitoring.md (and `firegrid.monitoring.ingest`).
"""

from __future__ import annotations

import random
import signal
import threading
import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firegrid.monitoring.conf import setting
from firegrid.monitoring.ingest import IngestCore
from firegrid.monitoring.models import Device
from firegrid.monitoring.mqtt import MqttIngester, make_client, parse_url
from firegrid.monitoring.simulate import publish, stream


class Command(BaseCommand):
    help = "MQTT ingest of sensor messages (run), or a simulated stream of them (simulate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["run", "simulate"], default="run")
        parser.add_argument("--url", help="broker, default FIREGRID_MQTT_URL (mqtt://127.0.0.1:1883)")
        parser.add_argument("--devices", type=int, default=50, help="simulate: how many registered devices")
        parser.add_argument(
            "--interval", type=float, default=60, help="simulate: heartbeat interval, seconds"
        )
        parser.add_argument("--rounds", type=int, default=10, help="simulate: heartbeat rounds")
        parser.add_argument("--seed", type=int, default=2019, help="simulate: random seed")
        parser.add_argument("--storm", action="store_true", help="simulate: alarm storm from one building")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="simulate: time runs this many times faster"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "simulate":
            self.simulate(options)
        else:
            self.ingest(options)

    def ingest(self, options: dict[str, Any]) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_a: stop.set())
        try:
            ingester = MqttIngester(url=options["url"], stop=stop)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"mqtt: {ingester.broker.host}:{ingester.broker.port} {ingester.core.topic_filter()}"
        )
        ingester.run()
        self.stdout.write(f"mqtt: stopped {dict(ingester.core.stats)}")

    def simulate(self, options: dict[str, Any]) -> None:
        devices = list(
            Device.objects.select_related("premises")
            .order_by("serial")[: options["devices"]]
            .values_list("serial", "premises__building_id")
        )
        if not devices:
            raise CommandError("No devices are registered: register some (web or API) before simulating.")
        serials = [serial for serial, _b in devices]
        storm: list[str] = []
        if options["storm"]:
            buildings = sorted({b for _s, b in devices})
            building = random.Random(options["seed"]).choice(buildings)
            storm = [serial for serial, b in devices if b == building]
        core = IngestCore()
        try:
            broker = parse_url(options["url"] or setting("FIREGRID_MQTT_URL"))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        client = make_client(f"firegrid-sim-{uuid.uuid4().hex[:8]}", broker, persistent=False)
        client.connect(broker.host, broker.port, keepalive=30)
        client.loop_start()
        try:
            sent = publish(
                stream(
                    serials,
                    interval=options["interval"],
                    rounds=options["rounds"],
                    seed=options["seed"],
                    storm=storm,
                ),
                client=client,
                core=core,
                speed=options["speed"],
            )
            time.sleep(0.5)
        finally:
            client.disconnect()
            client.loop_stop()
        self.stdout.write(f"simulate: {sent} messages from {len(serials)} devices (storm: {len(storm)})")
