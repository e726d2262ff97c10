"""The phases of the long-term demo, in the order they run — the one list to add a phase to.

A phase is a function `run(ctx: Context) -> int` (rows written) in a module of its own in this package,
named by its dotted path so the module is imported only when its app is installed. It runs in its own
transaction after the phases before it, reads what they wrote from the database and `ctx.world` (the
simulated district: a `Place` per premises with its visits, plans, self-inspections, tenant households and
grade changes, `records.py`), draws from its own streams (`ctx.rng("<its name>")`), dates everything
before `ctx.end` (the nightly jobs: before `ctx.horizon`), writes in bulk (`rows.py`) and gets a progress
line. A phase may also name `prepare(ctx: Context) -> None`, called before the first phase runs: where it
gives the core simulation a risk fact its app provides (`ctx.fact_overlays[name] = (premises id,
moment) → value`, as `overlays.py` does for contradicted self-inspections), so the grade history follows
the same rules as the nightly job. The "grades" phase recomputes today's grades over everything written
before it; what it could not know shows as a grade change at 00:30 today (cause 手动重算).

Patrols (巡查) and points (积分) plug in between the core and the grades (points with a `prepare`: its
overlay), and what needs today's grades (the long-term daily report) comes after "grades".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string

from ..progress import Progress
from .context import Context


@dataclass(frozen=True)
class Phase:
    name: str  # its progress line, and its key in ctx.written
    run: str  # dotted path of `run(ctx: Context) -> int`
    app: str = ""  # the installed app it needs (skipped without it)
    own_progress: bool = False  # draws its own bar on ctx.stream (else one line when it is done)
    prepare: str = ""  # dotted path of `prepare(ctx: Context) -> None`, run before the first phase


PHASES: tuple[Phase, ...] = (
    # Visits, hazards and plans, tenant moves, portal accounts and self-inspections with their monthly
    # draws and verifications, grades and their history (simulation.py).
    Phase("long-term", "firegrid.demo.longterm.core.run", own_progress=True),
    # Teams, patrols, scans, findings, fabrication flags (patrol_plan.py, patrols.py).
    Phase("patrols", "firegrid.demo.longterm.patrols.run", app="firegrid.patrols"),
    # Sensors and their states this morning, the last twelve months' alert cases, today's two (monitoring/).
    # The cases that found something weigh in the grade for a year (monitoring.risk_hooks): the simulation
    # has no overlay for them (they are drawn after it, from its visits), so tonight's grades show them as
    # changes at 00:30 today (手动重算).
    Phase("monitoring", "firegrid.demo.longterm.monitoring.run", app="firegrid.monitoring"),
    # The 2018 fire incident record, 553 alarms with 284 in 樟潭街道, matched to the premises (incidents.py).
    Phase("incidents", "firegrid.demo.longterm.incidents.run", app="firegrid.incidents"),
    # The points ledger of everything above, last year's evaluation (points.py); its overlay gives the core
    # simulation the landlords' points as they stood (ledger.py).
    Phase(
        "points",
        "firegrid.demo.longterm.points.run",
        app="firegrid.points",
        prepare="firegrid.demo.longterm.points.prepare",
    ),
    # Tonight's grades over everything written before (phases after it see them: the long-term daily
    # report, for one).
    Phase("grades", "firegrid.demo.longterm.core.grade_today"),
    # This morning's 长效管理日报 (report.py).
    Phase("long-term report", "firegrid.demo.longterm.report.run", app="firegrid.reports"),
)


def run_phases(ctx: Context) -> None:
    phases = [p for p in PHASES if not p.app or apps.is_installed(p.app)]
    for phase in phases:
        if phase.prepare:
            import_string(phase.prepare)(ctx)
    for phase in phases:
        run = import_string(phase.run)
        started = time.monotonic()
        bar = (
            None
            if phase.own_progress
            else Progress(1, label=phase.name, unit="phase", stream=ctx.stream, tty=ctx.tty)
        )
        with translation.override("zh-hans"), transaction.atomic():
            ctx.written[phase.name] = run(ctx)
        if bar is not None:
            bar.finish()
        ctx.timings[phase.name] = time.monotonic() - started
