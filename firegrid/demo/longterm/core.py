"""The core of the long-term phase — read the district as the campaign left it, open the landlords' portal
accounts, plan the tenant moves, then play the years to today (simulation.py) and write them — and the
last phase, tonight's grades."""

from __future__ import annotations

from firegrid.inspections.return_visits import answer_return_visits
from firegrid.registry.models import Premises
from firegrid.risk.choices import GradeCause
from firegrid.risk.services import recompute_grades

from ..progress import Progress
from . import portal, tenants
from .context import Context
from .simulation import Simulation
from .world import read_world


def run(ctx: Context) -> int:
    with ctx.timed("read"):
        world = read_world(ctx)
        ctx.world = world
        ctx.written["portal accounts"] = portal.open_accounts(ctx, world)
        moves = tenants.plan_moves(ctx, world)
    progress = Progress(ctx.months, label="long-term", unit="months", stream=ctx.stream, tty=ctx.tty)
    progress.update(0)
    Simulation(ctx, world, moves, progress).run()
    progress.finish()
    return sum(n for name, n in ctx.written.items() if name != "long-term")


def grade_today(ctx: Context) -> int:
    """Every premises graded as the nightly job grades it this morning (`risk.recompute_grades` at 00:30):
    the core wrote the grades its history ends with, so this changes only what the simulation could not
    know (the plans the services made, facts of providers it has no overlay for). Returns the grades
    changed."""
    # Written in bulk, the phases' visits did not answer each other's return visits as the submit service
    # does (the work queue reads `answered_at`).
    answer_return_visits()
    result = recompute_grades(Premises.objects.all(), cause=GradeCause.COMMAND, now=ctx.graded_at)
    return result.created + result.updated
