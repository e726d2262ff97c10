"""The long-term phase of `firegrid demo` (长效机制, 2019-12-01 → the day it is run): what the district did
after the 2019 campaign, so that on whatever day the demo is loaded its screens have today's work on them —
the grid worker `wanggy`'s queue (overdue and due re-inspections, a return visit, a recheck requested, a
self-inspection to verify, a tenant move to confirm), live 长效管理 figures for the command, and a
self-inspection due on the demo landlord's portal.

Run by `firegrid.demo.loader.load_demo` after the 2019 replay and before the final grade computation, in its
own transactions, once (a second run changes nothing). Every date is relative to `today`; every random
choice comes from `seeded_rng(seed, "longterm/<topic>")`: the same seed on the same day gives the same rows.

Modules: `context` (the clock, streams, users), `world` (the district read in bulk) and `records` (the
history in memory), `tenants` (moves and their reports), `portal` (accounts, self-inspections, misses,
reminders, photos), `plans` (standalone plans), `grades` (the real rules over the simulated facts; grade
rows and history), `steering` (the demo grid worker's queue), `simulation` (the event loop), `writer`
(bulk writes), `phases` (the ordered list of phases), `core` (the first phase and tonight's grades),
`patrol_plan` + `patrols` (巡查), `ledger` + `points` (积分: the overlay, the ledger, last year's
evaluation), `report` (this morning's 长效管理日报).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings

from ..progress import write_line
from .context import START, Context
from .phases import PHASES, Phase, run_phases

if TYPE_CHECKING:
    from ..progress import Stream

__all__ = [
    "MAX_SCALE",
    "PHASES",
    "START",
    "Context",
    "Phase",
    "graded_at",
    "load_longterm",
    "longterm_loaded",
]

# The scale the long-term phase runs at (it takes about ten seconds per unit of scale).
MAX_SCALE = 1


def longterm_loaded() -> bool:
    from firegrid.longterm.models import SelfInspection, VerificationDraw

    return VerificationDraw.objects.exists() or SelfInspection.objects.exists()


def load_longterm(
    *,
    seed: int,
    today: dt.date,
    scale: int = 1,
    stream: Stream | None = None,
    tty: bool | None = None,
) -> Context | None:
    """Play the long-term phase for `today` once; returns its context (None when it had already run or
    the demo's users are missing)."""
    from firegrid.areas.models import User

    if longterm_loaded():
        return None
    if scale > MAX_SCALE:
        # A larger scale is for load tests of the registry and the pages (bench/): the district stops
        # after 2019 there, and bench/longterm_data.py writes long-term data cheaply at any scale.
        write_line(stream, f"long-term  skipped at scale {scale} (loaded at scale {MAX_SCALE} only)")
        return None
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_STAFF).prefetch_related("areas")}
    if "fire" not in users:
        return None
    landlord = User.objects.filter(username="landlord").first()
    if landlord is not None:
        users["landlord"] = landlord
    ctx = Context(seed=seed, today=today, scale=scale, users=users, stream=stream, tty=tty)
    run_phases(ctx)
    return ctx


def graded_at(today: dt.date) -> dt.datetime:
    """When the grades of `today` are computed (the nightly job's hour): the demo's final recomputation."""
    import zoneinfo

    return dt.datetime.combine(today, dt.time(0, 30), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


DEMO_STAFF = ("admin", "commander", "fire", "zhangtan", "shequ", "wanggy", "liaison")
