"""Overdue plans and the district's escalation ladder: the nightly runs that mark plans overdue and move
them up the ladder, and setting the ladder (its page and the API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot, update_record

from .. import move_reasons
from ..choices import MoveName, PlanState
from ..models import EscalationStep, Plan
from .moves import _move

if TYPE_CHECKING:
    from firegrid.areas.models import Department, User

# --- the daily runs --------------------------------------------------------------------------------------


def mark_overdue(today: dt.date | None = None) -> int:
    """Mark every plan past its deadline overdue. Idempotent: a second run finds nothing to mark."""
    today = today or timezone.localdate()
    count = 0
    for pk in Plan.objects.past_deadline(today).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            plan = Plan.objects.select_for_update().get(pk=pk)
            if plan.state in (PlanState.NOTIFIED, PlanState.RECTIFYING) and plan.deadline < today:
                _move(
                    plan,
                    MoveName.MARK_OVERDUE,
                    actor=None,
                    reason=move_reasons.written(move_reasons.PAST_DEADLINE, d=plan.deadline),
                )
                count += 1
    return count


def apply_escalation_ladder(today: dt.date | None = None) -> int:
    """Move overdue plans up the district's ladder: after N days overdue, escalate to a joint team; after
    M days, into enforcement. Idempotent: a plan already on a rung is not moved again."""
    today = today or timezone.localdate()
    steps = list(EscalationStep.objects.prefetch_related("departments").order_by("days_overdue"))
    moved = 0
    for step in steps:
        source = PlanState.OVERDUE if step.move == MoveName.ESCALATE else PlanState.ESCALATED
        cutoff = today - dt.timedelta(days=step.days_overdue)
        for pk in (
            Plan.objects.filter(state=source, deadline__lte=cutoff).values_list("pk", flat=True).iterator()
        ):
            with transaction.atomic():
                plan = Plan.objects.select_for_update().get(pk=pk)
                if plan.state != source:
                    continue
                reason = move_reasons.written(
                    move_reasons.LADDER, days=(today - plan.deadline).days, move=MoveName(step.move).label
                )
                plan, _state = _move(plan, MoveName(step.move), actor=None, reason=reason)
                if step.move == MoveName.ESCALATE:
                    plan.escalated_to.add(*step.departments.all())
                moved += 1
    return moved


# --- the escalation ladder -------------------------------------------------------------------------------

LADDER_MOVES = (MoveName.ESCALATE, MoveName.ENFORCE)


class Rung(TypedDict):
    """One rung of a district's ladder as the ladder page and the API give it."""

    days_overdue: int | None  # None takes the rung off
    departments: Iterable[Department | int]
    suggested_action: str


@transaction.atomic
def save_escalation_ladder(
    district: Area, rungs: Mapping[str, Rung | None], *, actor: User
) -> list[EscalationStep]:
    """Set the district's ladder: per move (escalate, enforce) the days overdue after which the daily job
    makes it, the departments and the suggested action; `days_overdue` None takes the rung off, and a
    move not in `rungs` keeps its stored rung. Returns the rungs now on the ladder.

    Both rungs count from the plan's deadline, so enforcement must come after the escalation. Errors
    are keyed `<move>-<field>` (the ladder form's fields).
    """
    require(actor, Action.CHANGE, EscalationStep)
    if district.level != AreaLevel.DISTRICT:
        raise ValidationError(_("逾期处置阶梯按区设置。"))
    stored = {s.move: s for s in EscalationStep.objects.select_for_update().filter(district=district)}
    days: dict[str, int | None] = {
        move: _days_given(rungs[move]) if move in rungs else getattr(stored.get(move), "days_overdue", None)
        for move in LADDER_MOVES
    }
    errors: dict[str, str] = {}
    for move in LADDER_MOVES:
        given = days[move]
        if given is not None and given < 1:
            errors[f"{move}-days_overdue"] = _("逾期天数至少为 1 天。")
    escalate, enforce = days[MoveName.ESCALATE], days[MoveName.ENFORCE]
    if not errors and escalate is not None and enforce is not None and enforce <= escalate:
        errors[f"{MoveName.ENFORCE}-days_overdue"] = _(
            "转入执法的逾期天数（%(enforce)s）须大于提级联合处置的逾期天数（%(escalate)s）。"
        ) % {"enforce": enforce, "escalate": escalate}
    if errors:
        raise ValidationError(errors)
    saved: list[EscalationStep] = []
    for move in LADDER_MOVES:
        step = stored.get(move)
        if move not in rungs:
            if step is not None:
                saved.append(step)
            continue
        rung = rungs[move]
        if rung is None or days[move] is None:
            if step is not None:
                record_change(actor=actor, action=AuditAction.DELETE, obj=step, before=snapshot(step))
                step.delete()
            continue
        departments = list(rung.get("departments") or [])
        values: dict[str, Any] = {
            "days_overdue": days[move],
            "suggested_action": rung.get("suggested_action") or "",
            "departments": departments,
        }
        if step is None:
            step = EscalationStep(
                district=district,
                move=move,
                days_overdue=values["days_overdue"],
                suggested_action=values["suggested_action"],
            )
            step.full_clean(exclude=["district"])
            step.save()
            step.departments.set(departments)
            record_change(
                actor=actor,
                action=AuditAction.CREATE,
                obj=step,
                after={
                    **snapshot(step),
                    "departments": sorted(getattr(d, "pk", d) for d in departments),
                },
            )
        else:
            # A rung has no version: the ladder page and the API both send the whole rung.
            step = update_record(step, values, actor=actor, expected_version=None)
        saved.append(step)
    return saved


def _days_given(rung: Rung | None) -> int | None:
    return rung.get("days_overdue") if rung else None


def _rung_errors(exc: ValidationError) -> ValidationError:
    """The ladder's errors keyed by the rung's own fields (`days_overdue`), as the API names them."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        errors.setdefault(key.split("-", 1)[-1], []).extend(messages)
    return ValidationError(errors)


@transaction.atomic
def save_escalation_step(step: EscalationStep | None, data: dict[str, Any], *, actor: User) -> EscalationStep:
    """Add a rung to a district's ladder (`step` None) or change one (`data` holds the fields given),
    through `save_escalation_ladder`: the ladder page's rules and audit entries.

    A rung is its district's move: adding a move the ladder already has is refused (the model's unique
    rule and message); changing a rung's district or move takes it off there and puts it on the new one.
    """
    district: Area | None = data.get("district", step.district if step else None)
    move: str | None = data.get("move", step.move if step else None)
    # The API's serializer requires both to add a rung; a change keeps the rung's own.
    assert district is not None and move is not None
    rung: Rung = {
        "days_overdue": data.get("days_overdue", step.days_overdue if step else None),
        "suggested_action": data.get("suggested_action", step.suggested_action if step else ""),
        "departments": list(data["departments"])
        if "departments" in data
        else list(step.departments.all())
        if step
        else [],
    }
    if step is None or (step.district_id, step.move) != (district.pk, move):
        EscalationStep(district=district, move=move).validate_constraints()
    rungs: dict[str, Rung | None] = {move: rung}
    try:
        if step is not None and step.district_id != district.pk:
            save_escalation_ladder(step.district, {step.move: None}, actor=actor)
        elif step is not None and step.move != move:
            rungs[step.move] = None
        saved = save_escalation_ladder(district, rungs, actor=actor)
    except ValidationError as exc:
        raise _rung_errors(exc) from exc
    return next(s for s in saved if s.move == move)


@transaction.atomic
def remove_escalation_step(step: EscalationStep, *, actor: User) -> None:
    """Take a rung off its district's ladder (audited as a deletion)."""
    require(actor, Action.DELETE, EscalationStep)
    save_escalation_ladder(step.district, {step.move: None}, actor=actor)
