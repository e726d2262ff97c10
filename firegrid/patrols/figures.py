"""巡查覆盖 figures per area for one ISO week: buildings, buildings patrolled that week and not, the week's
scans, open findings, open fabrication flags. Every figure links to the list with the filters that count
it, so the list's count equals the figure (tested). Outcomes of areas only: nothing here counts anyone's
check-ins, and no area or person is ranked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from firegrid.areas.figures import GridRollup, figure_areas
from firegrid.areas.models import Area, User
from firegrid.core.filters import filtered_list_url
from firegrid.registry.models import Building

from .choices import FindingStatus, FlagStatus
from .coverage import patrolled_q, week_bounds, week_start
from .models import FabricationFlag, PatrolFinding, PatrolScan

COVERAGE_LIST = "patrols:coverage_buildings"
# Each figure → (the list, its filters besides the area). "week" is added where the figure is the week's.
DRILL_DOWNS: dict[str, tuple[str, dict[str, str], bool]] = {
    "buildings": (COVERAGE_LIST, {}, True),
    "patrolled": (COVERAGE_LIST, {"patrolled": "true"}, True),
    "not_patrolled": (COVERAGE_LIST, {"patrolled": "false"}, True),
    "scans": ("patrols:patrolscan_list", {}, True),
    "findings_open": ("patrols:patrolfinding_list", {"status": FindingStatus.OPEN}, False),
    "flags_open": ("patrols:fabricationflag_list", {"status": FlagStatus.OPEN}, False),
}


@dataclass
class FigureRow:
    area: Area
    week: dt.date  # the Monday
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def links(self) -> dict[str, str]:
        links = {}
        for key, (name, params, weekly) in DRILL_DOWNS.items():
            query = {"area": self.area.pk, **params, **({"week": self.week.isoformat()} if weekly else {})}
            links[key] = filtered_list_url(name, **query)
        return links

    @property
    def rate(self) -> int | None:
        """Percent of the area's buildings patrolled this week (None without buildings)."""
        buildings = self.figures.get("buildings", 0)
        return round(100 * self.figures.get("patrolled", 0) / buildings) if buildings else None


def figure_rows(user: User, area: Area | None = None, week_of: dt.date | None = None) -> list[FigureRow]:
    """The figures of `area` (or of the user's scope roots) first, then of each child area, for the ISO
    week holding `week_of` (default: this week). A fixed number of GROUP BY queries, one per kind."""
    day = week_of or timezone.localdate()
    monday = week_start(day)
    rows = [FigureRow(area=a, week=monday) for a in figure_areas(user, area)]
    if not rows:
        return []
    rollup = GridRollup(rows)
    start, end = week_bounds(day)

    buildings = (
        Building.objects.visible_to(user)
        .order_by()
        .values_list("grid_id")
        .annotate(n=Count("pk"), patrolled=Count("pk", filter=patrolled_q(day)))
    )
    rollup.add(buildings, ("buildings", "patrolled"))
    scans = (
        PatrolScan.objects.visible_to(user)
        .filter(scanned_at__gte=start, scanned_at__lt=end)
        .order_by()
        .values_list("building__grid_id")
        .annotate(n=Count("pk"))
    )
    rollup.add(scans, ("scans",))
    findings = (
        PatrolFinding.objects.visible_to(user)
        .open()
        .order_by()
        .values_list("building__grid_id")
        .annotate(n=Count("pk"))
    )
    rollup.add(findings, ("findings_open",))
    flags = (
        FabricationFlag.objects.visible_to(user)
        .open()
        .order_by()
        .values_list("grid_id")
        .annotate(n=Count("pk"))
    )
    rollup.add(flags, ("flags_open",))
    for row in rows:
        row.figures["not_patrolled"] = row.figures["buildings"] - row.figures["patrolled"]
    return rows
