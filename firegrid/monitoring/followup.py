"""The work queue's source of alarms, two kinds, registered from `MonitoringConfig.ready()`:

- 报警待核查 (`ALARM`): a premises with an alert case waiting for a visit (open or acknowledged) is in the
  grid workers' queue (今日任务) until someone records the visit or closes the case;
- 报警后待检查 (`ALARM_FOLLOW_UP`): a case closed with an outcome that found something
  (`FOLLOW_UP_OUTCOMES`: e-bike charging indoors, an electrical fault, a real fire) keeps the premises in
  the queue until a covering inspection of it is submitted (receivers.py records it on the case). Hazards
  are that inspection's failed items — the normal inspection path, with its deadlines and plans.

Each kind's candidate set is a one-column queryset of premises ids read from a partial index over the owed
cases only (`alertcase_awaiting_premises`, `alertcase_follow_up_premises`), not a correlated EXISTS per
premises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.inspections.choices import COVERING_OUTCOMES, InspectionKind, InspectionStatus
from firegrid.inspections.models import Inspection
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import QueueEntry, QueueSource

from .choices import AWAITING_VISIT_STATES, FOLLOW_UP_OUTCOMES, CaseState
from .models import AlertCase

if TYPE_CHECKING:
    from firegrid.areas.models import User


def awaiting_premises_ids() -> QuerySet[Any]:
    """The premises ids of cases waiting for a visit (an index-only read of the partial index)."""
    return AlertCase.objects.filter(state__in=AWAITING_VISIT_STATES).order_by().values("premises_id")


def follow_up_q() -> Q:
    """Cases closed with an outcome that found something and no inspection of the premises since."""
    return Q(state=CaseState.CLOSED, outcome__in=FOLLOW_UP_OUTCOMES, followed_up_by=None)


def following_inspections(inspection_model: Any = None) -> QuerySet[Any]:
    """The covering inspections that follow up a case (an OuterRef to it): of its premises, submitted at or
    after its closing. The one rule, for the receiver (one inspection) and the bulk fill."""
    model: Any = inspection_model or Inspection
    return model.objects.filter(
        premises_id=OuterRef("premises_id"),
        status=InspectionStatus.SUBMITTED,
        outcome__in=COVERING_OUTCOMES,
        submitted_at__gte=OuterRef("closed_at"),
    )


def fill_follow_ups(case_model: Any = None, inspection_model: Any = None) -> int:
    """Every case waiting for a follow-up that an inspection already submitted answers gets the earliest
    such inspection: one UPDATE, for loads that write cases and inspections directly (the demo) and the
    migration that added the field. The historical models when called from a migration."""
    later = following_inspections(inspection_model)
    cases: Any = case_model or AlertCase
    waiting = cases.objects.filter(follow_up_q()).filter(Exists(later))
    return int(waiting.update(followed_up_by=Subquery(later.order_by("submitted_at", "pk").values("pk")[:1])))


def _candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield QueueKind.ALARM, awaiting_premises_ids()
    yield QueueKind.ALARM_FOLLOW_UP, AlertCase.objects.filter(follow_up_q()).order_by().values("premises_id")


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
    yield from _follow_up_entries(today, premises_ids)


def _follow_up_entries(today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    latest: dict[int, AlertCase] = {}
    for case in AlertCase.objects.filter(follow_up_q(), premises_id__in=premises_ids).order_by(
        "premises_id", "-closed_at", "-pk"
    ):
        latest.setdefault(case.premises_id, case)
    for premises_id, case in latest.items():
        closed = timezone.localtime(case.closed_at)
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.ALARM_FOLLOW_UP,
            inspection_kind=InspectionKind.PATROL,
            reason=_("报警核查为%(outcome)s（%(when)s），请上门检查")
            % {
                "outcome": case.get_outcome_display(),
                "when": f"{closed:%m-%d}",
            },
            days_overdue=max(0, (today - closed.date()).days),
            link=reverse("monitoring:alertcase_detail", args=[case.pk]),
        )


ALARM_SOURCE = QueueSource("alarms", _candidates, _entries)
