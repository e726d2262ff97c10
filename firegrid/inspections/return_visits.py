"""Return visits (回访) answered by a later visit: the one rule that sets `Inspection.answered_at`.

The submit service answers the premises' owed return visits as it submits a visit (same transaction).
Loads that write visits directly — the demo's replay and long-term phase, the benchmarks' loaders — and the
migration that introduced the field call `answer_return_visits` once afterwards: one UPDATE.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from .choices import InspectionStatus


def _inspection_model() -> Any:
    from .models import Inspection

    return Inspection


def answer_on_submit(inspection: Any, now: dt.datetime) -> int:
    """A visit of a premises was just submitted: its earlier return visits still owed are answered."""
    if inspection.premises_id is None:
        return 0
    model = type(inspection)
    return int(
        model.objects.filter(
            premises_id=inspection.premises_id,
            status=InspectionStatus.SUBMITTED,
            return_visit_due__isnull=False,
            answered_at__isnull=True,
            submitted_at__lt=now,
        )
        .exclude(pk=inspection.pk)
        .update(answered_at=now)
    )


def answer_return_visits(model: Any = None) -> int:
    """Answer every owed return visit that a later submitted visit of its premises answers (the earliest
    such visit's time). `model`: the historical model, from a migration."""
    model = model or _inspection_model()
    later = model.objects.filter(
        premises_id=OuterRef("premises_id"),
        status=InspectionStatus.SUBMITTED,
        submitted_at__gt=OuterRef("submitted_at"),
    )
    owed = model.objects.filter(
        status=InspectionStatus.SUBMITTED,
        return_visit_due__isnull=False,
        answered_at__isnull=True,
        premises_id__isnull=False,
    )
    return int(
        owed.filter(Exists(later)).update(
            answered_at=Subquery(later.order_by("submitted_at").values("submitted_at")[:1])
        )
    )
