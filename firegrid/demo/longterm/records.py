"""The long-term phase's history held in memory until it is written: a premises in the simulation (Place)
and what happens to it — visits, hazards, plans and their moves, tenant households, self-inspections and
grade changes. Each row-to-be keeps its model instance in `row` once written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import ChecklistItem, Hazard, Inspection
    from firegrid.longterm.models import SelfInspection
    from firegrid.rectification.models import Plan
    from firegrid.registry.models import TenantHousehold
    from firegrid.risk.rules import Grade


@dataclass(eq=False, slots=True)
class Household:
    """A tenant household over the years: when it truly moved in and out, and when the system learned it
    (a landlord's report in the portal, or a grid worker registering it at a visit)."""

    row: TenantHousehold
    people: int
    moved_in: dt.date
    moved_out: dt.date | None = None  # the day it truly moves out (known or not)
    new: bool = False  # moved in during the long-term phase (else a row of the registry load)
    reported_in: dt.datetime | None = None  # the landlord's report (reported_by_landlord_at)
    reported_out: dt.datetime | None = None  # (move_out_reported_at)
    known_in: dt.datetime | None = None  # when its row exists (None with `new` False: from the start)
    known_out: dt.datetime | None = None  # when its moved_out is written
    confirmed_at: dt.datetime | None = None
    confirmed_by: User | None = None

    def exists(self, when: dt.datetime) -> bool:
        return not self.new or (self.known_in is not None and self.known_in <= when)

    def current(self, on: dt.date, when: dt.datetime) -> bool:
        """Living there on `on` as the registry says at `when` (TenantHousehold.objects.current)."""
        if not self.exists(when) or self.moved_in > on:
            return False
        out_known = self.moved_out is not None and self.known_out is not None and self.known_out <= when
        return not (out_known and self.moved_out is not None and self.moved_out <= on)


@dataclass(eq=False, slots=True)
class Visit:
    """One inspection: who, when, why (`purpose`), how it ended, which items failed."""

    place: Place
    kind: str  # InspectionKind
    purpose: str  # due, first, return, verify, confirm, plan, forced
    time: dt.datetime  # submitted
    started: dt.datetime
    inspector: User
    outcome: str  # VisitOutcome
    failed: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)  # items it settled (an acceptance: the plan's)
    answers: str = ""  # which answers are written: "all", "some" (failed and checked) or none
    return_due: dt.date | None = None
    row: Inspection | None = None
    hazard_answers: dict[str, int] = field(default_factory=dict)  # item code → the failed answer's id


@dataclass(eq=False, slots=True)
class SimHazard:
    place: Place
    item: ChecklistItem
    found: Visit
    deadline: dt.date
    status: str  # HazardStatus
    version: int = 1
    closed: Visit | None = None
    row: Hazard | None = None


@dataclass(eq=False, slots=True)
class Step:
    """One move of a plan (PlanMove), before it is written."""

    name: str
    to_state: str
    time: dt.datetime
    actor: User | None
    reason: str = ""
    deadline: dt.date | None = None
    visit: Visit | None = None


@dataclass(eq=False)
class Story:
    """A standalone rectification plan (no campaign runs): hazards found at a visit, the notice, the
    landlord's work, the recheck request and the acceptance visit."""

    place: Place
    found: Visit
    hazards: list[SimHazard]
    deadline: dt.date
    notified_on: dt.date | None = None
    steps: list[Step] = field(default_factory=list)
    accepted: Visit | None = None
    token: int = 0  # the acceptance visit it waits for
    row: Plan | None = None


@dataclass(eq=False, slots=True)
class SelfCheck:
    """A landlord's monthly self-inspection, its draw and the visit that verified it."""

    place: Place
    period: dt.date
    time: dt.datetime
    user: User
    answers: dict[str, str]
    client_uuid: Any
    row: SelfInspection | None = None
    drawn_at: dt.datetime | None = None
    verified: Visit | None = None
    contradicted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GradeNote:
    """A grade change (GradeChange) at the moment what caused it happened."""

    premises_id: int
    old: str
    new: str
    score: int
    reasons: list[dict[str, Any]]
    at: dt.datetime
    cause: str


@dataclass(eq=False)
class Place:
    """One premises in the simulation: what the risk rules read about it, who visits it, and where it
    stands now (last covering visit, open hazards and plan, grade, what waits for a visit)."""

    pk: int
    building_id: int
    grid_id: int
    landlord_id: int | None
    kind: str
    shared: bool
    floor_area: Decimal
    active: bool
    sleeping_rooms: int
    sleeping_area: Decimal
    occupants: int
    officer: User
    supervisor: User
    items: list[ChecklistItem]  # applicable, in checklist order (answers)
    findable: list[ChecklistItem]  # those a visit may find as a hazard
    self_codes: list[str]  # its self-check list
    wanggy: bool = False  # in the demo grid worker's grid
    service_made: bool = False  # holds a plan made by the services (firegrid.demo.rectification)
    portal: User | None = None  # the landlord's portal account
    households: list[Household] = field(default_factory=list)
    # Where it stands.
    last_covering: dt.datetime | None = None
    first_graded: dt.date | None = None
    grade: Grade | None = None
    next_due: dt.date | None = None
    open: list[SimHazard] = field(default_factory=list)
    story: Story | None = None
    awaiting: list[SelfCheck] = field(default_factory=list)  # drawn, not yet verified
    pending: list[Household] = field(default_factory=list)  # reported moves awaiting confirmation
    contradictions: list[dt.date] = field(default_factory=list)  # days a verification contradicted
    token: int = 0  # the due visit it waits for (a covering visit schedules a new one)
    planned: dt.datetime | None = None  # when that visit is
    # Steering (steering.py): its part in the demo grid worker's queue today.
    role: str = ""
    clean_from: dt.datetime | None = None  # from then on its visits find nothing
    quiet_from: dt.datetime | None = None  # from then on no visit because it is due (but steering's)
    hold_from: dt.datetime | None = None  # from then on no covering visit (until today)
    dirty: bool = False  # its grade row must be written again
