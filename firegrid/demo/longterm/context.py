"""What every part of the long-term phase shares: the seed and its random streams, the day the demo is
loaded for (`today`), the clock of the phase, and the demo users.

**The clock.** Everything the phase writes happened before `today` began (`end`, 00:00 Asia/Shanghai),
except what the nightly jobs of `today` do at fixed early hours (plans marked overdue at 00:05, grades at
00:30, the month's verification draw at 01:00 on the 1st): `horizon` (02:00) is where the simulation
stops. Nothing depends on the hour the demo is run at, so the same seed on the same day gives the same
rows. Visits and reports happen in working hours, never between 00:00 and 02:00.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ..generator import seeded_rng

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from firegrid.areas.models import User

    from ..progress import Stream
    from .world import World

# The long-term phase starts the day after the 2019 campaign ended.
START = dt.date(2019, 12, 1)
# Rows per INSERT (SQLite caps it lower by itself: 999 parameters per statement).
BATCH_SIZE = 2000
SYSTEM_NAME = "系统"


@dataclass
class Context:
    """The long-term phase's state: read by every module of this package and by plug-in phases."""

    seed: int
    today: dt.date
    scale: int = 1
    users: dict[str, User] = field(default_factory=dict)
    # Filled by the core phase: the district as simulated (places, visits, plans, self-inspections).
    world: World | None = None
    # A fact the risk rules read that the core simulation does not model (`Facts.extra[name]`): a plug-in
    # phase whose app registers a risk fact provider gives the demo the same fact in memory, name →
    # (premises id, moment) → value, so the grade history follows the rules the nightly job follows.
    fact_overlays: dict[str, Callable[[int, dt.datetime], Any]] = field(default_factory=dict)
    # What one part prepares for others, by name: e.g. "patrols" (the patrol schedule, made before the core
    # simulation when the points overlay needs who took part, and written by the patrols phase).
    plans: dict[str, Any] = field(default_factory=dict)
    # Where progress is drawn (the demo command's stderr).
    stream: Stream | None = None
    tty: bool | None = None
    # Rows written and seconds taken per phase (and per table of the core), for the tests and the report.
    written: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.today <= START:
            raise ValueError(f"the demo's today must be after {START.isoformat()}")
        self._streams: dict[str, random.Random] = {}

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """The start of `today`: what happened before it is history."""
        return self.at(self.today, 0)

    @property
    def horizon(self) -> dt.datetime:
        """Where the simulation stops: after today's nightly jobs, before anyone's working day."""
        return self.at(self.today, 2)

    @property
    def months(self) -> int:
        """Months from START to today (the core's progress bar)."""
        return (self.today.year - START.year) * 12 + self.today.month - START.month + 1

    @property
    def graded_at(self) -> dt.datetime:
        """When today's grades were computed (the nightly job `risk.recompute_grades`, 00:30)."""
        return self.at(self.today, 0, 30)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def rng(self, stream: str) -> random.Random:
        """One random stream per topic (`longterm/<topic>`): a change in one leaves the others' rows."""
        if stream not in self._streams:
            self._streams[stream] = seeded_rng(self.seed, f"longterm/{stream}")
        return self._streams[stream]

    def uuid(self, rng: random.Random) -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def work_time(self, rng: random.Random, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A time in working hours on `day` (grid workers work weekends too), later than `after`."""
        if after is not None and self.local_date(after) >= day:
            later = after + dt.timedelta(minutes=rng.randint(10, 50))
            if later.astimezone(self.tz).hour < 19:
                return later
            day = self.local_date(after) + dt.timedelta(days=1)  # too late today: the next morning
        return self.at(day, rng.randint(8, 16), rng.randrange(60))

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Adds the seconds the block takes to `timings[name]` (the report, the time budget)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - started


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
