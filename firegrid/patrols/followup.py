"""The work queue's source of patrol findings (巡查发现待处理): a premises with an open finding is in the
grid workers' queue (今日任务) until an inspection covers it (`services.follow_up_findings`, run when the
inspection is submitted) or an area role closes the finding. Registered from `PatrolsConfig.ready()`.

A building-wide finding (no premises) has no queue item — the queue lists premises — and waits on the
findings list (`patrols:patrolfinding_list?status=open`) instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from firegrid.inspections.choices import InspectionKind
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import QueueEntry, QueueSource

from .choices import FindingStatus
from .models import PatrolFinding

if TYPE_CHECKING:
    from firegrid.areas.models import User


def _candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    open_findings = PatrolFinding.objects.filter(status=FindingStatus.OPEN, premises__isnull=False)
    yield QueueKind.PATROL_FINDING, open_findings.values("premises_id")


def _entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    # The premises ids are the page's, already read through Premises.visible_to(user): the findings of an
    # in-scope premises are the worker's to follow up, whichever patrol (a neighbouring grid's, a
    # community team's) reported them.
    waiting: dict[int, list[PatrolFinding]] = defaultdict(list)
    rows = PatrolFinding.objects.filter(premises_id__in=premises_ids, status=FindingStatus.OPEN).order_by(
        "premises_id", "reported_at", "pk"
    )
    for finding in rows:
        assert finding.premises_id is not None  # by the filter
        waiting[finding.premises_id].append(finding)
    for premises_id, findings in waiting.items():
        first = findings[0]
        reported = timezone.localdate(first.reported_at)
        note = Truncator(first.note).chars(40)
        if len(findings) == 1:
            reason = _("巡查发现（%(date)s）：%(note)s") % {"date": f"{reported:%Y-%m-%d}", "note": note}
        else:
            reason = _("巡查发现 %(n)s 条（最早 %(date)s）：%(note)s") % {
                "n": len(findings),
                "date": f"{reported:%Y-%m-%d}",
                "note": note,
            }
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.PATROL_FINDING,
            inspection_kind=InspectionKind.PATROL,
            reason=reason,
            days_overdue=max(0, (today - reported).days),
        )


PATROL_FINDING_SOURCE = QueueSource("patrol_findings", _candidates, _entries)
