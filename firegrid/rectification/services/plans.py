"""Making a plan from a premises' open hazards, adding hazards found later, and editing a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    ConcurrentEditError,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
)
from firegrid.core.tables import enumerate_items
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.inspections.services import set_hazards_status
from firegrid.registry.models import Premises

from ..choices import OPEN_STATES, MoveName, PlanState
from ..hooks import current_campaign
from ..models import Plan, PlanItem
from .base import DEFAULT_DEADLINE_DAYS, _check_deadline, _history, _locked

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.campaigns.models import Campaign


# The hazard statuses a plan takes in: still to be fixed (待整改).
PLANNABLE_STATUSES = (HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION)


def open_hazards_without_plan(premises: Premises) -> QuerySet[Hazard]:
    return (
        Hazard.objects.filter(premises=premises, status__in=PLANNABLE_STATUSES)
        .exclude(plan_items__plan__state__in=OPEN_STATES)
        .select_related("item")
        .order_by("found_at", "pk")
    )


def plannable_hazard_ids(hazard_ids: Iterable[int]) -> set[int]:
    """Which of these hazards a new plan could take: a premises' hazard still to be fixed and in no open
    plan (what the hazard list lets a user tick). One query."""
    return set(
        Hazard.objects.filter(pk__in=list(hazard_ids), premises__isnull=False, status__in=PLANNABLE_STATUSES)
        .exclude(plan_items__plan__state__in=OPEN_STATES)
        .values_list("pk", flat=True)
    )


def proposed_items(premises: Premises) -> list[PlanItem]:
    """The items a new plan for the premises would have (unsaved): what the plan form pre-fills."""
    today = timezone.localdate()
    return [_item_for(None, h, today) for h in open_hazards_without_plan(premises)]


def _item_for(plan: Plan | None, hazard: Hazard, today: dt.date) -> PlanItem:
    days = hazard.item.default_deadline_days
    deadline = hazard.deadline or today + dt.timedelta(
        days=days if days is not None else DEFAULT_DEADLINE_DAYS
    )
    deadline = max(deadline, today)
    acceptance = hazard.item.acceptance or hazard.item.requirement
    # The checklist's own measure text (整改措施); an item without one (a district's own) falls back to the
    # acceptance standard rather than leaving the notice's column empty.
    measure = hazard.item.measure or acceptance
    return PlanItem(plan=plan, hazard=hazard, measure=measure, acceptance=acceptance, deadline=deadline)


def start_hazards(hazards: QuerySet[Hazard], *, actor: User | None, reason: str = "") -> int:
    """The open ones of these hazards go into rectification (each versioned and audited)."""
    return set_hazards_status(
        hazards.filter(status=HazardStatus.OPEN), HazardStatus.IN_RECTIFICATION, actor=actor, reason=reason
    )


@transaction.atomic
def create_plan(
    premises: Premises,
    *,
    actor: User,
    hazards: Iterable[Hazard] | None = None,
    deadline: dt.date | None = None,
    officer: User | None = None,
    campaign: Campaign | None = None,
    note: str = "",
) -> Plan:
    """Make the premises' plan from its open hazards (or the ones given): a measure, acceptance standard
    and deadline per hazard from its checklist item, and the plan's deadline the latest of them.

    Without `campaign` the plan joins the campaign running for the premises (`hooks.current_campaign`).
    """
    require(actor, Action.ADD, Plan)
    require_visible(premises, actor)
    today = timezone.localdate()
    candidates = list(open_hazards_without_plan(premises))
    if hazards is not None:
        wanted = {h.pk for h in hazards}
        foreign = wanted - {h.pk for h in candidates}
        if foreign:
            raise ValidationError({"hazards": _("所选隐患不属于该出租户、已消除或已在其他方案中。")})
        candidates = [h for h in candidates if h.pk in wanted]
    if not candidates:
        raise ValidationError({"hazards": _("该出租户没有待整改的隐患，无需制定整改方案。")})
    campaign = campaign if campaign is not None else current_campaign(premises)
    plan = Plan(
        premises=premises,
        campaign=campaign,
        landlord=premises.landlord,
        officer=officer or actor,
        deadline=deadline or today,
        note=note,
    )
    items = [_item_for(plan, h, today) for h in candidates]
    if deadline is None:
        plan.deadline = max(i.deadline for i in items)
    _check_deadline(plan.deadline)
    plan.full_clean(exclude=["premises", "officer"])
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"premises": _("该出租户已有未结束的整改方案。")}) from None
    for item in items:
        item.plan = plan
    PlanItem.objects.bulk_create(items)
    _history(plan, MoveName.CREATE, "", actor=actor)
    record_change(actor=actor, action=AuditAction.CREATE, obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def draft_plan(
    hazard_ids: Iterable[int],
    *,
    actor: User,
    premises: Premises | None = None,
    deadline: dt.date | None = None,
    officer: User | None = None,
    campaign: Campaign | None = None,
    note: str = "",
) -> Plan:
    """Draft one plan from hazards picked by hand (the hazard list's 起草整改方案; the API's `hazards`): all
    of one premises (`premises`, when given, must be theirs), each in the actor's scope, still to be
    fixed and in no open plan. A refusal names every hazard or premises at fault and changes nothing;
    the plan itself is made by `create_plan` (its scope, deadline rules and campaign)."""
    require(actor, Action.ADD, Plan)
    wanted = sorted(set(hazard_ids))
    if not wanted:
        raise ValidationError({"hazards": _("请至少选择一项隐患。")})
    hazards = list(
        Hazard.objects.visible_to(actor)
        .filter(pk__in=wanted)
        .select_related("item", "premises__building", "building")
        .order_by("found_at", "pk")
    )
    found = {h.pk for h in hazards}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                "hazards": _("编号为 %(ids)s 的隐患不存在或不在您的管辖范围内。")
                % {"ids": enumerate_items(missing)}
            }
        )
    errors = [*_premises_errors(hazards, premises), *_state_errors(hazards)]
    if errors:
        raise ValidationError({"hazards": errors})
    target = premises or hazards[0].premises
    assert target is not None  # _premises_errors refused hazards without a premises
    return create_plan(
        target,
        actor=actor,
        hazards=hazards,
        deadline=deadline,
        officer=officer,
        campaign=campaign,
        note=note,
    )


def _premises_errors(hazards: list[Hazard], premises: Premises | None) -> list[str]:
    errors = []
    whole = [h for h in hazards if h.premises is None]
    if whole:
        errors.append(
            _("%(hazards)s 是整幢建筑的隐患，不属于某一出租户，不能纳入整改方案。")
            % {"hazards": enumerate_items(f"{h}（{h.building}）" for h in whole)}
        )
    places = {h.premises.pk: h.premises for h in hazards if h.premises is not None}
    if premises is not None:
        others = [h for h in hazards if h.premises is not None and h.premises.pk != premises.pk]
        if others:
            errors.append(
                _("%(hazards)s 不属于出租户 %(premises)s。")
                % {
                    "hazards": enumerate_items(f"{h}（{h.premises}）" for h in others),
                    "premises": premises,
                }
            )
    elif len(places) > 1:
        errors.append(
            _("所选隐患分属 %(n)s 个出租户：%(premises)s。一个整改方案只含同一出租户的隐患，请分别起草。")
            % {"n": len(places), "premises": enumerate_items(places.values())}
        )
    return errors


def _state_errors(hazards: list[Hazard]) -> list[str]:
    errors = []
    done = [h for h in hazards if h.status not in PLANNABLE_STATUSES]
    if done:
        errors.append(
            _("%(hazards)s 已不在待整改状态，不能纳入整改方案。")
            % {"hazards": enumerate_items(f"{h}（{h.get_status_display()}）" for h in done)}
        )
    planned = (
        PlanItem.objects.filter(hazard__in=hazards, plan__state__in=OPEN_STATES)
        .select_related("hazard__item", "plan__premises__building")
        .order_by("hazard__found_at", "hazard_id")
    )
    in_plans = [f"{item.hazard}（{item.plan}）" for item in planned]
    if in_plans:
        errors.append(
            _("%(hazards)s 已在未结束的整改方案中，不能再起草。") % {"hazards": enumerate_items(in_plans)}
        )
    return errors


@transaction.atomic
def add_hazards(plan: Plan, hazards: Iterable[Hazard], *, actor: User | None) -> list[PlanItem]:
    """Add newly found hazards of the premises to its open plan (one plan per premises)."""
    plan = _locked(plan, actor)
    if plan.is_closed:
        raise ValidationError(_("方案已结束，不能再添加隐患。"))
    today = timezone.localdate()
    existing = set(plan.items.values_list("hazard_id", flat=True))
    items = [
        _item_for(plan, h, today)
        for h in hazards
        if h.pk not in existing and h.premises_id == plan.premises_id
    ]
    PlanItem.objects.bulk_create(items)
    if items and plan.state != PlanState.DRAFT:
        # The notice has been served: hazards joining the plan are in rectification at once.
        start_hazards(Hazard.objects.filter(pk__in=[i.hazard_id for i in items]), actor=actor)
    if items:
        record_change(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=plan,
            after={"added_hazards": [str(i.hazard) for i in items]},
        )
    return items


@transaction.atomic
def update_plan(
    plan: Plan,
    data: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None,
    items: dict[int, dict[str, Any]] | None = None,
    reason: str = "",
) -> Plan:
    """Edit the plan's deadline, officer and note, and each item's measure, standard and deadline.

    Issued documents keep their frozen content; a changed plan gets new documents only by reissue.
    """
    require(actor, Action.CHANGE, plan)
    current = _locked(plan, actor)
    if current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    if current.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），不能修改。") % {"state": current.get_state_display()}
        )
    before = snapshot(current)
    for name in ("deadline", "officer", "note"):
        if name in data:
            setattr(current, name, data[name])
    _check_deadline(current.deadline, current)
    errors: dict[str, str | list[str]] = {}
    for item in current.items.select_related("hazard__item"):
        changes = (items or {}).get(item.pk)
        if not changes:
            continue
        for name in ("measure", "acceptance", "deadline"):
            if name in changes:
                setattr(item, name, changes[name])
        if not (item.measure or "").strip():
            errors[f"item-{item.pk}-measure"] = _("请填写 %(item)s 的整改措施。") % {
                "item": item.hazard.item.code
            }
        try:
            _check_deadline(item.deadline, current, field=f"item-{item.pk}-deadline")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if item.deadline and current.deadline and item.deadline > current.deadline:
            errors[f"item-{item.pk}-deadline"] = _("%(item)s 的期限不能晚于方案整改期限。") % {
                "item": item.hazard.item.code
            }
        item.save()
    if errors:
        raise ValidationError(errors)
    current.full_clean(exclude=["premises", "officer"])
    return save_update(current, before, actor=actor, reason=reason)
