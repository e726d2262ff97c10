"""`python manage.py demo` (or `firegrid demo`): load the demo district 衢江区 once."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firegrid.areas.models import User
from firegrid.demo.data import DISTRICT_CODE
from firegrid.demo.generator import MAX_SCALE
from firegrid.demo.loader import DEFAULT_SEED, DEMO_USERS, demo_counts, load_demo
from firegrid.demo.longterm.context import START
from firegrid.demo.progress import display_width, pad


def day(value: str) -> dt.date:
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed <= START:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date after {START.isoformat()} (YYYY-MM-DD)")
    return parsed


def scale_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1 to {MAX_SCALE}")
    return number


class Command(BaseCommand):
    help = (
        "Load the demo district 衢江区 (330803): area tree, departments, units, the rental registry of the "
        "2019 campaign and one user per role. Does nothing if the district is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="same seed, same data (default %(default)s)"
        )
        parser.add_argument(
            "--scale",
            type=scale_number,
            default=1,
            help="multiply the registry (buildings, premises, rooms, tenants, landlords) for load tests; "
            f"the area tree, departments, units and users stay the same (default 1, at most {MAX_SCALE}; "
            "600 gives about 2 million premises)",
        )
        parser.add_argument(
            "--today",
            type=day,
            default=None,
            help="load the district as it stands on this day (YYYY-MM-DD; default: today): the long-term "
            "phase and the grades are computed for it. The few plans made through the real services "
            "(firegrid.demo.rectification) keep the real clock.",
        )

    def handle(self, *args: Any, seed: int, scale: int, today: dt.date | None = None, **options: Any) -> None:
        if not 1 <= scale <= MAX_SCALE:  # call_command(scale=…) skips argparse's type check
            raise CommandError(f"--scale must be a whole number from 1 to {MAX_SCALE}")
        if today is not None and today <= START:
            raise CommandError(f"--today must be after {START.isoformat()}")
        started = time.monotonic()
        loaded = load_demo(seed=seed, scale=scale, progress_stream=self.stderr, today=today)
        counts = demo_counts()
        if not loaded:
            self.stdout.write(
                f"The demo district ({DISTRICT_CODE} 衢江区) is already loaded; nothing changed."
            )
            self._counts(counts)
            if not User.objects.filter(username__in=[u.username for u in DEMO_USERS]).exists():
                self.stderr.write(
                    "None of the demo users exist: an earlier load probably stopped half-way. "
                    "Start again from an empty database."
                )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo district 衢江区 (seed {seed}, scale {scale}) in {time.monotonic() - started:.1f} s."
            )
        )
        self._counts(counts)
        self.stdout.write("Sign-in names and the password: python manage.py demo_logins")

    def _counts(self, counts: dict[str, int]) -> None:
        width = max(display_width(k) for k in counts)
        for name, value in counts.items():
            self.stdout.write(f"  {pad(name, width)}  {value:>9,}")
