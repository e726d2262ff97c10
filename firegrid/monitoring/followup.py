"""The work queue's source of alarms (报警待核查): a premises with an alert case waiting for a visit
(open or acknowledged) is in the grid workers' queue (今日任务) until someone records the visit or
closes the case. Registered from `MonitoringConfig.ready()`.

The kind's candidate set is a one-column queryset of premises ids read from the partial index
`alertcase_awaiting_premises` (the cases waiting for a visit only), not a correlated EXISTS per premises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.inspections.choices import InspectionKind
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import QueueEntry, QueueSource

from .choices import AWAITING_VISIT_STATES
from .models import AlertCase

if TYPE_CHECKING:
    from firegrid.areas.models import User


def awaiting_premises_ids() -> QuerySet[Any]:
    """The premises ids of cases waiting for a visit (an index-only read of the partial index)."""
    return AlertCase.objects.filter(state__in=AWAITING_VISIT_STATES).order_by().values("premises_id")


def _candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield QueueKind.ALARM, awaiting_premises_ids()


def _entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    # The premises ids are the page's, already read through Premises.visible_to(user).
    cases = AlertCase.objects.filter(premises_id__in=premises_ids, state__in=AWAITING_VISIT_STATES).order_by(
        "premises_id", "opened_at", "pk"
    )
    first: dict[int, AlertCase] = {}
    count: dict[int, int] = {}
    for case in cases:
        first.setdefault(case.premises_id, case)
        count[case.premises_id] = count.get(case.premises_id, 0) + 1
    for premises_id, case in first.items():
        when = timezone.localtime(case.opened_at)
        reason = _("%(kind)s报警（%(when)s，%(n)s 次）：%(state)s") % {
            "kind": case.get_kind_display(),
            "when": f"{when:%m-%d %H:%M}",
            "n": case.alarm_count,
            "state": case.get_state_display(),
        }
        if count[premises_id] > 1:
            reason += _("；另有 %(n)s 起报警") % {"n": count[premises_id] - 1}
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.ALARM,
            inspection_kind=InspectionKind.PATROL,
            reason=reason,
            days_overdue=max(0, (today - when.date()).days),
            link=reverse("monitoring:alertcase_detail", args=[case.pk]),
        )


ALARM_SOURCE = QueueSource("alarms", _candidates, _entries)
