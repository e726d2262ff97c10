"""A target premises' story through the campaign, held in memory until it is written: the moves of
its plan (Step), its inspections (Visit) and what happened to it (Story)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from firegrid.areas.models import Department, User
from firegrid.inspections.choices import VisitOutcome
from firegrid.inspections.models import ChecklistItem, Inspection
from firegrid.rectification.models import (
    EnforcementAction,
    Plan,
)
from firegrid.registry.models import Premises


@dataclass
class Step:
    """One move of a plan, before it is written."""

    name: str
    to_state: str
    time: dt.datetime
    actor: User | None
    reason: str = ""
    deadline: dt.date | None = None
    inspection: Visit | None = None


@dataclass
class Visit:
    """One inspection, before it is written: which items failed, and by whom, when; how the visit ended
    (a door knocked in vain: why, and the return visit it owes) and whether it lists the premises' rooms
    (an inspected survey visit does: 房不漏间)."""

    kind: str
    submitted_at: dt.datetime
    inspectors: list[User]
    failed: set[str] = field(default_factory=set)
    row: Inspection | None = None
    outcome: str = VisitOutcome.INSPECTED
    note: str = ""
    return_due: dt.date | None = None
    rooms: bool = False

    def written(self) -> Inspection:
        """The inspection row: the survey phase writes every visit before the later phases read it."""
        if self.row is None:
            raise ValueError("the visit's inspection is not written yet")
        return self.row


@dataclass
class Story:
    """One target premises through the campaign."""

    premises: Premises
    four_category: bool
    officer: User
    survey: Visit | None = None
    findings: list[ChecklistItem] = field(default_factory=list)  # checklist items failed at the survey
    steps: list[Step] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    first_deadline: dt.date | None = None
    deadline: dt.date | None = None
    notified_on: dt.date | None = None
    accepted_at: dt.datetime | None = None
    awaiting_at_recheck: set[str] = field(default_factory=set)  # items passed at a failed recheck
    enforcement: list[EnforcementAction] = field(default_factory=list)
    escalated_to: list[Department] = field(default_factory=list)
    plan: Plan | None = None
    # The days the schedule draws for the story (schedule.py, enforcement.py), before it is played.
    survey_day: dt.date = field(init=False, repr=False, compare=False)
    accept_day: dt.date = field(init=False, repr=False, compare=False)

    def surveyed(self) -> Visit:
        """The survey visit: every story begins with it (survey.begin)."""
        if self.survey is None:
            raise ValueError("the story has no survey yet")
        return self.survey

    def written_plan(self) -> Plan:
        """The plan row: the rectification phase writes it before the later phases read it."""
        if self.plan is None:
            raise ValueError("the story's plan is not written yet")
        return self.plan
