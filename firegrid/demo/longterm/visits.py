"""What a visit does in the simulation, and when the next one is: the scheduling of visits (the grade's
interval plus the slippage of real work), and a visit's outcome — nobody at the door (a return visit), or
inspected: hazards found (a plan and its acceptance visit, `plans.py`), a plan's acceptance, the drawn
self-inspections verified, the reported tenant moves confirmed, the grade computed again."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from typing import Any

from firegrid.inspections.choices import RETURN_VISIT_DAYS, InspectionKind, VisitOutcome
from firegrid.inspections.models import ChecklistItem
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.selfcheck import SELF_CHECK_CODES
from firegrid.risk.choices import GradeCause, RiskGrade

from ..campaign.survey import COMMON_FINDINGS
from . import overlays, plans, steering
from .context import Context, days
from .grades import regrade
from .records import Place, SimHazard, Visit
from .tenants import confirm_at_visit
from .world import World

# Days from the due date to the visit, per grade: (low, high, weight).
SLIP = {
    RiskGrade.GREEN: ((-20, -1, 10), (0, 0, 8), (1, 7, 27), (8, 30, 30), (31, 120, 25)),
    RiskGrade.YELLOW: ((-10, -1, 10), (0, 0, 12), (1, 5, 33), (6, 20, 30), (21, 60, 15)),
    RiskGrade.RED: ((-5, -1, 10), (0, 0, 25), (1, 3, 40), (4, 12, 25)),
}
NOT_AT_HOME = ((VisitOutcome.LOCKED, 0.04), (VisitOutcome.NOT_FOUND, 0.01), (VisitOutcome.RENOVATING, 0.01))
# Shares of inspected visits that find hazards, by why they were made (× 1.5 at mixed-use premises).
FIND = {"first": 0.15, "verify": 0.06, "due": 0.05, "confirm": 0.03}
FAIL_ACCEPTANCE = 0.08  # an acceptance visit finds a hazard still there (once per plan at most)

Event = tuple[dt.datetime, int, str, Place | None, Any]


class Visits:
    """The event queue and the visits; `simulation.Simulation` adds the other events."""

    def __init__(self, ctx: Context, world: World):
        self.ctx, self.world = ctx, world
        self.rng: random.Random = ctx.rng("visits")
        self.heap: list[Event] = []
        self.seq = itertools.count()

    def push(self, when: dt.datetime, kind: str, place: Place | None, data: Any = None) -> None:
        heapq.heappush(self.heap, (when, next(self.seq), kind, place, data))

    # --- scheduling ----------------------------------------------------------------------------------------

    def schedule(self, place: Place, when: dt.datetime, purpose: str = "due") -> None:
        place.token += 1
        place.planned = when
        self.push(when, "visit", place, (purpose, place.token, InspectionKind.SURVEY))

    def schedule_due(self, place: Place, after: dt.datetime) -> None:
        assert place.next_due is not None and place.grade is not None  # graded at the start
        rng = self.rng
        spans = SLIP[RiskGrade(place.grade.grade)]
        low, high, _weight = rng.choices(spans, [s[2] for s in spans])[0]
        day = max(place.next_due + days(rng.randint(low, high)), self.ctx.local_date(after) + days(1))
        self.schedule(place, self.ctx.work_time(rng, day))

    def reschedule(self, place: Place, when: dt.datetime) -> None:
        """Its grade moved its due date between visits: the visit moves with it (the queue shows it then)."""
        planned = place.planned
        if place.next_due is None or planned is None:
            return
        if place.next_due + days(3) < planned.date():
            day = max(place.next_due, self.ctx.local_date(when) + days(1))
            self.schedule(place, self.ctx.work_time(self.rng, day + days(self.rng.randint(0, 5))))
        elif place.next_due > planned.date() + days(30):
            self.schedule_due(place, when)

    # --- visits --------------------------------------------------------------------------------------------

    def visit(self, when: dt.datetime, place: Place | None, data: Any) -> None:
        assert place is not None
        purpose, token, kind = data[:3]
        if purpose == "forced":
            self.forced(when, place, data)
            return
        waiting = {
            "due": token == place.token,
            "first": token == place.token,
            "verify": bool(place.awaiting),
            "confirm": bool(place.pending),
            "plan": place.story is not None and place.story.token == token,
        }[purpose]
        if not waiting or (place.hold_from is not None and when >= place.hold_from):
            return
        if purpose == "due" and place.quiet_from is not None and when >= place.quiet_from:
            return  # steered: its last visit before today is the one steering set
        if purpose in ("due", "first") and steering.avoid_due_today(self.ctx, self.world, place, when):
            self.push(when + days(1), "visit", place, data)
            return
        outcome = self.outcome(place, purpose)
        if outcome in (VisitOutcome.LOCKED, VisitOutcome.NOT_FOUND, VisitOutcome.RENOVATING):
            self.not_covered(when, place, kind, outcome)
            self.push(
                self.ctx.work_time(self.rng, when.date() + days(self.rng.randint(3, 8))), "visit", place, data
            )
            return
        self.covered(when, place, kind, purpose, outcome)

    def outcome(self, place: Place, purpose: str) -> str:
        if not place.active:
            return VisitOutcome.VACANT
        if purpose != "plan":  # a landlord who asked for the recheck is at home
            r = self.rng.random()
            for outcome, share in NOT_AT_HOME:
                if r < share:
                    return outcome
                r -= share
        return VisitOutcome.INSPECTED

    def new_visit(self, when: dt.datetime, place: Place, kind: str, purpose: str, outcome: str) -> Visit:
        started = when - dt.timedelta(minutes=self.rng.randint(15, 45))
        visit = Visit(place, kind, purpose, when, started, place.officer, outcome)
        self.world.visits.append(visit)
        return visit

    def not_covered(self, when: dt.datetime, place: Place, kind: str, outcome: str) -> Visit:
        visit = self.new_visit(when, place, kind, "return", outcome)
        visit.return_due = when.date() + days(RETURN_VISIT_DAYS)
        return visit

    def covered(
        self,
        when: dt.datetime,
        place: Place,
        kind: str,
        purpose: str,
        outcome: str,
        findings: list[Any] | None = None,
        request_on: dt.date | None = None,
    ) -> Visit:
        ctx, world, rng = self.ctx, self.world, self.rng
        visit = self.new_visit(when, place, kind, purpose, outcome)
        if outcome == VisitOutcome.INSPECTED:
            story = place.story
            if purpose == "plan" and story is not None:
                visit.checked = {h.item.code for h in story.hazards}
                still = [h for h in story.hazards if h.closed is None]
                first_try = all(s.name != "fail_recheck" for s in story.steps)
                if still and first_try and rng.random() < FAIL_ACCEPTANCE:
                    failing = rng.choice(still)
                    visit.failed.add(failing.item.code)
                    plans.fail(story, visit, failing)
                    self.await_acceptance(story, plans.request(ctx, rng, story, when))
                else:
                    plans.accept(story, visit)
                    place.story = None
                place.open = [h for h in place.open if h.closed is None]
            else:
                visit.failed |= {h.item.code for h in place.open}
                items = findings if findings is not None else self.findings(place, purpose, when)
                if items:
                    self.found(visit, items, request_on)
            self.verify(place, visit)
            confirm_at_visit(place, when, place.officer)
            visit.answers = steering.needs_answers(ctx, visit)
        place.last_covering = when
        regrade(ctx, world, place, when, GradeCause.INSPECTION)
        self.schedule_due(place, when)
        threshold = int(world.parameters["thresholds"]["days_since_inspection"])
        self.push(ctx.at(when.date() + days(threshold + 1), 0, 30), "stale", place, when)
        return visit

    def findings(self, place: Place, purpose: str, when: dt.datetime) -> list[ChecklistItem]:
        if place.service_made or place.story is not None or not place.findable:
            return []
        if place.clean_from is not None and when >= place.clean_from:
            return []
        rng = self.rng
        if rng.random() >= FIND.get(purpose, FIND["due"]) * (1.5 if place.kind == "mixed_use" else 1.0):
            return []
        candidates = place.findable
        if purpose == "verify" and rng.random() < 0.7:
            candidates = [i for i in place.findable if i.code in SELF_CHECK_CODES] or candidates
        weights = [COMMON_FINDINGS.get(i.code, 0.5) for i in candidates]
        n = min(len(candidates), rng.choices((1, 2, 3), (65, 28, 7))[0])
        chosen: list[Any] = []
        while len(chosen) < n:
            item = rng.choices(candidates, weights)[0]
            if item not in chosen:
                chosen.append(item)
        return sorted(chosen, key=lambda i: i.position)

    def found(self, visit: Visit, items: list[Any], request_on: dt.date | None) -> None:
        place = visit.place
        hazards = [
            SimHazard(place, item, visit, visit.time.date() + days(item.default_deadline_days or 15), "open")
            for item in items
        ]
        visit.failed |= {i.code for i in items}
        place.open += hazards
        story, requested = plans.begin(self.ctx, self.rng, visit, hazards, request_on)
        self.world.stories.append(story)
        place.story = story
        self.await_acceptance(story, requested)

    def await_acceptance(self, story: Any, requested: dt.datetime) -> None:
        story.token += 1
        when = self.ctx.work_time(self.rng, requested.date() + days(self.rng.randint(0, 3)), requested)
        self.push(when, "visit", story.place, ("plan", story.token, InspectionKind.ACCEPTANCE))

    def verify(self, place: Place, visit: Visit) -> None:
        for check in place.awaiting:
            check.verified = visit
            check.contradicted = [
                code
                for code in SELF_CHECK_CODES
                if code in visit.failed and check.answers.get(code) == SelfCheckResult.PASS
            ]
            if check.contradicted:
                verified_on = self.ctx.local_date(visit.time)
                place.contradictions.append(verified_on)
                ends = overlays.watch_ends(verified_on)
                if ends is not None:  # the nightly job drops the reason that day
                    self.push(self.ctx.at(ends, 0, 30), "stale", place, None)
        place.awaiting.clear()

    def forced(self, when: dt.datetime, place: Place, data: Any) -> None:
        _purpose, outcome, kind, findings, request_on = data
        if outcome == VisitOutcome.INSPECTED:
            self.covered(when, place, kind, "forced", outcome, findings or [], request_on)
        else:
            self.not_covered(when, place, kind, outcome)
