"""Every move of a plan's state machine, the one dispatcher the web pages and the API call
(`make_move`), and inspections concluding rechecks and acceptances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction
from firegrid.core.services import record_change, snapshot
from firegrid.core.tables import enumerate_items
from firegrid.inspections.choices import CLOSED_STATUSES, HazardStatus, InspectionKind, InspectionStatus
from firegrid.inspections.models import Hazard, Inspection

from .. import documents, move_reasons
from ..choices import DocumentKind, MoveName, PlanState
from ..machine import check_move
from ..models import Plan
from ..signals import plan_moved
from .base import DEFAULT_DEADLINE_DAYS, _check_deadline, _history, _locked
from .plans import add_hazards, start_hazards

if TYPE_CHECKING:
    from firegrid.areas.models import Department, User


def _move(
    plan: Plan,
    name: MoveName,
    *,
    actor: User | None,
    reason: str = "",
    deadline: dt.date | None = None,
    inspection: Inspection | None = None,
    expected_version: int | None = None,
) -> tuple[Plan, str]:
    """Lock the plan, check the move against the table, apply it and write its history row.

    Two people acting at once: the second waits for the first's lock, then finds the plan moved on —
    a clear error naming the new state (or, with `expected_version`, a concurrent-edit conflict).
    """
    current = _locked(plan, actor, expected_version=expected_version)
    move = check_move(name, current.state, actor)
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise ValidationError({"reason": _("%(move)s需要填写原因。") % {"move": move.name.label}})
    if move.needs_deadline:
        _check_deadline(deadline, current)
    before_state, before = current.state, snapshot(current)
    current.state = move.target
    if deadline is not None:
        current.deadline = deadline
    current.version += 1
    current.save()
    _history(
        current, name, before_state, actor=actor, reason=reason, deadline=deadline, inspection=inspection
    )
    plan_moved.send(sender=Plan, plan=current, move=MoveName(name), actor=actor)
    record_change(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        before=before,
        after=snapshot(current),
        reason=reason or str(move.name.label),
    )
    return current, before_state


@transaction.atomic
def notify_plan(plan: Plan, *, actor: User, order: bool = False, expected_version: int | None = None) -> Plan:
    """Serve the notice (隐患整改通知书, or 责令限期改正通知书 with `order`): the plan's hazards go into
    rectification and the notice is issued with its serial number."""
    plan, _state = _move(plan, MoveName.NOTIFY, actor=actor, expected_version=expected_version)
    plan.notified_on = timezone.localdate()
    _check_deadline(plan.deadline, plan)
    plan.save(update_fields=["notified_on", "updated_at"])
    start_hazards(
        Hazard.objects.filter(plan_items__plan=plan), actor=actor, reason=str(MoveName.NOTIFY.label)
    )
    documents.issue(plan, DocumentKind.ORDER if order else DocumentKind.NOTICE, actor=actor)
    return plan


@transaction.atomic
def start_rectification(
    plan: Plan, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Plan:
    plan, _state = _move(plan, MoveName.START, actor=actor, reason=reason, expected_version=expected_version)
    return plan


@transaction.atomic
def request_recheck(
    plan: Plan, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Plan:
    plan, _state = _move(
        plan, MoveName.REQUEST_RECHECK, actor=actor, reason=reason, expected_version=expected_version
    )
    return plan


def _plan_hazards_closed(plan: Plan) -> bool:
    return not plan.items.exclude(hazard__status__in=CLOSED_STATUSES).exists()


@transaction.atomic
def accept_plan(
    plan: Plan, inspection: Inspection, *, actor: User, expected_version: int | None = None
) -> Plan:
    """Close the plan on an acceptance inspection that found every hazard of the plan removed."""
    if inspection.kind != InspectionKind.ACCEPTANCE or inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError({"inspection": _("只有已提交的验收检查才能验收方案。")})
    if inspection.premises_id != plan.premises_id:
        raise ValidationError({"inspection": _("验收检查不是针对该出租户的。")})
    locked = _locked(plan, actor, expected_version=expected_version)
    check_move(MoveName.ACCEPT, locked.state, actor)
    if not _plan_hazards_closed(locked):
        open_codes = locked.items.exclude(hazard__status__in=CLOSED_STATUSES).values_list(
            "hazard__item__code", flat=True
        )
        raise ValidationError(
            _("还有隐患未通过验收：%(codes)s。") % {"codes": enumerate_items(sorted(open_codes))}
        )
    plan, _state = _move(locked, MoveName.ACCEPT, actor=actor, inspection=inspection)
    plan.closed_at = timezone.now()
    plan.save(update_fields=["closed_at", "updated_at"])
    documents.issue(plan, DocumentKind.ACCEPTANCE, actor=actor, inspection=inspection)
    return plan


def _move_to_deadline(
    plan: Plan,
    name: MoveName,
    *,
    actor: User,
    deadline: dt.date | None,
    reason: str,
    inspection: Inspection | None = None,
    expected_version: int | None = None,
) -> Plan:
    """A move that sets a new deadline: the plan's hazards not yet removed (or voided) take it too; the
    others keep the deadline they were closed under. A missing deadline is refused by the move (the
    machine says the move needs one), as a per-field error."""
    plan, _state = _move(
        plan,
        name,
        actor=actor,
        reason=reason,
        deadline=deadline,
        inspection=inspection,
        expected_version=expected_version,
    )
    plan.items.exclude(hazard__status__in=CLOSED_STATUSES).update(deadline=deadline)
    return plan


@transaction.atomic
def fail_recheck(
    plan: Plan,
    *,
    actor: User,
    deadline: dt.date | None,
    reason: str,
    inspection: Inspection | None = None,
    expected_version: int | None = None,
) -> Plan:
    """A recheck found hazards not fixed: back to rectifying with a new deadline."""
    return _move_to_deadline(
        plan,
        MoveName.FAIL_RECHECK,
        actor=actor,
        reason=reason,
        deadline=deadline,
        inspection=inspection,
        expected_version=expected_version,
    )


@transaction.atomic
def extend_plan(
    plan: Plan, *, actor: User, deadline: dt.date | None, reason: str, expected_version: int | None = None
) -> Plan:
    return _move_to_deadline(
        plan,
        MoveName.EXTEND,
        actor=actor,
        reason=reason,
        deadline=deadline,
        expected_version=expected_version,
    )


@transaction.atomic
def escalate_plan(
    plan: Plan,
    *,
    actor: User,
    reason: str,
    departments: Iterable[Department] = (),
    expected_version: int | None = None,
) -> Plan:
    """Hand an overdue plan to a joint team of departments (联合处置)."""
    plan, _state = _move(
        plan, MoveName.ESCALATE, actor=actor, reason=reason, expected_version=expected_version
    )
    if departments:
        plan.escalated_to.add(*departments)
    return plan


@transaction.atomic
def enforce_plan(plan: Plan, *, actor: User, reason: str, expected_version: int | None = None) -> Plan:
    """Move an escalated plan into enforcement by decision (recording a sanction does it as well)."""
    plan, _state = _move(
        plan, MoveName.ENFORCE, actor=actor, reason=reason, expected_version=expected_version
    )
    return plan


@transaction.atomic
def resume_plan(
    plan: Plan, *, actor: User, deadline: dt.date | None, reason: str, expected_version: int | None = None
) -> Plan:
    return _move_to_deadline(
        plan,
        MoveName.RESUME,
        actor=actor,
        reason=reason,
        deadline=deadline,
        expected_version=expected_version,
    )


@transaction.atomic
def cancel_plan(plan: Plan, *, actor: User, reason: str, expected_version: int | None = None) -> Plan:
    """Cancel a plan whose premises was demolished or is no longer let; the reason is required."""
    plan, _state = _move(plan, MoveName.CANCEL, actor=actor, reason=reason, expected_version=expected_version)
    plan.cancel_reason, plan.closed_at = reason.strip()[:200], timezone.now()
    plan.save(update_fields=["cancel_reason", "closed_at", "updated_at"])
    return plan


# --- the one dispatcher ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveRequest:
    """What a person asks a move with (the plan page's move form, `POST plans/{id}/moves/`)."""

    actor: User
    reason: str = ""
    deadline: dt.date | None = None
    expected_version: int | None = None
    departments: Iterable[Department] = ()
    order: bool = False
    inspection: Inspection | None = None


def _accept(plan: Plan, r: MoveRequest) -> Plan:
    locked = _locked(plan, r.actor, expected_version=r.expected_version)
    # The state is judged first: "not now" says more than "which inspection?".
    check_move(MoveName.ACCEPT, locked.state, r.actor)
    if r.inspection is None:
        raise ValidationError({"inspection": _("验收需要指定一次已提交的验收检查。")})
    return accept_plan(locked, r.inspection, actor=r.actor, expected_version=r.expected_version)


# The service of each move in the machine's table (`machine.MOVES`) that a person asks for (a test keeps
# the two in step). Marking a plan overdue is the nightly run's (`mark_overdue`, which checks that the
# deadline has passed), never a request.
MOVE_SERVICES: dict[MoveName, Callable[[Plan, MoveRequest], Plan]] = {
    MoveName.NOTIFY: lambda plan, r: notify_plan(
        plan, actor=r.actor, order=r.order, expected_version=r.expected_version
    ),
    MoveName.START: lambda plan, r: start_rectification(
        plan, actor=r.actor, reason=r.reason, expected_version=r.expected_version
    ),
    MoveName.REQUEST_RECHECK: lambda plan, r: request_recheck(
        plan, actor=r.actor, reason=r.reason, expected_version=r.expected_version
    ),
    MoveName.FAIL_RECHECK: lambda plan, r: fail_recheck(
        plan,
        actor=r.actor,
        deadline=r.deadline,
        reason=r.reason,
        inspection=r.inspection,
        expected_version=r.expected_version,
    ),
    MoveName.ACCEPT: _accept,
    MoveName.EXTEND: lambda plan, r: extend_plan(
        plan, actor=r.actor, deadline=r.deadline, reason=r.reason, expected_version=r.expected_version
    ),
    MoveName.ESCALATE: lambda plan, r: escalate_plan(
        plan,
        actor=r.actor,
        reason=r.reason,
        departments=r.departments,
        expected_version=r.expected_version,
    ),
    MoveName.ENFORCE: lambda plan, r: enforce_plan(
        plan, actor=r.actor, reason=r.reason, expected_version=r.expected_version
    ),
    MoveName.RESUME: lambda plan, r: resume_plan(
        plan, actor=r.actor, deadline=r.deadline, reason=r.reason, expected_version=r.expected_version
    ),
    MoveName.CANCEL: lambda plan, r: cancel_plan(
        plan, actor=r.actor, reason=r.reason, expected_version=r.expected_version
    ),
}


@transaction.atomic
def make_move(
    plan: Plan,
    move_name: MoveName | str,
    *,
    actor: User,
    reason: str | None = None,
    deadline: dt.date | None = None,
    expected_version: int | None = None,
    departments: Iterable[Department] = (),
    order: bool = False,
    inspection: Inspection | None = None,
) -> Plan:
    """Make the named move with what the request carries: the one way the plan page and the API move
    a plan. `expected_version` (the version the page or client read) is compared under the plan's row
    lock: a plan moved on meanwhile is a `ConcurrentEditError`; a move the state does not allow is an
    `IllegalMove` naming the state and what it allows."""
    service = MOVE_SERVICES.get(MoveName(move_name)) if move_name in MoveName.values else None
    if service is None:
        raise ValidationError({"move": _("不支持的操作。")})
    request = MoveRequest(
        actor=actor,
        reason=reason or "",
        deadline=deadline,
        expected_version=expected_version,
        departments=departments or (),
        order=order,
        inspection=inspection,
    )
    return service(plan, request)


# --- inspections conclude rechecks ------------------------------------------------------------------------


def conclude_inspection(inspection: Inspection, *, actor: User) -> Plan | None:
    """Apply a submitted recheck or acceptance inspection to the premises' open plan.

    An acceptance that finds every hazard removed accepts the plan; a recheck or acceptance that finds
    a hazard still there sends it back to rectifying with a new deadline. New hazards found at the
    premises join its open plan. Called after every inspection submit (see `receivers`).
    """
    if inspection.premises_id is None or inspection.status != InspectionStatus.SUBMITTED:
        return None
    plan = Plan.objects.open().filter(premises_id=inspection.premises_id).order_by("-pk").first()
    if plan is None:
        return None
    found = list(Hazard.objects.filter(inspection=inspection, status=HazardStatus.OPEN))
    if found:
        add_hazards(plan, found, actor=None)
    if inspection.kind not in (InspectionKind.RECHECK, InspectionKind.ACCEPTANCE):
        return plan
    if plan.state not in (PlanState.RECHECK_REQUESTED, PlanState.ENFORCEMENT):
        return plan
    if inspection.kind == InspectionKind.ACCEPTANCE and _plan_hazards_closed(plan):
        return accept_plan(plan, inspection, actor=actor)
    failed = plan.items.filter(
        hazard__status__in=[HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION]
    ).select_related("hazard__item")
    if failed.exists():
        days = min(i.hazard.item.default_deadline_days or DEFAULT_DEADLINE_DAYS for i in failed)
        codes = enumerate_items(sorted({i.hazard.item.code for i in failed}))
        return fail_recheck(
            plan,
            actor=actor,
            deadline=timezone.localdate() + dt.timedelta(days=days),
            reason=move_reasons.written(move_reasons.RECHECK_FAILED, codes=codes),
            inspection=inspection,
        )
    return plan
