"""Stuck plans escalate to a joint team: an escalated rectification plan opens a joint-team task.

The escalation services add the plan's departments (`Plan.escalated_to`) after the move itself, so the
departments reach the task through `m2m_changed`, inside the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import Plan, PlanMove
from firegrid.rectification.signals import plan_moved

from . import services

if TYPE_CHECKING:
    from firegrid.areas.models import User


@receiver(plan_moved, dispatch_uid="tasks.joint_team_for_escalated_plan")
def joint_team_for_escalated_plan(
    sender: type[Plan], plan: Plan, move: MoveName, actor: User | None, **kwargs: Any
) -> None:
    if move != MoveName.ESCALATE:
        return
    last = PlanMove.objects.filter(plan=plan, name=MoveName.ESCALATE).order_by("-time", "-id").first()
    services.open_joint_team_task(plan, actor=actor, reason=last.reason if last else "")


@receiver(m2m_changed, sender=Plan.escalated_to.through, dispatch_uid="tasks.joint_team_departments")
def joint_team_departments(
    sender: type[Any], instance: object, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action == "post_add" and not reverse and isinstance(instance, Plan):
        services.add_joint_team_departments(instance, pk_set or ())
