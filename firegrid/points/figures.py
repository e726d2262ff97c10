"""积分 figures per area for the 长效管理 page: landlords by points band (at or below the poor threshold,
between, at or above the good one) and the year's nominations. Every figure links to the list that
counts it with the same filters (房东积分 with area, year and band; 评选提名 with area and year), so the
list's count equals the figure (tested).

A landlord belongs to an area as the area roles see them (registered in one of its grids or owning a
premises there), so a landlord with premises in two communities counts in both; an area's figure is
therefore counted for that area, never summed from its children.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from firegrid.areas.figures import figure_areas
from firegrid.areas.models import Area, User
from firegrid.core.filters import filtered_list_url

from .choices import PointsBand
from .filters import landlords_in_area_q
from .models import Nomination
from .services import landlords_with_points

TOTALS = "points:landlord_totals"
NOMINATIONS = "points:nomination_list"
# Each figure → (the list, its filters besides area and year).
DRILL_DOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "landlords": (TOTALS, {}),
    "poor": (TOTALS, {"band": PointsBand.POOR}),
    "middle": (TOTALS, {"band": PointsBand.MIDDLE}),
    "good": (TOTALS, {"band": PointsBand.GOOD}),
    "nominated": (NOMINATIONS, {}),
}


@dataclass
class FigureRow:
    area: Area
    year: int
    figures: dict[str, int] = field(default_factory=dict)

    @property
    def links(self) -> dict[str, str]:
        return {
            key: filtered_list_url(name, area=self.area.pk, year=self.year, **params)
            for key, (name, params) in DRILL_DOWNS.items()
        }


def figure_rows(user: User, area: Area | None = None, year: int | None = None) -> list[FigureRow]:
    """The figures of `area` (or of the user's scope roots) first, then of each child area, for `year`
    (this year by default)."""
    year = year or timezone.localdate().year
    places = figure_areas(user, area)
    if not places:
        return []
    landlords = landlords_with_points(user, year)
    nominations = Nomination.objects.visible_to(user).filter(evaluation__year=year)
    rows = []
    for place in places:
        inside = landlords.filter(landlords_in_area_q(place))
        counts = inside.aggregate(
            landlords=Count("pk"),
            poor=Count("pk", filter=Q(band=PointsBand.POOR)),
            middle=Count("pk", filter=Q(band=PointsBand.MIDDLE)),
            good=Count("pk", filter=Q(band=PointsBand.GOOD)),
        )
        counts["nominated"] = nominations.filter(
            landlord__in=landlords.model.objects.filter(landlords_in_area_q(place))
        ).count()
        rows.append(FigureRow(area=place, year=year, figures={k: int(v or 0) for k, v in counts.items()}))
    return rows
