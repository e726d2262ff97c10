"""The long-term phase as a discrete-event simulation from 1 December 2019 to this morning.

Every premises is graded on 1 December 2019 (the rule set's first run), then visited when its grade says
(red 30 / yellow 90 / green 365 days after the last covering visit) give or take the slippage of real work
— premises the campaign never inspected first, in the winter's 回头看. A visit may find the door locked
(a return visit a few days later) or hazards (a plan, `plans.py`, and its acceptance visit); it verifies the
premises' self-inspections drawn for verification, confirms the tenant moves its landlord reported and
registers those nobody did. Landlords report moves (`tenants.py`) and self-inspect (`portal.py`); on the 1st
of each month the real `longterm.services.draw_verifications` draws last month's self-inspections, and each
drawn premises gets a visit within a few weeks. Every change of an input grades the premises again with the
real rules (`grades.py`), so the grade history has its causes and times. `steering.py` gives the demo grid
worker's queue its parts today.

Events are processed in time order (ties in the order they were made), each random choice from the
phase's streams: the same seed on the same day plays the same history.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from firegrid.inspections.choices import InspectionKind
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import add_months, next_period, period_of
from firegrid.longterm.services import draw_verifications
from firegrid.risk.choices import GradeCause

from . import overlays, portal, steering
from .context import START, Context, days
from .grades import regrade
from .records import Place, SelfCheck
from .tenants import Moves
from .visits import Visits
from .writer import Writer

if TYPE_CHECKING:
    from ..progress import Progress
    from .world import World

FIRST_ROUND_DAYS = 120  # premises the campaign never inspected: visited by the end of March 2020


class Simulation(Visits):
    def __init__(self, ctx: Context, world: World, moves: Moves, progress: Progress | None = None):
        super().__init__(ctx, world)
        self.moves, self.progress = moves, progress
        self.by_period: dict[dt.date, list[SelfCheck]] = defaultdict(list)
        self.writer = Writer(ctx, world)
        self.months = 0

    # --- the run -------------------------------------------------------------------------------------------

    def run(self) -> None:
        ctx, world = self.ctx, self.world
        launch = ctx.at(START, 0, 30)
        overlays.install(ctx, world)
        world.submissions = portal.submissions(ctx, world)
        for place in world.places:
            regrade(ctx, world, place, launch, GradeCause.RULE_SET)
        for when, place, period in world.submissions:
            self.push(when, "submit", place, period)
        period = portal.first_period(ctx)
        while True:
            drawn_on = next_period(period)
            if ctx.at(drawn_on, 1) >= ctx.horizon:
                break
            self.push(ctx.at(drawn_on, 1), "draw", None, period)
            period = drawn_on
        month = START
        while ctx.at(month, 0, 1) < ctx.horizon:
            self.push(ctx.at(month, 0, 1), "month", None, month)
            month = add_months(month, 1)
        for when, place, data in steering.choose(ctx, world, self.moves):
            self.push(when, "visit", place, data)
        for when, household, move, by_landlord in self.moves.reports:  # steering's included
            self.push(when, "report", None, (household, move, by_landlord))
        for overlay in ctx.fact_overlays.values():  # what grades the premises again when its fact moves
            for when, cause, subjects in getattr(overlay, "refreshes", list)():
                if when < ctx.horizon:
                    self.push(when, "refresh", None, (overlay, cause, subjects))
        for place in world.places:
            if place.last_covering is None:
                day = START + days(int(FIRST_ROUND_DAYS * self.rng.random()))
                self.schedule(place, ctx.work_time(self.rng, day), "first")
            else:
                self.schedule_due(place, launch)
        handlers = {
            "visit": self.visit,
            "report": self.report,
            "submit": self.submit,
            "draw": self.draw,
            "stale": self.stale,
            "month": self.month,
            "refresh": self.refresh,
        }
        while self.heap and self.heap[0][0] < ctx.horizon:
            when, _seq, kind, subject, data = heapq.heappop(self.heap)
            handlers[kind](when, subject, data)
        # Tonight's recomputation: the reasons that move with the days (距上次检查 N 天) as of today.
        for place in world.places:
            regrade(ctx, world, place, ctx.graded_at, GradeCause.NIGHTLY)
        self.writer.finish()

    def month(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        self.months += 1
        if self.progress is not None:
            self.progress.update(self.months)

    # --- other events ------------------------------------------------------------------------------------

    def report(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        household, move, by_landlord = data
        place = self.world.by_pk[household.row.premises_id]
        if not household.exists(when):
            household.known_in = when  # registered as its move-out is (it came and went unreported)
            if by_landlord:
                household.reported_in = household.reported_in or when
        if move == "out":
            household.known_out = when
        if by_landlord:  # the landlord's report waits for a grid worker's confirmation
            household.confirmed_at = household.confirmed_by = None
            if household not in place.pending:
                place.pending.append(household)
            day = when.date() + days(self.rng.randint(1, 10))
            self.push(
                self.ctx.work_time(self.rng, day), "visit", place, ("confirm", 0, InspectionKind.SURVEY)
            )
        else:  # a grid worker registered it: confirmed as it is written
            household.confirmed_at, household.confirmed_by = when, place.officer
        if regrade(self.ctx, self.world, place, when, GradeCause.TENANT_MOVE):
            self.reschedule(place, when)

    def submit(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        assert place is not None and place.portal is not None
        check = SelfCheck(
            place, data, when, place.portal, portal.answers(self.ctx, place), self.ctx.uuid(self.rng)
        )
        self.world.self_checks.append(check)
        self.by_period[data].append(check)

    def stale(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        """The nightly recomputation when a reason lapses or starts with time: long since the last
        covering visit (`data` that visit), or a contradiction's watch ended (`data` None)."""
        assert place is not None
        if data is not None and place.last_covering != data:
            return
        if regrade(self.ctx, self.world, place, when, GradeCause.NIGHTLY):
            self.reschedule(place, when)

    def refresh(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        """A fact an overlay gives moved for some premises without a visit (landlord points: an entry, the
        year's reset): they are graded again then, as the system does after the entry or at the nightly run."""
        overlay, cause, subjects = data
        for changed in overlay.changed(when, subjects):
            if regrade(self.ctx, self.world, changed, when, cause):
                self.reschedule(changed, when)

    def draw(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        """The monthly job: last month's self-inspections drawn by the real service over what the
        registry holds this night (the self-inspections, the grades, the verifications so far)."""
        period: dt.date = data
        checks = self.by_period.get(period, [])
        with self.ctx.timed("flush before draws"):
            self.writer.flush(when, checks)
        with self.ctx.timed("draws"):
            draw = draw_verifications(period, actor=None, now=when)
        self.writer.draws.append(draw)
        drawn = set(SelfInspection.objects.filter(draw=draw).values_list("pk", flat=True))
        latest = self.ctx.at(next_period(period_of(when.date())), 1) >= self.ctx.horizon
        chosen = []
        for check in checks:
            assert check.row is not None  # written by the flush
            if check.row.pk in drawn:
                check.drawn_at = when
                check.place.awaiting.append(check)
                chosen.append(check.place)
                day = when.date() + days(self.rng.randint(3, 25))
                self.push(
                    self.ctx.work_time(self.rng, day),
                    "visit",
                    check.place,
                    ("verify", 0, InspectionKind.SURVEY),
                )
        if latest:
            steering.hold_one_verification(self.ctx, self.world, chosen, when)
