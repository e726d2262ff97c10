"""Landlord points (积分) while the years are played: what the points receivers would have written and when,
and the risk fact they feed (`PointsOverlay`, `ctx.fact_overlays["landlord_points"]`).

The risk rules read a landlord's points this year (`points.risk_hooks`: 房东积分 N 分 when poor, the
re-inspection interval lengthened when good, shortened when poor). The overlay answers the same question for
(premises, moment) from what the simulation has played by then, so the grade history and the visits it
schedules follow the points as they stood; the points phase then writes the ledger from the rows
(`points.py`), and at tonight's grading the two agree (tested).

- **Known before the simulation** (`planned`): self-inspections on time (`world.submissions`), misses (the
  monthly job's, `portal.missed`), the volunteers' patrols (`patrol_plan`), the community officer's
  training and meeting entries (`manual_entries`), and the entries already in the database.
- **Known as it plays** (the overlay catches up on each new visit): a plan accepted on or before its deadline,
  marked overdue (scheduled with its story), a verification that contradicted a self-inspection, a hazard
  found again within a year of the same item's removal at the same premises, a tenant household registered
  (on time by the landlord, or late by a grid worker).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings

from firegrid.areas.models import Area
from firegrid.inspections.models import Hazard
from firegrid.longterm.selfcheck import add_months, interval_months
from firegrid.points.choices import PointsRule
from firegrid.points.models import PointsEntry
from firegrid.points.receivers import REMOVED, REPEAT_WINDOW
from firegrid.points.rules import amount, band, base_points, interval_factor
from firegrid.points.services import current_parameters
from firegrid.rectification.choices import MoveName
from firegrid.risk.choices import GradeCause

from . import portal
from .context import START, Context

if TYPE_CHECKING:
    from .records import Household, Place, Story
    from .world import World

Event = tuple[dt.datetime, int, str, dt.date]  # moment written, landlord id, rule, occurred on
TRAINING = ("出租房消防安全培训", 5, 5, 0.25)  # title, month, weekday (Saturday), share attending
MEETING = ("冬季防火动员会", 10, 2, 0.2)  # (Wednesday)


@dataclass(frozen=True)
class ManualEntry:
    """An officer's entry (培训 / 会议 attendance), typed the afternoon of the event with a note naming it."""

    landlord_id: int
    rule: str
    occurred_on: dt.date
    moment: dt.datetime
    note: str


def manual_entries(ctx: Context, world: World) -> list[ManualEntry]:
    """The community officer `shequ`'s attendance entries: every spring a fire-safety training and every
    autumn a mobilisation meeting of the community's landlords, from 2020 to today — the demo landlord at the
    latest one. Made once per load (`ctx.plans`): the overlay and the points phase read the same."""
    if "points-manual" not in ctx.plans:
        ctx.plans["points-manual"] = _manual_entries(ctx, world)
    entries: list[ManualEntry] = ctx.plans["points-manual"]
    return entries


def _manual_entries(ctx: Context, world: World) -> list[ManualEntry]:
    officer = ctx.users.get("shequ")
    community = next(iter(officer.areas.all()), None) if officer is not None else None
    if community is None:
        return []
    grids = set(Area.objects.filter(parent=community).values_list("pk", flat=True))
    landlords = sorted({p.landlord_id for p in world.places if p.grid_id in grids and p.landlord_id})
    demo = ctx.users.get("landlord")
    rng = ctx.rng("points-manual")
    events = []
    for year in range(START.year + 1, ctx.today.year + 1):
        for (title, month, weekday, share), rule in (
            (TRAINING, PointsRule.TRAINING_ATTENDANCE),
            (MEETING, PointsRule.MEETING_ATTENDANCE),
        ):
            first = dt.date(year, month, 1)
            day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7)  # the second one
            if day < ctx.today:
                events.append(
                    (day, rule, f"{year}年{community.name}{title}（{day.month}月{day.day}日）", share)
                )
    entries = []
    latest = max((day for day, *_rest in events), default=None)
    for day, rule, note, share in events:
        moment = ctx.at(day, 16, rng.randrange(60))
        for landlord in landlords:
            came = rng.random() < share
            if came or (demo is not None and landlord == demo.landlord_id and day == latest):
                entries.append(ManualEntry(landlord, rule, day, moment, note))
    return entries


def planned(ctx: Context, world: World) -> list[Event]:
    """The entries known before the simulation plays (see the module docstring), in no order."""
    events: list[Event] = []
    for when, place, period in world.submissions:
        submitted = ctx.local_date(when)
        if place.landlord_id is not None and submitted < add_months(period, interval_months()):
            events.append((when, place.landlord_id, PointsRule.SELF_INSPECTION_ON_TIME, submitted))
    for place, _period, recorded in portal.missed(ctx, world):
        assert place.landlord_id is not None  # owed only by a landlord with an account
        events.append(
            (recorded, place.landlord_id, PointsRule.SELF_INSPECTION_MISSED, ctx.local_date(recorded))
        )
    if apps.is_installed("firegrid.patrols"):
        from .patrol_plan import patrol_plan

        for patrol, landlord_id in patrol_plan(ctx).participation():
            assert patrol.finished_at is not None  # finished patrols only
            day = ctx.local_date(patrol.finished_at)
            events.append((patrol.finished_at, landlord_id, PointsRule.PATROL_PARTICIPATION, day))
    for entry in manual_entries(ctx, world):
        events.append((entry.moment, entry.landlord_id, entry.rule, entry.occurred_on))
    return events


def tenant_rule(ctx: Context, household: Household) -> tuple[str, dt.date] | None:
    """What `points.receivers.tenant_registration` writes for a household registered in the phase: 租户按时登记
    when the landlord reported it within FIREGRID_TENANT_REPORT_DAYS, 租户未按时登记 when a grid worker
    registered it after that, else nothing (a landlord's late report)."""
    if household.known_in is None:
        return None
    allowed = int(settings.FIREGRID_TENANT_REPORT_DAYS)
    if household.reported_in is not None:
        registered = ctx.local_date(household.reported_in)
        late = (registered - household.moved_in).days > allowed
        return None if late else (PointsRule.TENANT_ON_TIME, registered)
    registered = ctx.local_date(household.known_in)
    if (registered - household.moved_in).days > allowed:
        return (PointsRule.TENANT_LATE, registered)
    return None


def is_repeat(found_at: dt.datetime, removed: list[dt.datetime]) -> bool:
    """`points.receivers.repeat_hazards`' test: the same item's hazard at the premises removed within the
    year before."""
    return any(found_at - REPEAT_WINDOW <= closed <= found_at for closed in removed)


def removed_hazards() -> dict[tuple[int, str], list[dt.datetime]]:
    """(premises id, item code) → when each removed hazard (fixed on the spot or accepted) was closed."""
    removed: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    rows = Hazard.objects.filter(status__in=REMOVED, closed_at__isnull=False, premises__isnull=False)
    for premises_id, code, closed in rows.order_by().values_list("premises_id", "item__code", "closed_at"):
        if premises_id is not None and closed is not None:  # by the filter
            removed[(premises_id, code)].append(closed)
    return removed


class _Sums:
    """Amounts per (landlord, year) at moments in order: the sum up to a moment by bisection."""

    def __init__(self) -> None:
        self.moments: dict[tuple[int, int], list[dt.datetime]] = defaultdict(list)
        self.sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0])

    def add(self, landlord_id: int, year: int, moment: dt.datetime, value: int) -> None:
        """Add at a moment not before the last one added for that landlord and year."""
        self.moments[(landlord_id, year)].append(moment)
        sums = self.sums[(landlord_id, year)]
        sums.append(sums[-1] + value)

    def upto(self, landlord_id: int, year: int, when: dt.datetime) -> int:
        moments = self.moments.get((landlord_id, year))
        if not moments:
            return 0
        return self.sums[(landlord_id, year)][bisect.bisect_right(moments, when)]


class PointsOverlay:
    """`ctx.fact_overlays["landlord_points"]`: (premises id, moment) → the fact `points.risk_hooks` provides
    (points, band, interval factor, weight) for the premises' landlord in the moment's year."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.started = False

    def __call__(self, premises_id: int, when: dt.datetime) -> dict[str, Any]:
        world = self.ctx.world
        assert world is not None  # the simulation asks, after the core read the district
        if not self.started:
            self._start(world)
        self._catch_up(world)
        landlord_id = world.by_pk[premises_id].landlord_id
        points = self.points(landlord_id, when)
        return {
            "points": points,
            "band": band(points, self.parameters),
            "factor": str(interval_factor(points, self.parameters)),
            "weight": self.weight,
        }

    def points(self, landlord_id: int | None, when: dt.datetime) -> int:
        if landlord_id is None:
            return self.base
        year = self.ctx.local_date(when).year
        total = (
            self.base + self.static.upto(landlord_id, year, when) + self.dynamic.upto(landlord_id, year, when)
        )
        for moment, on_year, value in self.scheduled.get(landlord_id, ()):
            if on_year == year and moment <= when:
                total += value
        for place in self.places_of.get(landlord_id, ()):
            for household in place.households:
                if household.new and household.known_in is not None and household.known_in <= when:
                    rule = self._tenant(household)
                    if rule is not None and rule[1].year == year:
                        total += self.amount(rule[0])
        return total

    def amount(self, rule: str) -> int:
        return amount(rule, self.parameters)

    # --- when the grades move without a visit (the simulation asks) --------------------------------------------

    def refreshes(self) -> list[tuple[dt.datetime, str, list[int] | None]]:
        """(moment, cause, landlord ids or None for all): each entry known ahead — the system grades the
        landlord's premises again after it (积分变动) — and each year's first nightly run, when every
        landlord starts again from the base (the nightly job's recomputation)."""
        world = self.ctx.world
        assert world is not None
        if not self.started:
            self._start(world)
        moments: list[tuple[dt.datetime, str, list[int] | None]] = [
            (moment, GradeCause.POINTS, [landlord]) for moment, landlord in self.entries
        ]
        for year in range(START.year + 1, self.ctx.today.year + 1):
            moments.append((self.ctx.at(dt.date(year, 1, 1), 0, 30), GradeCause.NIGHTLY, None))
        return moments

    def changed(self, when: dt.datetime, landlords: list[int] | None) -> list[Place]:
        """The premises of `landlords` (None: all) whose landlord's band moved at `when`."""
        before = when - dt.timedelta(microseconds=1)
        moved = []
        for landlord in landlords if landlords is not None else list(self.places_of):
            was, now = self.points(landlord, before), self.points(landlord, when)
            if band(was, self.parameters) != band(now, self.parameters):
                moved += self.places_of.get(landlord, [])
        return moved

    # --- what is known before the simulation -----------------------------------------------------------------

    def _start(self, world: World) -> None:
        ctx = self.ctx
        self.started = True
        self.parameters = current_parameters()
        self.base = base_points(self.parameters)
        self.weight = int(self.parameters["risk"]["poor_points_weight"])
        self.places_of: dict[int, list[Place]] = defaultdict(list)
        for place in world.places:
            if place.landlord_id is not None:
                self.places_of[place.landlord_id].append(place)
        events = [(m, landlord, self.amount(rule), on) for m, landlord, rule, on in planned(ctx, world)]
        for landlord, amount_, on in PointsEntry.objects.values_list("landlord_id", "amount", "occurred_on"):
            events.append((ctx.at(on, 0), landlord, amount_, on))  # written by the services before the phase
        self.static = _Sums()
        self.entries: list[tuple[dt.datetime, int]] = []
        for moment, landlord, value, on in sorted(events, key=lambda e: (e[0], e[1])):
            if value:
                self.static.add(landlord, on.year, moment, value)
                self.entries.append((moment, landlord))
        self.dynamic = _Sums()
        self.scheduled: dict[int, list[tuple[dt.datetime, int, int]]] = defaultdict(list)
        self.removed = removed_hazards()
        self.open: dict[int, list[Story]] = defaultdict(list)  # place pk → its plans not yet accepted
        self.tenants: dict[int, tuple[str, dt.date] | None] = {}
        self.contradicted: dict[int, int] = defaultdict(int)  # place pk → contradictions counted
        self.visits_seen = self.stories_seen = 0

    # --- what the simulation plays ---------------------------------------------------------------------------

    def _catch_up(self, world: World) -> None:
        """The entries of the visits played since the last question, in the order they were played."""
        if self.visits_seen == len(world.visits):
            return
        found: dict[int, list[Story]] = defaultdict(list)
        for story in world.stories[self.stories_seen :]:
            found[id(story.found)].append(story)
        self.stories_seen = len(world.stories)
        for visit in world.visits[self.visits_seen :]:
            place = visit.place
            landlord_id = place.landlord_id
            for story in list(self.open.get(place.pk, ())):
                for hazard in story.hazards:
                    if hazard.closed is visit:
                        self.removed[(place.pk, hazard.item.code)].append(visit.time)
                if story.accepted is visit:
                    self.open[place.pk].remove(story)
                    if landlord_id is not None and self.ctx.local_date(visit.time) <= story.deadline:
                        self._add(landlord_id, visit.time, PointsRule.FIXED_BEFORE_DEADLINE)
            new = len(place.contradictions) - self.contradicted[place.pk]
            if new > 0 and landlord_id is not None:
                self.contradicted[place.pk] += new
                for _n in range(new):
                    self._add(landlord_id, visit.time, PointsRule.FALSE_SELF_REPORT)
            for story in found.get(id(visit), ()):
                self._begin(story, landlord_id)
        self.visits_seen = len(world.visits)

    def _begin(self, story: Story, landlord_id: int | None) -> None:
        place, visit = story.place, story.found
        self.open[place.pk].append(story)
        if landlord_id is None:
            return
        for hazard in story.hazards:
            if is_repeat(visit.time, self.removed.get((place.pk, hazard.item.code), [])):
                self._add(landlord_id, visit.time, PointsRule.REPEAT_HAZARD)
        for step in story.steps:
            if step.name == MoveName.MARK_OVERDUE:  # planned with the story, at the nightly run
                value = self.amount(PointsRule.OVERDUE)
                self.scheduled[landlord_id].append((step.time, self.ctx.local_date(step.time).year, value))

    def _add(self, landlord_id: int, moment: dt.datetime, rule: str) -> None:
        value = self.amount(rule)
        if value:
            self.dynamic.add(landlord_id, self.ctx.local_date(moment).year, moment, value)

    def _tenant(self, household: Household) -> tuple[str, dt.date] | None:
        key = id(household)
        if key not in self.tenants:
            self.tenants[key] = tenant_rule(self.ctx, household)
        return self.tenants[key]


def prepare(ctx: Context) -> None:
    """Before the first phase: the simulation grades with the landlords' points as they stood."""
    ctx.fact_overlays["landlord_points"] = PointsOverlay(ctx)
