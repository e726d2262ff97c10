"""Survey coverage (社不漏户、户不漏房、房不漏间): what has been visited, per area.

A premises is covered once a submitted inspection of it ended with a covering outcome (inspected, or a
final reason such as vacant or demolished); locked, not found and renovating are owed a return visit.
A building is surveyed when it has premises and all of them are covered; a room is inspected when a
submitted inspection with the outcome "inspected" lists it. Every figure here has a drill-down URL whose
list counts the same rows, through the `survey` filters below (InspectionsConfig.ready() hands them to
the registry lists, which sit below this app).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User, grids_within
from firegrid.core.filters import filtered_list_url
from firegrid.registry.filters import SurveyFilters
from firegrid.registry.models import Building, Premises, Room

from .choices import COVERING_OUTCOMES, InspectionStatus, VisitOutcome
from .models import Inspection


def covering_inspections() -> QuerySet[Inspection]:
    return Inspection.objects.filter(status=InspectionStatus.SUBMITTED, outcome__in=COVERING_OUTCOMES)


def covered_premises_ids() -> QuerySet[Inspection, Any]:
    """Ids of covered premises, as a subquery."""
    return covering_inspections().filter(premises__isnull=False).values("premises_id")


def premises_covered_q() -> Q:
    return Q(Exists(covering_inspections().filter(premises=OuterRef("pk"))))


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
PREMISES_SURVEY: SurveyFilters = {
    "covered": lambda qs: qs.filter(premises_covered_q()),
    "uncovered": lambda qs: qs.exclude(premises_covered_q()),
    "never": lambda qs: qs.exclude(premises_visited_q()),
    "return": lambda qs: qs.filter(premises_visited_q()).exclude(premises_covered_q()),
}
BUILDING_SURVEY: SurveyFilters = {
    "complete": lambda qs: qs.filter(building_surveyed_q()),
    "incomplete": lambda qs: qs.exclude(building_surveyed_q()),
}
ROOM_SURVEY: SurveyFilters = {
    "inspected": lambda qs: qs.filter(room_inspected_q()),
    "uninspected": lambda qs: qs.exclude(room_inspected_q()),
}


# Each figure → (its web list, its API list, the filters that count it). One table for the coverage
# page, its export and the API, so a figure and the list it opens can never drift apart.
DRILL_DOWNS: dict[str, tuple[str, str, dict[str, str]]] = {
    "buildings": ("registry:building_list", "buildings-list", {}),
    "buildings_surveyed": ("registry:building_list", "buildings-list", {"survey": "complete"}),
    "buildings_unsurveyed": ("registry:building_list", "buildings-list", {"survey": "incomplete"}),
    "premises": ("registry:premises_list", "premises-list", {}),
    "premises_covered": ("registry:premises_list", "premises-list", {"survey": "covered"}),
    "premises_never": ("registry:premises_list", "premises-list", {"survey": "never"}),
    "premises_return": ("registry:premises_list", "premises-list", {"survey": "return"}),
    "rooms": ("registry:room_list", "rooms-list", {}),
    "rooms_inspected": ("registry:room_list", "rooms-list", {"survey": "inspected"}),
    **{
        f"outcome_{outcome.value}": (
            "inspections:inspection_list",
            "inspections-list",
            {"outcome": outcome.value, "status": InspectionStatus.SUBMITTED},
        )
        for outcome in VisitOutcome
    },
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

    def drill_downs(self, api: bool = False) -> dict[str, str]:
        """Every figure's list URL (web pages, or the API's lists), filtered to this area."""
        return {
            key: filtered_list_url(api_name if api else web_name, area=self.area.pk, **params)
            for key, (web_name, api_name, params) in DRILL_DOWNS.items()
        }

    @property
    def links(self) -> dict[str, str]:
        """The web lists behind the figures (visits by outcome are in `outcome_cells`)."""
        return {k: url for k, url in self.drill_downs().items() if not k.startswith("outcome_")}

    @property
    def outcome_cells(self) -> list[tuple[str, int, str]]:
        """(label, visits, drill-down URL) for every outcome, in the outcome order."""
        links = self.drill_downs()
        return [
            (str(o.label), self.outcomes.get(o.value, 0), links[f"outcome_{o.value}"]) for o in VisitOutcome
        ]


def coverage_rows(user: User, area: Area | None = None) -> list[CoverageRow]:
    """Coverage for each child of `area` (or of the user's scope roots), plus a total row first."""
    roots = (
        [area] if area is not None else list(Area.objects.filter(path__in=user.scope_paths).order_by("code"))
    )
    if not roots:
        return []
    children = list(Area.objects.filter(parent__in=roots).order_by("code"))
    if all(r.level == AreaLevel.GRID for r in roots):
        children = []
    rows = [CoverageRow(area=r) for r in roots] + [CoverageRow(area=c) for c in children]
    by_area = {row.area.pk: row for row in rows}
    membership = grids_within(row.area for row in rows)

    def rows_for(grid_id: int) -> list[CoverageRow]:
        return [by_area[area.pk] for area in membership.get(grid_id, [])]

    def add(grid_id: int, **values: int) -> None:
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
