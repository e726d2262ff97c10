"""The survey: the hazards each target's survey finds (the campaign's most frequent findings weigh more),
the survey visit followed by the plan and its notice, and the inspections written with every answer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F

from firegrid.inspections.choices import (
    NOT_A_HAZARD,
    AnswerResult,
    InspectionKind,
    InspectionStatus,
    Severity,
    VisitOutcome,
)
from firegrid.inspections.models import Answer, Inspection
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.registry.models import Premises

from .facts import BATCH_SIZE, ENDS_ON, at, days
from .stories import Step, Story, Visit

if TYPE_CHECKING:
    from .replay import Replay


# The campaign's most frequent findings weigh more when a survey's failures are drawn.
COMMON_FINDINGS = {
    "SEP-08": 6,
    "EXIT-03": 6,
    "EXIT-04": 5,
    "EXIT-10": 4,
    "ELEC-01": 8,
    "ELEC-03": 6,
    "ELEC-04": 4,
    "EBIKE-02": 7,
    "EBIKE-04": 7,
    "EQUIP-01": 8,
    "EQUIP-03": 7,
    "EQUIP-05": 4,
    "GAS-01": 3,
    "GAS-03": 3,
    "GAS-05": 3,
    "FIRE-03": 3,
    "MGMT-02": 4,
    "SEP-06": 2,
    "SEP-01": 1,
}


def findings(replay: Replay, premises: Premises) -> list:
    """1–4 failed items that become hazards (never advice, never on-the-spot fixes)."""
    candidates = [
        i
        for i in replay.applicable(premises)
        if i.severity not in NOT_A_HAZARD and i.severity != Severity.IMMEDIATE
    ]
    weights = [COMMON_FINDINGS.get(i.code, 0.5) for i in candidates]
    n = replay.rng.choices((1, 2, 3, 4), weights=(30, 40, 22, 8))[0]
    found: list = []
    while len(found) < min(n, len(candidates)):
        item = replay.rng.choices(candidates, weights=weights)[0]
        if item not in found:
            found.append(item)
    return sorted(found, key=lambda i: i.position)


def begin(replay: Replay, story: Story, survey_day: dt.date, notify_day: dt.date) -> Step:
    """Survey, plan, notice: the common start of every story. Returns the notify step."""
    officer = story.officer
    story.survey = Visit(
        InspectionKind.SURVEY, replay.time(survey_day), [officer], failed={i.code for i in story.findings}
    )
    story.visits.append(story.survey)
    created = story.survey.submitted_at + dt.timedelta(minutes=replay.rng.randint(15, 90))
    story.steps.append(Step(MoveName.CREATE, PlanState.DRAFT, created, officer))
    notify = Step(MoveName.NOTIFY, PlanState.NOTIFIED, replay.time(notify_day, created), officer)
    story.steps.append(notify)
    story.notified_on = notify.time.astimezone(created.tzinfo).date()
    return notify


def write_inspections(replay: Replay, stories: list[Story]) -> dict[tuple[int, str], Answer]:
    """Every visit as a submitted inspection with its inspectors, departments and answers; returns the
    survey's failed answers by (premises, checklist item code), which the hazards point to."""
    written: list[tuple[Visit, Inspection]] = []
    for s in stories:
        for v in s.visits:
            v.row = row = Inspection(
                premises=s.premises,
                building_id=s.premises.building_id,
                kind=v.kind,
                template=replay.template,
                status=InspectionStatus.SUBMITTED,
                outcome=VisitOutcome.INSPECTED,
                started_at=v.submitted_at - dt.timedelta(minutes=replay.rng.randint(15, 45)),
                submitted_at=v.submitted_at,
                client_uuid=replay.uuid(),
                version=2,
            )
            written.append((v, row))
    Inspection.objects.bulk_create([row for _visit, row in written], batch_size=BATCH_SIZE)
    Through = Inspection.inspectors.through
    Through.objects.bulk_create(
        [Through(inspection_id=row.pk, user_id=u.pk) for v, row in written for u in v.inspectors],
        batch_size=BATCH_SIZE,
    )
    Joint = Inspection.departments.through
    Joint.objects.bulk_create(
        [
            Joint(inspection_id=row.pk, department_id=u.department_id)
            for v, row in written
            for u in v.inspectors
            if u.department_id
        ],
        batch_size=BATCH_SIZE,
    )
    # Every applicable item answered (an inspected visit needs them all); failures as drawn.
    answers, survey_answers = [], {}
    for s in stories:
        for v in s.visits:
            for item in replay.applicable(s.premises):
                failed = item.code in v.failed
                answer = Answer(
                    inspection=v.row,
                    item=item,
                    result=AnswerResult.FAIL if failed else AnswerResult.PASS,
                    note=("复查仍未整改" if v.kind == InspectionKind.RECHECK else "") if failed else "",
                )
                answers.append(answer)
                if v is s.survey and failed:
                    survey_answers[(s.premises.pk, item.code)] = answer
    Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    return survey_answers


def date_inspections(replay: Replay) -> None:
    """When the inspections were made, by the history (bulk inserts stamp now)."""
    end = at(ENDS_ON + days(1), 0)
    Inspection.objects.filter(
        premises__campaign_targets__campaign=replay.campaign, submitted_at__lt=end
    ).update(created_at=F("started_at"), updated_at=F("submitted_at"))
