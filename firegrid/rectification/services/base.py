"""What every rectification service shares: the locked plan, the deadline rule and the history row."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.permissions import Action
from firegrid.core.services import ConcurrentEditError, lock_in_scope
from firegrid.inspections.models import Inspection

from ..models import Plan, PlanMove

if TYPE_CHECKING:
    from firegrid.areas.models import User

# Deadline for a hazard whose checklist item names none (一般隐患 are usually given 15 days).
DEFAULT_DEADLINE_DAYS = 15


def _actor_name(actor: User | None) -> str:
    return str(actor) if actor is not None else _("系统")


def _locked(
    plan: Plan, actor: User | None, action: str | None = None, *, expected_version: int | None = None
) -> Plan:
    """The plan row, locked for this transaction, if the actor may act on it (and, with
    `expected_version`, if nobody has moved it on since the caller read it: else a concurrent-edit
    conflict).

    A landlord only views plans (the role table), yet makes the moves the machine grants them on their
    own plan: signing, asking for the recheck.
    """
    if actor is None:  # the scheduler
        current = Plan.objects.select_for_update().get(pk=plan.pk)
    else:
        if action is None:
            action = Action.VIEW if actor.role == Role.LANDLORD else Action.CHANGE
        current = lock_in_scope(plan, actor, action)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    return current


def _check_deadline(deadline: dt.date | None, plan: Plan | None = None, field: str = "deadline") -> None:
    if deadline is None:
        raise ValidationError({field: _("请填写整改期限。")})
    start = (plan.notified_on if plan and plan.notified_on else None) or timezone.localdate()
    if deadline < start:
        raise ValidationError(
            {
                field: _("整改期限 %(deadline)s 不能早于通知日期 %(start)s。")
                % {"deadline": deadline.isoformat(), "start": start.isoformat()}
            }
        )


def _history(
    plan: Plan,
    name: str,
    before_state: str,
    *,
    actor: User | None,
    reason: str = "",
    deadline: dt.date | None = None,
    inspection: Inspection | None = None,
) -> None:
    PlanMove.objects.create(
        plan=plan,
        name=name,
        from_state=before_state,
        to_state=plan.state,
        actor=actor,
        actor_name=_actor_name(actor),
        reason=reason[:500],
        deadline=deadline,
        inspection=inspection,
    )
