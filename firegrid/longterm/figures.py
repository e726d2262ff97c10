"""房东自查 figures per area for one period (shown on the 长效管理 page): premises that owe a
self-inspection, submitted, the rate, not submitted, recorded as missed, premises whose landlord has no
portal account (they cannot self-inspect, so they owe none), and the verification outcomes — drawn,
verified consistent, contradicted, awaiting verification.

Every count links to the list that counts it with the same filters (the owed list or the self-inspection
list), so the list's count equals the figure (tested); the rate is computed, not a link. Who owes is
`owed.py`'s one definition.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from firegrid.areas.figures import GridRollup, figure_areas
from firegrid.areas.models import Area, User
from firegrid.core.filters import filtered_list_url
from firegrid.registry.models import Premises

from .choices import OwedState, SelfInspectionStatus
from .models import SelfInspection
from .owed import state_q
from .selfcheck import period_of

OWED_LIST = "longterm:owed_list"
SELF_INSPECTION_LIST = "longterm:selfinspection_list"
# Each count → (the list, its filters); in the order the figures are shown.
DRILL_DOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "owed": (OWED_LIST, {}),
    "submitted": (SELF_INSPECTION_LIST, {}),
    "not_submitted": (OWED_LIST, {"state": OwedState.NOT_SUBMITTED}),
    "missed": (OWED_LIST, {"state": OwedState.MISSED}),
    "no_account": (OWED_LIST, {"state": OwedState.NO_ACCOUNT}),
    "drawn": (SELF_INSPECTION_LIST, {"drawn": "true"}),
    "verified": (SELF_INSPECTION_LIST, {"status": SelfInspectionStatus.VERIFIED}),
    "contradicted": (SELF_INSPECTION_LIST, {"status": SelfInspectionStatus.CONTRADICTED}),
    "awaiting": (SELF_INSPECTION_LIST, {"awaiting": "true"}),
}
PREMISES_FIGURES = ("owed", "submitted", "not_submitted", "missed", "no_account")
SELF_INSPECTION_FIGURES = ("drawn", "verified", "contradicted", "awaiting")


@dataclass
class FigureRow:
    area: Area
    period: dt.date
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def rate(self) -> float | None:
        """自查率: submitted of owed, in per cent with one decimal (None when nothing is owed)."""
        owed = self.figures.get("owed", 0)
        return round(100 * self.figures.get("submitted", 0) / owed, 1) if owed else None

    @property
    def links(self) -> dict[str, str]:
        month = f"{self.period:%Y-%m}"
        return {
            key: filtered_list_url(name, area=self.area.pk, period=month, **params)
            for key, (name, params) in DRILL_DOWNS.items()
        }


def figure_rows(user: User, area: Area | None = None, period: dt.date | None = None) -> list[FigureRow]:
    """The figures of `area` (or of the user's scope roots) first, then of each child area, for `period`
    (default: the current one)."""
    today = timezone.localdate()
    period = period_of(period or today)
    rows = [FigureRow(area=a, period=period) for a in figure_areas(user, area)]
    if not rows:
        return []
    rollup = GridRollup(rows)
    grid_ids = rollup.grid_ids
    premises_counts = (
        Premises.objects.visible_to(user)
        .filter(building__grid_id__in=grid_ids)
        .order_by()
        .values_list("building__grid_id")
        .annotate(
            **{
                key: Count("pk", filter=state_q(state, period, today))
                for key, state in (
                    ("owed", ""),
                    ("submitted", OwedState.SUBMITTED),
                    ("not_submitted", OwedState.NOT_SUBMITTED),
                    ("missed", OwedState.MISSED),
                    ("no_account", OwedState.NO_ACCOUNT),
                )
            }
        )
    )
    rollup.add(premises_counts, PREMISES_FIGURES)
    outcomes = (
        SelfInspection.objects.visible_to(user)
        .filter(period=period, premises__building__grid_id__in=grid_ids)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(
            drawn=Count("pk", filter=Q(draw__isnull=False)),
            verified=Count("pk", filter=Q(status=SelfInspectionStatus.VERIFIED)),
            contradicted=Count("pk", filter=Q(status=SelfInspectionStatus.CONTRADICTED)),
            awaiting=Count("pk", filter=Q(draw__isnull=False, status=SelfInspectionStatus.SUBMITTED)),
        )
    )
    rollup.add(outcomes, SELF_INSPECTION_FIGURES)
    return rows
