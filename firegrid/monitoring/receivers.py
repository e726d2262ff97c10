"""What monitoring does when others move (connected from `MonitoringConfig.ready()`):

- an alert case closed (`alert_case_closed`, inside its transaction): its premises is graded again once
  the closing commits — an outcome that found something counts in the grade for a year (risk_hooks.py);
- an inspection submitted (`inspection_submitted`, inside its transaction): a covering inspection of a
  premises follows up its cases that waited for one (报警后待检查, `followup.py`): each records the
  inspection and leaves the work queue with it. The hazards are the inspection's own failed items.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists
from django.dispatch import receiver
from django.utils.translation import gettext

from firegrid.core.services import save_update, snapshot
from firegrid.inspections.signals import inspection_submitted
from firegrid.risk.choices import GradeCause
from firegrid.risk.services import grade_after_commit

from .followup import follow_up_q, following_inspections
from .models import AlertCase
from .signals import alert_case_closed

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection


@receiver(alert_case_closed, dispatch_uid="monitoring.grade_after_case_closed")
def grade_after_case_closed(sender: type[AlertCase], case: AlertCase, actor: User, **kwargs: Any) -> None:
    grade_after_commit([case.premises_id], GradeCause.ALARM)


@receiver(inspection_submitted, dispatch_uid="monitoring.follow_up_cases")
def follow_up_cases(sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any) -> None:
    if inspection.premises_id is None:
        return
    waiting = list(
        AlertCase.objects.select_for_update()
        .filter(follow_up_q(), premises_id=inspection.premises_id)
        .filter(Exists(following_inspections().filter(pk=inspection.pk)))
        .order_by("pk")
    )
    for case in waiting:
        before = snapshot(case)
        case.followed_up_by = inspection
        save_update(case, before, actor=actor, reason=gettext("报警后跟进检查已提交"))
