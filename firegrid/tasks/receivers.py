"""Stuck plans escalate to a joint team: an escalated rectification plan opens a joint-team task.

The escalation services add the plan's departments (`Plan.escalated_to`) after the move itself, so the
departments reach the task through `m2m_changed`, inside the same transaction.
"""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import Plan, PlanMove
from firegrid.rectification.signals import plan_moved

from . import services


@receiver(plan_moved, dispatch_uid="tasks.joint_team_for_escalated_plan")
def joint_team_for_escalated_plan(sender, plan, move, actor, **kwargs):
    if move != MoveName.ESCALATE:
        return
    last = PlanMove.objects.filter(plan=plan, name=MoveName.ESCALATE).order_by("-time", "-id").first()
    services.open_joint_team_task(plan, actor=actor, reason=last.reason if last else "")


@receiver(m2m_changed, sender=Plan.escalated_to.through, dispatch_uid="tasks.joint_team_departments")
def joint_team_departments(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "post_add" and not reverse and isinstance(instance, Plan):
        services.add_joint_team_departments(instance, pk_set or ())
