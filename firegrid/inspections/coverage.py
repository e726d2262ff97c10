"""Survey coverage (社不漏户、户不漏房、房不漏间): what has been visited, per area.

A premises is covered once a submitted inspection of it ended with a covering outcome (inspected, or a
final reason such as vacant or demolished); locked, not found and renovating are owed a return visit.
A building is surveyed when it has premises and all of them are covered; a room is inspected when a
submitted inspection with the outcome "inspected" lists it. Every figure here has a drill-down URL whose
list counts the same rows, through the filters below (used by the registry FilterSets).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.registry.models import Building, Premises, Room

from .choices import COVERING_OUTCOMES, InspectionStatus, VisitOutcome
from .models import Inspection


def covering_inspections():
    return Inspection.objects.filter(status=InspectionStatus.SUBMITTED, outcome__in=COVERING_OUTCOMES)


def covered_premises_ids():
    """Ids of covered premises, as a subquery."""
    return covering_inspections().filter(premises__isnull=False).values("premises_id")


def premises_covered_q(prefix: str = "") -> Q:
    return Q(Exists(covering_inspections().filter(premises=OuterRef(f"{prefix}pk"))))


def premises_visited_q() -> Q:
    return Q(Exists(Inspection.objects.filter(premises=OuterRef("pk"), status=InspectionStatus.SUBMITTED)))


def building_surveyed_q() -> Q:
    """Has premises, and none of them uncovered."""
    has_premises = Exists(Premises.objects.filter(building=OuterRef("pk")))
    uncovered = Exists(Premises.objects.filter(building=OuterRef("pk")).exclude(premises_covered_q()))
    return Q(has_premises) & ~Q(uncovered)


def room_inspected_q() -> Q:
    through = Inspection.rooms_inspected.through
    return Q(
        Exists(
            through.objects.filter(
                room_id=OuterRef("pk"),
                inspection__status=InspectionStatus.SUBMITTED,
                inspection__outcome=VisitOutcome.INSPECTED,
            )
        )
    )


# The `survey` filter values for premises, buildings and rooms.
PREMISES_SURVEY = {
    "covered": lambda qs: qs.filter(premises_covered_q()),
    "uncovered": lambda qs: qs.exclude(premises_covered_q()),
    "never": lambda qs: qs.exclude(premises_visited_q()),
    "return": lambda qs: qs.filter(premises_visited_q()).exclude(premises_covered_q()),
}
BUILDING_SURVEY = {
    "complete": lambda qs: qs.filter(building_surveyed_q()),
    "incomplete": lambda qs: qs.exclude(building_surveyed_q()),
}
ROOM_SURVEY = {
    "inspected": lambda qs: qs.filter(room_inspected_q()),
    "uninspected": lambda qs: qs.exclude(room_inspected_q()),
}


@dataclass
class CoverageRow:
    area: Area
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def survey_rate(self) -> float | None:
        total = self.figures["premises"]
        return round(100 * self.figures["premises_covered"] / total, 1) if total else None

    @property
    def outcome_cells(self) -> list[tuple[str, int, str]]:
        """(label, visits, drill-down URL) for every outcome, in the outcome order."""
        return [
            (
                str(o.label),
                self.outcomes.get(o.value, 0),
                self.link("inspections:inspection_list", outcome=o.value, status="submitted"),
            )
            for o in VisitOutcome
        ]

    def link(self, name: str, **params) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"area": self.area.pk, **params}.items())
        return f"{reverse(name)}?{query}"

    @property
    def links(self) -> dict[str, str]:
        premises, buildings, rooms = "registry:premises_list", "registry:building_list", "registry:room_list"
        return {
            "buildings": self.link(buildings),
            "buildings_surveyed": self.link(buildings, survey="complete"),
            "buildings_unsurveyed": self.link(buildings, survey="incomplete"),
            "premises": self.link(premises),
            "premises_covered": self.link(premises, survey="covered"),
            "premises_never": self.link(premises, survey="never"),
            "premises_return": self.link(premises, survey="return"),
            "rooms": self.link(rooms),
            "rooms_inspected": self.link(rooms, survey="inspected"),
        }


def coverage_rows(user, area: Area | None = None) -> list[CoverageRow]:
    """Coverage for each child of `area` (or of the user's scope roots), plus a total row first."""
    roots = (
        [area] if area is not None else list(Area.objects.filter(path__in=user.scope_paths).order_by("code"))
    )
    if not roots:
        return []
    children = list(Area.objects.filter(parent__in=roots).order_by("code"))
    if not children or all(r.level == AreaLevel.GRID for r in roots):
        children = []
    rows = [CoverageRow(area=r) for r in roots] + [CoverageRow(area=c) for c in children]
    grid_paths = dict(Area.objects.filter(level=AreaLevel.GRID).values_list("pk", "path"))

    def rows_for(grid_id: int) -> list[CoverageRow]:
        path = grid_paths.get(grid_id, "")
        return [row for row in rows if path.startswith(row.area.path)]

    def add(grid_id, **values):
        for row in rows_for(grid_id):
            for key, value in values.items():
                row.figures[key] += value

    for grid_id, total, covered, visited in (
        Premises.objects.visible_to(user)
        .order_by()
        .annotate(is_covered=premises_covered_q(), is_visited=premises_visited_q())
        .values_list("building__grid_id")
        .annotate(
            total=Count("id"),
            covered=Count("id", filter=Q(is_covered=True)),
            visited=Count("id", filter=Q(is_visited=True)),
        )
    ):
        add(
            grid_id,
            premises=total,
            premises_covered=covered,
            premises_never=total - visited,
            premises_return=visited - covered,
        )
    for grid_id, total, surveyed in (
        Building.objects.visible_to(user)
        .order_by()
        .annotate(is_surveyed=building_surveyed_q())
        .values_list("grid_id")
        .annotate(total=Count("id"), surveyed=Count("id", filter=Q(is_surveyed=True)))
    ):
        add(grid_id, buildings=total, buildings_surveyed=surveyed, buildings_unsurveyed=total - surveyed)
    for grid_id, total, inspected in (
        Room.objects.visible_to(user)
        .order_by()
        .annotate(is_inspected=room_inspected_q())
        .values_list("premises__building__grid_id")
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(is_inspected=True)))
    ):
        add(grid_id, rooms=total, rooms_inspected=inspected)
    for grid_id, outcome, n in (
        Inspection.objects.visible_to(user)
        .submitted()
        .order_by()
        .values_list("building__grid_id", "outcome")
        .annotate(n=Count("id"))
    ):
        for row in rows_for(grid_id):
            row.outcomes[outcome] += n
    return rows
