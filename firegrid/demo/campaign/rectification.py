"""Rectification: a plan notified, started, rechecked (about a hundred fail a recheck once and get a new
deadline) and accepted; the plans, hazards, items and moves written from those stories."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, Subquery

from firegrid.areas.models import User
from firegrid.inspections.choices import (
    HazardStatus,
    InspectionKind,
)
from firegrid.inspections.models import Hazard
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import (
    Plan,
    PlanItem,
    PlanMove,
)

from .facts import BATCH_SIZE, ENDS_ON, FOUR_CATEGORY_DUE, SYSTEM_NAME, days
from .stories import Step, Story, Visit
from .survey import begin

if TYPE_CHECKING:
    from .replay import Replay


def natural_deadline(story: Story) -> dt.date:
    return max(story.survey_day + days(i.default_deadline_days or 15) for i in story.findings)


def rectified_story(replay: Replay, story: Story, *, fails: bool) -> None:
    """Surveyed, notified, started, rechecked (failed once when `fails`: a new deadline), accepted."""
    rng, officer = replay.rng, story.officer
    accept_day, survey_day = story.accept_day, story.survey_day
    notify_day = min(survey_day + days(rng.choice((0, 1, 1, 2))), accept_day - days(2))
    notify = begin(replay, story, survey_day, notify_day)
    start_day = min(notify_day + days(rng.choice((0, 0, 1, 2))), accept_day - days(1))
    reason = "房东签署整改承诺书" if story.four_category else "房东签收通知并承诺整改"
    start = Step(MoveName.START, PlanState.RECTIFYING, replay.time(start_day, notify.time), officer, reason)
    story.steps.append(start)
    milestone = FOUR_CATEGORY_DUE if story.four_category else ENDS_ON
    last = start.time
    if fails:
        recheck_day = max(start_day + days(1), accept_day - days(rng.randint(2, 6)))
        request_day = max(start_day, recheck_day - days(rng.randint(0, 1)))
        story.first_deadline = min(
            milestone, max(natural_deadline(story), request_day + days(rng.randint(0, 4)))
        )
        request = Step(
            MoveName.REQUEST_RECHECK,
            PlanState.RECHECK_REQUESTED,
            replay.time(request_day, last),
            officer,
            "房东电话申请复查",
        )
        recheck = Visit(InspectionKind.RECHECK, replay.time(recheck_day, request.time), [officer])
        # One hazard (at least) is found not fixed as required; the others await acceptance.
        failed = [rng.choice(story.findings)]
        recheck.failed = {i.code for i in failed}
        story.awaiting_at_recheck = {i.code for i in story.findings} - recheck.failed
        new_deadline = recheck_day + days(min(i.default_deadline_days or 15 for i in failed))
        codes = "、".join(sorted(recheck.failed))
        story.visits.append(recheck)
        story.steps += [
            request,
            Step(
                MoveName.FAIL_RECHECK,
                PlanState.RECTIFYING,
                recheck.submitted_at,
                officer,
                f"复查发现隐患未整改：{codes}",
                deadline=new_deadline,
                inspection=recheck,
            ),
        ]
        story.deadline = new_deadline
        last = recheck.submitted_at
        request_day = max(recheck_day, accept_day - days(rng.randint(0, 1)))
    else:
        request_day = max(start_day, accept_day - days(rng.choice((0, 1, 1, 2))))
        story.first_deadline = min(
            milestone, max(natural_deadline(story), request_day + days(rng.randint(0, 4)))
        )
        story.deadline = story.first_deadline
    request = Step(
        MoveName.REQUEST_RECHECK,
        PlanState.RECHECK_REQUESTED,
        replay.time(request_day, last),
        officer,
        "房东申请复查验收",
    )
    story.steps.append(request)
    accept(replay, story, accept_day, request.time, [officer])


def accept(replay: Replay, story: Story, day: dt.date, after: dt.datetime, inspectors: list[User]) -> None:
    """The acceptance inspection that closes the story's plan."""
    visit = Visit(InspectionKind.ACCEPTANCE, replay.time(day, after), inspectors)
    story.visits.append(visit)
    story.steps.append(
        Step(MoveName.ACCEPT, PlanState.ACCEPTED, visit.submitted_at, story.officer, inspection=visit)
    )
    story.accepted_at = visit.submitted_at


def write_plans(replay: Replay, stories: list[Story], survey_answers: dict[tuple[int, str], int]) -> None:
    """Each story's accepted plan with its hazards (found by the survey, closed by the acceptance),
    items, the departments it was escalated to and its moves."""
    plans: list[Plan] = []
    items: list[PlanItem] = []
    hazards: list[Hazard] = []
    for s in stories:
        acceptance = s.visits[-1]
        survey = s.surveyed()
        assert s.first_deadline is not None  # every story's path sets it (rectified_story, enforcement)
        s.plan = Plan(
            premises=s.premises,
            campaign=replay.campaign,
            landlord=s.premises.landlord,
            officer=s.officer,
            state=PlanState.ACCEPTED,
            deadline=s.first_deadline,  # the notice's; moved on below once the notices are frozen
            notified_on=s.notified_on,
            closed_at=s.accepted_at,
            public_key=replay.uuid(),
            version=len(s.steps),
        )
        plans.append(s.plan)
        found = survey.submitted_at
        for item in s.findings:
            natural = found.date() + days(item.default_deadline_days or 15)
            hazards.append(
                Hazard(
                    premises=s.premises,
                    building_id=s.premises.building_id,
                    item=item,
                    inspection=survey.row,
                    answer_id=survey_answers[(s.premises.pk, item.code)],
                    severity=item.severity,
                    status=HazardStatus.ACCEPTED,
                    found_at=found,
                    deadline=natural,
                    closed_at=acceptance.submitted_at,
                    closed_by=acceptance.row,
                    # open → awaiting acceptance (a passed recheck) → accepted: one version per change
                    version=3 if item.code in s.awaiting_at_recheck else 2,
                )
            )
    Plan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
    Hazard.objects.bulk_create(hazards, batch_size=BATCH_SIZE)
    by_premises_item = {(h.premises_id, h.item_id): h for h in hazards}
    for s in stories:
        first_deadline = s.first_deadline
        assert first_deadline is not None  # as above
        for item in s.findings:
            hazard = by_premises_item[(s.premises.pk, item.pk)]
            assert hazard.deadline is not None  # made above with its natural deadline
            standard = item.acceptance or item.requirement
            items.append(
                PlanItem(
                    plan=s.plan,
                    hazard=hazard,
                    measure=standard,
                    acceptance=standard,
                    deadline=min(max(hazard.deadline, s.survey_day), first_deadline),
                )
            )
    PlanItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    Plan.escalated_to.through.objects.bulk_create(
        [
            Plan.escalated_to.through(plan_id=s.written_plan().pk, department_id=d.pk)
            for s in stories
            for d in s.escalated_to
        ]
    )
    moves = []
    for s in stories:
        state = ""
        for step in s.steps:
            moves.append(
                PlanMove(
                    plan=s.plan,
                    name=step.name,
                    from_state=state,
                    to_state=step.to_state,
                    actor=step.actor,
                    actor_name=str(step.actor) if step.actor else SYSTEM_NAME,
                    time=step.time,
                    reason=step.reason,
                    deadline=step.deadline,
                    inspection=step.inspection.row if step.inspection else None,
                )
            )
            state = step.to_state
    PlanMove.objects.bulk_create(moves, batch_size=BATCH_SIZE)


def date_plans(replay: Replay) -> None:
    """When the hazards and plans were made, by the history (bulk inserts stamp now)."""
    Hazard.objects.filter(plan_items__plan__campaign=replay.campaign).update(
        created_at=F("found_at"), updated_at=F("closed_at")
    )
    created = PlanMove.objects.filter(plan=OuterRef("pk"), name=MoveName.CREATE).values("time")[:1]
    Plan.objects.filter(campaign=replay.campaign).update(
        created_at=Subquery(created), updated_at=F("closed_at")
    )
