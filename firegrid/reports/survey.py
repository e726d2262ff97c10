"""The survey section of the daily report (排查覆盖: 社不漏户、户不漏房、房不漏间) and its curve day by day.

Each snapshot freezes the survey figures of its day per grid — buildings surveyed, premises covered, rooms
inspected, each with its total — as coverage stood at the snapshot's instant (`survey_instant`: the end of
its day, or when it was made if earlier; inspections.coverage is the one definition). A reader's section
is the sum over the grids of the areas in their scope; each covered figure opens the registry list with
`survey_at` set to the same instant, so it counts the same records for ever. The dashboard's survey curve
reads the frozen figures of every day's newest version.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from firegrid.areas.figures import GridRollup, figure_areas
from firegrid.areas.models import Area, grids_within
from firegrid.campaigns import status
from firegrid.core.filters import filtered_list_url
from firegrid.inspections.coverage import SURVEY_FIGURES, coverage_by_grid

from .models import DailySnapshot

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from firegrid.areas.models import User
    from firegrid.campaigns.models import Campaign

# (done, total, the registry list and its `survey` value, the column's label) for each of the three rates.
RATES = (
    ("buildings_surveyed", "buildings", "registry:building_list", "complete", gettext_lazy("建筑")),
    ("premises_covered", "premises", "registry:premises_list", "covered", gettext_lazy("出租户")),
    ("rooms_inspected", "rooms", "registry:room_list", "inspected", gettext_lazy("房间")),
)


def survey_instant(day: dt.date, generated_at: dt.datetime) -> dt.datetime:
    """The instant a snapshot's survey figures stand at: the end of its day, or its making if earlier (a
    report made during its own day counts what was submitted until then)."""
    return min(status.day_end(day) - dt.timedelta(microseconds=1), generated_at)


def campaign_grid_ids(campaign: Campaign) -> list[int]:
    """The grids the campaign covers (its areas; the whole district when it names none)."""
    areas = list(campaign.areas.all())
    if not areas:
        return list(Area.objects.grids().values_list("pk", flat=True))
    return sorted(grids_within(areas))


def freeze_survey(campaign: Campaign, day: dt.date, generated_at: dt.datetime) -> dict[str, Any]:
    """{"at": ISO instant, "by_grid": {grid id: [one count per SURVEY_FIGURES]}} for the snapshot."""
    at = survey_instant(day, generated_at)
    counts = coverage_by_grid(at, grid_ids=campaign_grid_ids(campaign))
    return {
        "at": at.isoformat(),
        "by_grid": {
            str(grid_id): [figures[key] for key in SURVEY_FIGURES]
            for grid_id, figures in sorted(counts.items())
        },
    }


@dataclass
class SurveyRow:
    area: Area
    figures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    links: dict[str, str] = field(default_factory=dict)

    def rate(self, done: str, total: str) -> float | None:
        return round(100 * self.figures[done] / self.figures[total], 1) if self.figures[total] else None

    @property
    def cells(self) -> list[tuple[str, Promise, int, int, float | None, str]]:
        """(figure, label, done, total, rate in %, the done figure's list) for buildings, premises, rooms."""
        return [
            (done, label, self.figures[done], self.figures[total], self.rate(done, total), self.links[done])
            for done, total, _list, _value, label in RATES
        ]


def survey_section(snapshot: DailySnapshot, user: User, area: Area | None = None) -> list[SurveyRow]:
    """The snapshot's frozen survey figures for `area` (else the user's scope roots) and each child area,
    the total row first; [] for a snapshot made before surveys were frozen."""
    frozen = snapshot.survey or {}
    if "by_grid" not in frozen:
        return []
    rows = [SurveyRow(area=a) for a in figure_areas(user, area)]
    rollup = GridRollup(rows)
    rollup.add(
        ((int(grid_id), *values) for grid_id, values in frozen["by_grid"].items()),
        SURVEY_FIGURES,
    )
    for row in rows:
        row.links = {
            done: filtered_list_url(list_name, area=row.area.pk, survey=value, survey_at=frozen["at"])
            for done, _total, list_name, value, _label in RATES
        }
    return rows


def survey_series(campaign: Campaign, user: User, last: dt.date) -> dict[str, list[Any]]:
    """The survey curve from the campaign's first day to `last`: per day, the rates (in %) frozen in that
    day's newest report for the user's scope, and the report's page — None and "" where a day has no report
    (or one made before surveys were frozen). {"days", "buildings_surveyed", "premises_covered",
    "rooms_inspected", "urls"}; one query for every day's report."""
    newest: dict[dt.date, DailySnapshot] = {}
    for snapshot in DailySnapshot.objects.filter(
        campaign=campaign, day__gte=campaign.starts_on, day__lte=last
    ).order_by("day", "version"):
        newest[snapshot.day] = snapshot  # ordered by version: the newest is written last
    days = [campaign.starts_on + dt.timedelta(days=i) for i in range((last - campaign.starts_on).days + 1)]
    roots = list(Area.objects.filter(path__in=user.scope_paths))
    inside = set(grids_within(roots)) if roots else set()
    series: dict[str, list[Any]] = {"days": [d.isoformat() for d in days], "urls": []}
    for done, _total, _list, _value, _label in RATES:
        series[done] = []
    for day in days:
        report = newest.get(day)
        frozen = (report.survey or {}).get("by_grid") if report is not None else None
        sums = dict.fromkeys(SURVEY_FIGURES, 0)
        if frozen is not None:
            for grid_id, values in frozen.items():
                if int(grid_id) in inside:
                    for key, value in zip(SURVEY_FIGURES, values, strict=True):
                        sums[key] += value
        for done, total, _list, _value, _label in RATES:
            series[done].append(
                round(100 * sums[done] / sums[total], 1) if frozen is not None and sums[total] else None
            )
        series["urls"].append(
            reverse("reports:day", args=[campaign.code, day.isoformat()]) + "#survey"
            if frozen is not None
            else ""
        )
    return series
