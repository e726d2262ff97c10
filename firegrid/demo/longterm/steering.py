"""The demo grid worker's queue today (wanggy, 樟树潭社区第一网格): whatever the day, it holds each kind of
item — two re-inspections overdue, one or two due today, a return visit owed, a recheck requested, a
self-inspection drawn for verification, a tenant move to confirm.

The simulation gives the district a live queue by itself (a few per cent overdue, some due today and this
week); a grid of eighty premises may still lack a kind on a given day, so a few of its premises are given
a part (`Place.role`) and their last months are scripted:

- **overdue** ×2, **due today**, **return visit**: premises whose grade stays green whatever happens (no
  shared rental, not mixed-use, the same tenants over the last 15 months) get their last covering visit on
  the day that makes them due `k` days ago (overdue, k = 8–40), today, or `k` = 3–6 days ago with the door
  found locked on the due day (a return visit owed, and overdue); nothing is found at their visits for
  the 400 days before, and nobody visits them after;
- **recheck requested**: a visit 8–20 days ago finds one or two ordinary hazards with a long deadline; the
  plan is served and started, and the landlord asks for the recheck yesterday or the day before;
- **tenant move**: a household moved in a few days ago, reported by the landlord, not yet visited;
- **verification**: at the latest draw, one of the grid's drawn premises is not visited until today.

Other premises of the grid are kept from coming due exactly today (a visit that would make them so
happens a day later), so "due today" is one or two.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from firegrid.inspections.choices import InspectionKind, Severity, VisitOutcome
from firegrid.registry.choices import PremisesKind
from firegrid.risk.choices import RiskGrade
from firegrid.risk.rules import grade_premises, interval_days

from .context import Context, days
from .grades import facts
from .records import Place, Visit

if TYPE_CHECKING:
    from .tenants import Moves
    from .world import World

Forced = tuple[dt.datetime, Place, tuple[Any, ...]]
STEADY_DAYS = 450  # tenants unchanged this long before today


def choose(ctx: Context, world: World, moves: Moves) -> list[Forced]:
    """Give the grid's premises their parts; returns the scripted visits."""
    rng = ctx.rng("steering")
    grid = [p for p in world.places if p.wanggy and not p.service_made and p.active]
    holdings = Counter(p.landlord_id for p in world.places)
    # A landlord of one premises only: what their points will be today is known now (see `green_interval`).
    steady = [p for p in grid if holdings[p.landlord_id] == 1 and _stays_green(ctx, world, p)]
    events: list[Forced] = []
    parts: list[tuple[str, int]] = [
        ("overdue", rng.randint(8, 40)),
        ("overdue", rng.randint(8, 40)),
        ("due_today", 0),
        ("return_visit", rng.randint(3, 6)),
    ]
    for (role, late), place in zip(parts, rng.sample(steady, min(len(parts), len(steady))), strict=False):
        last = ctx.work_time(rng, ctx.today - days(late + green_interval(ctx, world, place)))
        place.role = role
        place.clean_from, place.quiet_from = last - days(400), last - days(150)
        place.hold_from = last + dt.timedelta(minutes=1)
        events.append((last, place, ("forced", VisitOutcome.INSPECTED, InspectionKind.SURVEY, [], None)))
        if role == "return_visit":
            locked = ctx.at(ctx.today - days(late), rng.randint(9, 16), rng.randrange(60))
            events.append((locked, place, ("forced", VisitOutcome.LOCKED, InspectionKind.SURVEY, None, None)))
    others = [p for p in grid if not p.role]
    recheck = _recheck(ctx, rng, others)
    if recheck is not None:
        events.append(recheck)
    movers = [
        p
        for p in others
        if not p.role
        and p.portal is not None
        and p.kind == PremisesKind.RESIDENTIAL
        and p.sleeping_rooms >= 2
    ]
    if movers:
        place = rng.choice(movers)
        arrived = ctx.today - days(rng.randint(2, 6))
        household = moves.household(place, rng.randint(1, 2), arrived, None)
        moves.report(place, household, "in", arrived, lag=rng.randint(0, 1))
        assert household.reported_in is not None  # the landlord has an account
        place.role, place.hold_from = "tenant_move", household.reported_in
    return events


def green_interval(ctx: Context, world: World, place: Place) -> int:
    """The green interval of `place` as tonight's grading will compute it: moved by the interval adjustments
    (landlord points) as the facts stand today. Known before the simulation for a steered premises: its
    landlord holds no other premises, and nothing its visits or tenants would add to their points happens
    in its scripted last months (clean visits, the same tenants), so only what is planned ahead counts —
    self-inspections, misses, patrols, officers' entries (`ctx.fact_overlays`)."""
    return interval_days(RiskGrade.GREEN, world.parameters, facts(ctx, place, ctx.graded_at))


def _stays_green(ctx: Context, world: World, place: Place) -> bool:
    """No shared rental, not mixed-use, tenants unchanged for STEADY_DAYS, nothing to score today."""
    if place.shared or place.kind == PremisesKind.MIXED_USE or place.portal is None:
        return False
    since = ctx.today - days(STEADY_DAYS)
    for h in place.households:
        if (h.new and h.moved_in >= since) or (h.moved_out is not None and h.moved_out >= since):
            return False
    today = facts(ctx, place, ctx.graded_at)
    today.open_hazards, today.last_covering_inspection_at = {}, ctx.end
    # Its households as the registry will hold them today: the simulation has not yet registered the moves
    # of the years before (each registered within weeks of the move, long before the steady months).
    on = ctx.today
    living = [h for h in place.households if h.moved_in <= on and (h.moved_out is None or h.moved_out > on)]
    today.people = sum(h.people for h in living) or place.occupants
    return grade_premises(today, world.parameters).score == 0


def _recheck(ctx: Context, rng: Any, places: list[Place]) -> Forced | None:
    """A visit 8–20 days ago finds hazards; the landlord asked for the recheck yesterday or the day before."""
    ago = rng.randint(8, 20)
    for place in rng.sample(places, len(places)):
        items = [
            i
            for i in place.findable
            if i.severity == Severity.ORDINARY and (i.default_deadline_days or 15) >= ago + 5
        ]
        if len(items) < 2:
            continue
        found = sorted(rng.sample(items, rng.randint(1, 2)), key=lambda i: i.position)
        when = ctx.work_time(rng, ctx.today - days(ago))
        place.role = "recheck"
        place.clean_from, place.quiet_from = when - days(150), when - days(60)
        place.hold_from = when + dt.timedelta(minutes=1)
        request_on = ctx.today - days(rng.randint(1, 2))
        return (when, place, ("forced", VisitOutcome.INSPECTED, InspectionKind.SURVEY, found, request_on))
    return None


def hold_one_verification(ctx: Context, world: World, drawn: list[Place], when: dt.datetime) -> None:
    """At the latest draw before today: one of the grid's drawn premises waits for its visit."""
    candidates = [p for p in drawn if p.wanggy and not p.role and p.story is None and not p.service_made]
    if not candidates:
        return
    later = [p for p in candidates if p.planned is not None and p.planned >= ctx.horizon]
    place = min(later or candidates, key=lambda p: p.pk)
    place.role, place.hold_from = "verification", when


def avoid_due_today(ctx: Context, world: World, place: Place, when: dt.datetime) -> bool:
    """Would this clean visit leave a premises of the grid (without a part) due exactly today?"""
    if not place.wanggy or place.role or place.grade is None:
        return False
    # The interval as tonight's grading will move it (landlord points), as far as it is known now.
    interval = interval_days(place.grade.grade, world.parameters, facts(ctx, place, ctx.graded_at))
    return when.date() + days(interval) == ctx.today


RECENT_DAYS = 60  # visits this recent have every answer written (the pages one would open)


def needs_answers(ctx: Context, visit: Visit) -> str:
    """Which answers are written: all of them where a page shows the visit's checklist — the demo grid
    worker's visits (the phone screens shown) and the last two months' — else only those a page or a
    figure reads: the items failed (the hazards' answers, contradicted self-inspections) and those an
    acceptance settled. Writing every answer of seven years would take longer than the rest of the phase."""
    if visit.place.wanggy or visit.time >= ctx.end - days(RECENT_DAYS):
        return "all"
    return "some" if visit.failed or visit.checked else ""
