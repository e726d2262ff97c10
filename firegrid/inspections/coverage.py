"""Survey coverage (社不漏户、户不漏房、房不漏间): what has been visited, per area.

A premises is covered once a submitted inspection of it ended with a covering outcome (inspected, or a
final reason such as vacant or demolished); locked, not found and renovating are owed a return visit.
A building is surveyed when it has premises and all of them are covered; a room is inspected when a
submitted inspection with the outcome "inspected" lists it. Every figure here has a drill-down URL whose
list counts the same rows, through the `survey` filters below (InspectionsConfig.ready() hands them to
the registry lists, which sit below this app).

Every definition takes an optional instant `at`: coverage as it stood then (inspections submitted by
`at`). The daily report freezes the survey figures of its day with it (reports.services.freeze_survey),
and its drill-downs pass the same instant to the lists as `survey_at`, so a past day's survey figure
and its list agree for ever: the survey curve day by day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from firegrid.areas.figures import GridRollup, figure_areas
from firegrid.areas.models import Area, User
from firegrid.core.filters import filtered_list_url
from firegrid.registry.filters import SurveyFilters
from firegrid.registry.models import Building, Premises, Room

from .choices import COVERING_OUTCOMES, InspectionStatus, VisitOutcome
from .models import Inspection


def _submitted_by(qs: QuerySet[Any], at: dt.datetime | None, prefix: str = "") -> QuerySet[Any]:
    return qs.filter(**{f"{prefix}submitted_at__lte": at}) if at is not None else qs


def covering_inspections(at: dt.datetime | None = None) -> QuerySet[Inspection]:
    covering = Inspection.objects.filter(status=InspectionStatus.SUBMITTED, outcome__in=COVERING_OUTCOMES)
    return _submitted_by(covering, at)


def covered_premises_ids(at: dt.datetime | None = None) -> QuerySet[Inspection, Any]:
    """Ids of covered premises, as a subquery."""
    return covering_inspections(at).filter(premises__isnull=False).values("premises_id")


# Each definition is a semi-join whose form depends on the database. On SQLite an IN over one uncorrelated
# subquery: SQLite answered an EXISTS from the inspections' status index, scanning every visit for each
# room (a daily report of the demo's 10,968 rooms took minutes); an IN is computed once. On PostgreSQL an
# EXISTS per row: an IN (or NOT IN) inside an OR, a NOT or an aggregate's FILTER is a subplan that is hashed
# only while its rows fit in work_mem — with millions of covered premises it is not, and each row then
# scans the subquery (the scale-600 demo's first replayed day sat 27 minutes on one building count); an
# EXISTS is planned as a semi- or anti-join, or probes the inspections' (premises, status, outcome) index.
def _in_or_exists(ids: QuerySet[Any], column: str) -> Q:
    """`pk IN (ids)` on SQLite, `EXISTS (ids WHERE column = pk)` elsewhere; `ids` is a one-column values()."""
    if connection.vendor == "sqlite":
        return Q(pk__in=ids)
    return Q(Exists(ids.filter(**{column: OuterRef("pk")})))


def premises_covered_q(at: dt.datetime | None = None) -> Q:
    return _in_or_exists(covered_premises_ids(at), "premises_id")


def premises_visited_q(at: dt.datetime | None = None) -> Q:
    submitted = Inspection.objects.filter(status=InspectionStatus.SUBMITTED, premises__isnull=False)
    return _in_or_exists(_submitted_by(submitted, at).values("premises_id"), "premises_id")


def building_surveyed_q(at: dt.datetime | None = None) -> Q:
    """Has premises, and none of them uncovered."""
    has_premises = _in_or_exists(Premises.objects.values("building_id"), "building_id")
    uncovered = Premises.objects.exclude(premises_covered_q(at)).values("building_id")
    return has_premises & ~_in_or_exists(uncovered, "building_id")


def room_inspected_q(at: dt.datetime | None = None) -> Q:
    through = Inspection.rooms_inspected.through
    listed = through.objects.filter(
        inspection__status=InspectionStatus.SUBMITTED,
        inspection__outcome=VisitOutcome.INSPECTED,
    )
    return _in_or_exists(_submitted_by(listed, at, "inspection__").values("room_id"), "room_id")


# The `survey` filter values for premises, buildings and rooms; `at` is the list's `survey_at` (None: now).
PREMISES_SURVEY: SurveyFilters = {
    "covered": lambda qs, at: qs.filter(premises_covered_q(at)),
    "uncovered": lambda qs, at: qs.exclude(premises_covered_q(at)),
    "never": lambda qs, at: qs.exclude(premises_visited_q(at)),
    "return": lambda qs, at: qs.filter(premises_visited_q(at)).exclude(premises_covered_q(at)),
}
BUILDING_SURVEY: SurveyFilters = {
    "complete": lambda qs, at: qs.filter(building_surveyed_q(at)),
    "incomplete": lambda qs, at: qs.exclude(building_surveyed_q(at)),
}
ROOM_SURVEY: SurveyFilters = {
    "inspected": lambda qs, at: qs.filter(room_inspected_q(at)),
    "uninspected": lambda qs, at: qs.exclude(room_inspected_q(at)),
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


# The figures a daily report freezes per grid (the survey curve): counts on the report's day.
SURVEY_FIGURES = (
    "buildings",
    "buildings_surveyed",
    "premises",
    "premises_covered",
    "rooms",
    "rooms_inspected",
)


def coverage_by_grid(
    at: dt.datetime | None = None,
    *,
    premises: QuerySet[Premises] | None = None,
    buildings: QuerySet[Building] | None = None,
    rooms: QuerySet[Room] | None = None,
    grid_ids: Iterable[int] | None = None,
) -> dict[int, dict[str, int]]:
    """Coverage figures per grid as they stood at `at` (None: now): one grouped query each for premises,
    buildings and rooms. The querysets default to every record (a report's frozen figures); a page passes
    the user's `visible_to` ones; `grid_ids` limits the count to those grids."""
    premises = premises if premises is not None else Premises.objects.all()
    buildings = buildings if buildings is not None else Building.objects.all()
    rooms = rooms if rooms is not None else Room.objects.all()
    if grid_ids is not None:
        grids = list(grid_ids)
        premises = premises.filter(building__grid_id__in=grids)
        buildings = buildings.filter(grid_id__in=grids)
        rooms = rooms.filter(premises__building__grid_id__in=grids)
    by_grid: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GRID_FIGURES, 0))
    for grid_id, total, covered, visited in (
        premises.order_by()
        .annotate(is_covered=premises_covered_q(at), is_visited=premises_visited_q(at))
        .values_list("building__grid_id")
        .annotate(
            total=Count("id"),
            covered=Count("id", filter=Q(is_covered=True)),
            visited=Count("id", filter=Q(is_visited=True)),
        )
    ):
        by_grid[grid_id].update(
            premises=total,
            premises_covered=covered,
            premises_never=total - visited,
            premises_return=visited - covered,
        )
    for grid_id, total, surveyed in (
        buildings.order_by()
        .annotate(is_surveyed=building_surveyed_q(at))
        .values_list("grid_id")
        .annotate(total=Count("id"), surveyed=Count("id", filter=Q(is_surveyed=True)))
    ):
        by_grid[grid_id].update(
            buildings=total, buildings_surveyed=surveyed, buildings_unsurveyed=total - surveyed
        )
    for grid_id, total, inspected in (
        rooms.order_by()
        .annotate(is_inspected=room_inspected_q(at))
        .values_list("premises__building__grid_id")
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(is_inspected=True)))
    ):
        by_grid[grid_id].update(rooms=total, rooms_inspected=inspected)
    return dict(by_grid)


# Every figure coverage_by_grid counts per grid (the page's; a report keeps SURVEY_FIGURES of them).
GRID_FIGURES = (*SURVEY_FIGURES, "premises_never", "premises_return", "buildings_unsurveyed")


def coverage_rows(user: User, area: Area | None = None) -> list[CoverageRow]:
    """Coverage for `area` (or the user's scope roots) and each child area, the total row first."""
    rows = [CoverageRow(area=a) for a in figure_areas(user, area)]
    if not rows:
        return []
    rollup = GridRollup(rows)
    counts = coverage_by_grid(
        premises=Premises.objects.visible_to(user),
        buildings=Building.objects.visible_to(user),
        rooms=Room.objects.visible_to(user),
        grid_ids=rollup.grid_ids,
    )
    rollup.add(
        ((grid_id, *(figures[key] for key in GRID_FIGURES)) for grid_id, figures in counts.items()),
        GRID_FIGURES,
    )
    by_area = {row.area.pk: row for row in rows}
    for grid_id, outcome, n in (
        Inspection.objects.visible_to(user)
        .submitted()
        .filter(building__grid_id__in=rollup.grid_ids)
        .order_by()
        .values_list("building__grid_id", "outcome")
        .annotate(n=Count("id"))
    ):
        for inside in rollup.membership.get(grid_id, []):
            by_area[inside.pk].outcomes[outcome] += n
    return rows
