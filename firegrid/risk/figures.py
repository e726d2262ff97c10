"""长效管理 figures per area: the grade distribution, re-inspections due today, overdue and due this week,
premises never inspected, grades that got worse or better in the last 30 days. Every figure links to the
due list (the changes: the grade change list) with the filters that count it, so the
list's count equals the figure (tested).
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

from .choices import CHANGE_WINDOW_DAYS, DUE_SOON_DAYS, DueState, GradeDirection, RiskGrade
from .models import GradeChange, PremisesGrade

LIST = "risk:premisesgrade_list"
CHANGES = "risk:gradechange_list"
# Each figure → the due list's filters that count it.
DRILL_DOWNS: dict[str, dict[str, str]] = {
    "graded": {},
    "red": {"grade": RiskGrade.RED},
    "yellow": {"grade": RiskGrade.YELLOW},
    "green": {"grade": RiskGrade.GREEN},
    "overdue": {"due": DueState.OVERDUE},
    "today": {"due": DueState.TODAY},
    "week": {"due": DueState.WEEK},
    "never": {"inspected": "false"},
}
# Grade changes in the window (CHANGE_WINDOW_DAYS) → the change list's filters that count them.
CHANGE_DRILL_DOWNS: dict[str, dict[str, str | int]] = {
    "worse": {"direction": GradeDirection.WORSE, "days": CHANGE_WINDOW_DAYS},
    "better": {"direction": GradeDirection.BETTER, "days": CHANGE_WINDOW_DAYS},
}


@dataclass
class FigureRow:
    area: Area
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def links(self) -> dict[str, str]:
        links = {
            key: filtered_list_url(LIST, area=self.area.pk, **params) for key, params in DRILL_DOWNS.items()
        }
        for key, params in CHANGE_DRILL_DOWNS.items():
            links[key] = filtered_list_url(CHANGES, area=self.area.pk, **params)
        return links


def figure_rows(user: User, area: Area | None = None, on: dt.date | None = None) -> list[FigureRow]:
    """The figures of `area` (or of the user's scope roots) first, then of each child area."""
    on = on or timezone.localdate()
    rows = [FigureRow(area=a) for a in figure_areas(user, area)]
    if not rows:
        return []
    rollup = GridRollup(rows)
    rollup.add(
        PremisesGrade.objects.visible_to(user)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(
            graded=Count("pk"),
            red=Count("pk", filter=Q(grade=RiskGrade.RED)),
            yellow=Count("pk", filter=Q(grade=RiskGrade.YELLOW)),
            green=Count("pk", filter=Q(grade=RiskGrade.GREEN)),
            overdue=Count("pk", filter=Q(next_due__lt=on)),
            today=Count("pk", filter=Q(next_due=on)),
            week=Count("pk", filter=Q(next_due__gt=on, next_due__lte=on + dt.timedelta(days=DUE_SOON_DAYS))),
            never=Count("pk", filter=Q(last_covering_inspection_at__isnull=True)),
        ),
        list(DRILL_DOWNS),
    )
    rollup.add(
        GradeChange.objects.visible_to(user)
        .within_days(CHANGE_WINDOW_DAYS, on)
        .order_by()
        .values_list("premises__building__grid_id")
        .annotate(
            worse=Count("pk", filter=GradeDirection.q(GradeDirection.WORSE)),
            better=Count("pk", filter=GradeDirection.q(GradeDirection.BETTER)),
        ),
        list(CHANGE_DRILL_DOWNS),
    )
    return rows
