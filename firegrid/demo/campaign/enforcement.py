"""Enforcement: a handful of plans overdue, escalated to a joint team by the ladder, met with a sanction
(interview, fine, sealing, detention), then rectified and accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from firegrid.areas.choices import DepartmentKind
from firegrid.rectification.choices import EnforcementKind, MoveName, PlanState
from firegrid.rectification.models import (
    EnforcementAction,
    EscalationStep,
)

from .facts import ENDS_ON, at, days
from .rectification import accept
from .stories import Step, Story
from .survey import begin

if TYPE_CHECKING:
    from .replay import Replay


# The handful met enforcement, in this order (kind, department, legal basis, fine, period in days).
ENFORCEMENT_STORIES = (
    (EnforcementKind.INTERVIEW, DepartmentKind.FIRE, "《浙江省消防条例》第二十六条", None, None),
    (EnforcementKind.FINE, DepartmentKind.FIRE, "《中华人民共和国消防法》第六十条第一款", "5000", None),
    (EnforcementKind.SEALING, DepartmentKind.FIRE, "《中华人民共和国消防法》第五十四条、第七十条", None, 10),
    (EnforcementKind.FINE, DepartmentKind.ENFORCEMENT, "《浙江省出租房屋消防安全管理办法》", "2000", None),
    (EnforcementKind.DETENTION, DepartmentKind.POLICE, "《中华人民共和国消防法》第六十四条", None, 5),
    (EnforcementKind.INTERVIEW, DepartmentKind.FIRE, "《浙江省消防条例》第二十六条", None, None),
)


def enforced_story(replay: Replay, story: Story, n: int) -> None:
    """Notified, not fixed by the deadline: overdue at the nightly run, escalated by the ladder after
    3 days, a sanction recorded (moving the plan into enforcement), rectification resumed, accepted."""
    rng, officer, fire = replay.rng, story.officer, replay.users["fire"]
    kind, department_kind, basis, fine, period = ENFORCEMENT_STORIES[n % len(ENFORCEMENT_STORIES)]
    begin(replay, story, story.survey_day, story.survey_day + days(1))
    refused = n % 2 == 1  # these never started: the notice was ignored
    if not refused:
        start = Step(
            MoveName.START,
            PlanState.RECTIFYING,
            replay.time(story.survey_day + days(2)),
            officer,
            "房东签收通知",
        )
        story.steps.append(start)
    deadline = dt.date(2019, 11, 4) + days(n)
    story.first_deadline = deadline
    overdue_at = at(deadline + days(1), 0, 5)
    story.steps.append(
        Step(
            MoveName.MARK_OVERDUE,
            PlanState.OVERDUE,
            overdue_at,
            None,
            f"已超过整改期限 {deadline.isoformat()}",
        )
    )
    ladder = EscalationStep.objects.filter(district=replay.district, move=MoveName.ESCALATE).first()
    story.escalated_to = (
        list(ladder.departments.all()) if ladder else [replay.departments[DepartmentKind.FIRE]]
    )
    story.steps.append(
        Step(
            MoveName.ESCALATE,
            PlanState.ESCALATED,
            at(deadline + days(3), 0, 5),
            None,
            "逾期 3 天，按处置阶梯提级联合处置",
        )
    )
    day = deadline + days(4 + n % 3)
    department = replay.departments.get(department_kind) or replay.departments[DepartmentKind.FIRE]
    if refused:
        # The joint team at the door the day before: the landlord refused (a visit step, no sanction).
        story.enforcement.append(
            EnforcementAction(
                premises=story.premises,
                kind=EnforcementKind.REFUSED,
                department=replay.departments[DepartmentKind.FIRE],
                date=day - days(1),
                note="联合处置组上门，房东拒不整改",
                recorded_by=fire,
            )
        )
    action = EnforcementAction(
        premises=story.premises,
        kind=kind,
        department=department,
        legal_basis=basis,
        document_number=f"衢江{'公' if department_kind == DepartmentKind.POLICE else '消'}罚〔2019〕{101 + n}号",
        date=day,
        fine_amount=Decimal(fine) if fine else None,
        period_days=period,
        note=f"{EnforcementKind(kind).label}：逾期未整改出租房屋消防安全隐患",
        recorded_by=fire,
    )
    story.enforcement.append(action)
    enforced_at = replay.time(day)
    story.steps.append(
        Step(
            MoveName.ENFORCE,
            PlanState.ENFORCEMENT,
            enforced_at,
            fire,
            f"{EnforcementKind(kind).label} {day.isoformat()}",
        )
    )
    resume_day = day + days(period or rng.randint(1, 2))
    new_deadline = min(resume_day + days(7), ENDS_ON - days(1))
    resume = Step(
        MoveName.RESUME,
        PlanState.RECTIFYING,
        replay.time(resume_day, enforced_at),
        fire,
        "当事人接受处理，承诺限期整改",
        deadline=new_deadline,
    )
    story.steps.append(resume)
    story.deadline = new_deadline
    request_day = max(resume_day, new_deadline - days(rng.randint(1, 2)))
    request = Step(
        MoveName.REQUEST_RECHECK,
        PlanState.RECHECK_REQUESTED,
        replay.time(request_day, resume.time),
        officer,
        "房东申请复查验收",
    )
    story.steps.append(request)
    story.accept_day = min(request_day + days(rng.randint(0, 1)), ENDS_ON)
    accept(replay, story, story.accept_day, request.time, [officer, fire] if officer != fire else [fire])


def write_enforcement(stories: list[Story]) -> None:
    """The sanctions (and refusals) recorded on the enforced plans, dated the evening of the day."""
    for s in stories:
        for action in s.enforcement:
            action.plan = s.plan
            action.full_clean()
            action.save()
            recorded = at(action.date, 17, 30)
            EnforcementAction.objects.filter(pk=action.pk).update(created_at=recorded, updated_at=recorded)
