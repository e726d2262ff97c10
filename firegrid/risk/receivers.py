"""A premises' grade follows its inputs: a submitted inspection, a plan move and a tenant household
moving in or out (people per room) grade it again.

The signals are sent inside the sender's transaction, and a receiver that raises would roll the
inspection or the move back. Grading is not something they must fail with:

- a submitted inspection grades its premises **inside** that transaction, in a savepoint whose error is
  logged and rolled back alone. The grade's `next_due` is the work queue's stored fact (an indexed
  predicate, `longterm.queue`): when the inspection commits, the premises has left every queue;
- a plan move or a tenant move grades once the transaction is committed (`on_commit`).

The nightly job catches anything missed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from firegrid.inspections.signals import inspection_submitted
from firegrid.rectification.signals import plan_moved
from firegrid.registry.signals import tenant_moved

from . import services
from .choices import GradeCause

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection
    from firegrid.rectification.choices import MoveName
    from firegrid.rectification.models import Plan
    from firegrid.registry.models import TenantHousehold


@receiver(inspection_submitted, dispatch_uid="risk.grade_after_inspection")
def grade_after_inspection(
    sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any
) -> None:
    # A building-level inspection (no premises) finds nothing the rules read per premises.
    if inspection.premises_id is None:
        return
    try:
        with transaction.atomic():
            services.recompute_grades(
                [inspection.premises_id], cause=GradeCause.INSPECTION, now=timezone.now()
            )
    except Exception:
        # The inspection stands; its premises stays in the queue until the nightly job grades it.
        log.exception("grading premises %s after inspection %s failed", inspection.premises_id, inspection.pk)


@receiver(plan_moved, dispatch_uid="risk.grade_after_plan_move")
def grade_after_plan_move(
    sender: type[Plan], plan: Plan, move: MoveName, actor: User | None, **kwargs: Any
) -> None:
    services.grade_after_commit([plan.premises_id], GradeCause.PLAN_MOVE)


@receiver(tenant_moved, dispatch_uid="risk.grade_after_tenant_move")
def grade_after_tenant_move(
    sender: type[TenantHousehold], household: TenantHousehold, move: str, actor: User, **kwargs: Any
) -> None:
    services.grade_after_commit([household.premises_id], GradeCause.TENANT_MOVE)
