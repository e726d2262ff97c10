"""Risk facts from other apps' providers (`risk.rules.register_fact_provider`), given to the simulation in
memory so the grade history follows every rule the nightly job applies.

A provider reads the database as it is; the simulation needs the fact as it stood at each moment of its
history, from what it has simulated so far. For each provider the demo knows, an overlay answers the same
question from the simulated places; a provider the demo does not know is left out of the history (today's
grade still has it: `recompute_grades` runs after the phases and corrects the grade rows).

- `self_inspection_contradicted` (firegrid.longterm.contradictions): the day of the latest contradicted
  verification still in the watch months — the premises is red until the watch ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from firegrid.risk.rules import FACT_PROVIDERS

if TYPE_CHECKING:
    from .context import Context
    from .world import World


def install(ctx: Context, world: World) -> None:
    """Give `ctx.fact_overlays` the overlays of the providers registered now."""
    known: dict[str, Callable[[Context, World], Callable[[int, dt.datetime], Any]]] = {
        "self_inspection_contradicted": _contradicted,
    }
    for name in FACT_PROVIDERS:
        if name in known and name not in ctx.fact_overlays:
            ctx.fact_overlays[name] = known[name](ctx, world)


def watch_ends(verified_on: dt.date) -> dt.date | None:
    """The first day a contradiction verified on `verified_on` no longer weighs (None: no such rule)."""
    if "self_inspection_contradicted" not in FACT_PROVIDERS:
        return None
    from firegrid.longterm.contradictions import watch_until

    return watch_until(verified_on)


def _contradicted(ctx: Context, world: World) -> Callable[[int, dt.datetime], Any]:
    from firegrid.longterm.contradictions import shift_months, watch_months, watch_until

    def overlay(premises_id: int, when: dt.datetime) -> dt.date | None:
        place = world.by_pk[premises_id]
        if not place.contradictions:
            return None
        on = ctx.local_date(when)
        since = shift_months(on, -watch_months())
        seen = [d for d in place.contradictions if since <= d <= on]
        if not seen:
            return None
        latest = max(seen)
        return latest if on < watch_until(latest) else None

    return overlay
