"""A few rectification plans in the demo district, in every state, made through the real services by the
demo grid worker: so `make run` shows the plan pages, the landlord portal has a notice to sign, and the
daily jobs have something to do. (The full 2019 campaign replay comes with the campaign module.)"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from firegrid.areas.choices import AreaLevel, DepartmentKind
from firegrid.areas.models import Area, Department, User
from firegrid.inspections import services as inspections
from firegrid.inspections.choices import AnswerResult, InspectionKind, VisitOutcome
from firegrid.inspections.models import Inspection
from firegrid.rectification import services
from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import EscalationStep, Plan
from firegrid.registry.models import Premises

from .data import DISTRICT_CODE

# What happens to the demo plans, in order: the first goes to the demo landlord's premises.
STORIES = (
    "notified",
    "draft",
    "draft",
    "rectifying",
    "rectifying",
    "recheck_requested",
    "overdue",
    "escalated",
    "accepted",
    "accepted",
)
# Items that commonly fail in rentals (the 2019 campaign's most frequent findings).
COMMON_FAILURES = ("SEP-01", "SEP-06", "SEP-08", "EXIT-03", "EXIT-04", "ELEC-01", "ELEC-02", "EQUIP-01")


def _inspect(premises: Premises, actor: User, kind: str, fail: set[str]) -> Inspection:
    inspection = inspections.start_inspection(actor=actor, premises=premises, kind=kind)
    applicable = [item.code for item in inspection.applicable_items()]
    answers = [
        inspections.AnswerInput(code, AnswerResult.FAIL if code in fail else AnswerResult.PASS)
        for code in applicable
    ]
    return inspections.submit_inspection(
        inspection, actor=actor, outcome=VisitOutcome.INSPECTED, answers=answers
    )


def load_rectification_demo(seed: int) -> int:
    """Make the demo plans once; returns how many were made (0 when they exist)."""
    if Plan.objects.exists():
        return 0
    inspections.default_template()
    district = Area.objects.get(code=DISTRICT_CODE, level=AreaLevel.DISTRICT)
    _ladder(district)
    worker = User.objects.filter(username="wanggy").first()
    landlord_user = User.objects.filter(username="landlord").select_related("landlord").first()
    if worker is None:
        return 0
    in_scope = Premises.objects.visible_to(worker).select_related("landlord").order_by("pk")
    chosen = []
    if landlord_user and landlord_user.landlord_id:
        own = (
            in_scope.filter(landlord_id=landlord_user.landlord_id).first()
            or Premises.objects.filter(landlord_id=landlord_user.landlord_id).first()
        )
        if own is not None:
            chosen.append(own)
    for premises in in_scope[:40]:
        if len(chosen) == len(STORIES):
            break
        if premises.pk not in {p.pk for p in chosen}:
            chosen.append(premises)
    rng = random.Random(seed)
    today = timezone.localdate()
    made = 0
    for premises, story in zip(chosen, STORIES, strict=False):
        actor = (
            worker
            if Premises.objects.visible_to(worker).filter(pk=premises.pk).exists()
            else _officer_for(premises)
        )
        fail = set(rng.sample(COMMON_FAILURES, 2))
        _inspect(premises, actor, InspectionKind.SURVEY, fail)
        if not premises.hazards.exists():
            continue
        # Plans due today become overdue at tonight's run; the demo moves them now.
        due_today = story in ("overdue", "escalated")
        plan = services.create_plan(premises, actor=actor, deadline=today if due_today else None)
        made += 1
        if story == "draft":
            continue
        plan = services.notify_plan(plan, actor=actor)
        if story == "notified":
            continue
        if due_today:
            services.mark_overdue(today + dt.timedelta(days=1))
            if story == "escalated":
                services.escalate_plan(
                    plan,
                    actor=_officer_for(premises),
                    reason="逾期未整改，提级联合处置",
                    departments=_joint_team(),
                )
            continue
        services.start_rectification(plan, actor=actor, reason="房东口头承诺整改")
        if story == "rectifying":
            continue
        services.request_recheck(plan, actor=actor)
        if story == "accepted":
            _inspect(premises, actor, InspectionKind.ACCEPTANCE, fail=set())
    return made


def _officer_for(premises: Premises) -> User:
    """The community officer, else the subdistrict officer, else the admin: whoever's scope holds it."""
    for username in ("shequ", "zhangtan", "admin"):
        user = User.objects.filter(username=username).first()
        if user and Premises.objects.visible_to(user).filter(pk=premises.pk).exists():
            return user
    admin = User.objects.filter(is_superuser=True).first()
    if admin is None:
        raise ValueError("the demo district has no administrator")  # _create_users makes one
    return admin


def _joint_team() -> list[Department]:
    return list(
        Department.objects.filter(kind__in=[DepartmentKind.FIRE, DepartmentKind.ENFORCEMENT]).order_by("pk")[
            :2
        ]
    )


def _ladder(district: Area) -> None:
    """The district's escalation ladder: 3 days overdue → joint team; 10 days → enforcement."""
    escalate, _ = EscalationStep.objects.get_or_create(
        district=district, move=MoveName.ESCALATE, defaults={"days_overdue": 3}
    )
    escalate.departments.set(_joint_team())
    EscalationStep.objects.get_or_create(
        district=district,
        move=MoveName.ENFORCE,
        defaults={"days_overdue": 10, "suggested_action": "interview"},
    )
