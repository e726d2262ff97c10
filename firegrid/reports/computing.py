"""The daily report's figures: every row of a day (areas rolled up, work groups, units, the four
categories) with its targets counted by progress, as known at an instant, and the ranks. `services`
generates the snapshot from these and re-exports the names others use.

Figures are computed from history with `firegrid.campaigns.status` (the one definition of a target's
membership and progress on a day), as known at the instant the snapshot is made (`known_at`, its
`generated_at`): the day's members (`status.members_on`) and the moves, inspections and claims recorded by
then. One GROUP BY query counts targets per grid and progress; communities, subdistricts, the total and the
work groups are rolled up in Python from the area tree's materialised paths. Units (from the claims in
force at the end of the day) and the four-category section are one grouped query each.

Ranking (排名规则): competition ranking on completion rate (完成率) alone — equal completion shares a rank
and the next rank skips (1, 2, 2, 4); equal rows are listed by name, which never decides a rank.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q
from django.db.models.query import QuerySet
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, Unit
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, WorkGroup
from firegrid.registry.choices import FourCategory
from firegrid.registry.models import four_category_q

from .models import RANKED, Dimension, SnapshotRow

if TYPE_CHECKING:
    from typing_extensions import ReadOnly

    from firegrid.campaigns.status import PremisesWithProgress

Progress = status.Progress
ALL = "all"

# The progress values behind each figure: the drill-down filters on exactly these.
FIGURE_PROGRESS: dict[str, tuple[str, ...]] = {
    "in_scope": tuple(Progress.values),
    "surveyed": tuple(p for p in Progress.values if p != Progress.NOT_SURVEYED),
    "with_hazards": (Progress.WITH_HAZARDS,),
    "notified": (Progress.NOTIFIED,),
    "rectifying": (Progress.RECTIFYING,),
    "overdue": (Progress.OVERDUE,),
    "accepted": (Progress.ACCEPTED,),
    "cancelled": (Progress.CANCELLED,),
}
AREA_DIMENSIONS: dict[str, Dimension] = {
    AreaLevel.SUBDISTRICT: Dimension.SUBDISTRICT,
    AreaLevel.COMMUNITY: Dimension.COMMUNITY,
    AreaLevel.GRID: Dimension.GRID,
}


def figures_of(counts: Counter[str]) -> dict[str, int]:
    """The row's figures from its targets counted by progress."""
    in_scope = sum(counts.values())
    figures = {"in_scope": in_scope, "surveyed": in_scope - counts[Progress.NOT_SURVEYED]}
    for name, values in FIGURE_PROGRESS.items():
        if name not in figures:
            figures[name] = sum(counts[v] for v in values)
    return figures


def completion_permille(figures: dict[str, int]) -> int:
    return round(status.completion(figures["accepted"], figures["in_scope"], figures["cancelled"]) * 10)


# --- computing ---------------------------------------------------------------------------------------


@dataclass
class Line:
    dimension: str
    key: str
    name: str
    parent_key: str = ""
    counts: Counter[str] = field(default_factory=Counter)


def _progress_of_targets(
    campaign: Campaign, day: dt.date, known_at: dt.datetime | None
) -> QuerySet[PremisesWithProgress]:
    # No default ordering: Premises orders by its address key, a sort for nothing here.
    members = status.members_on(campaign, day, known_at)
    return status.with_progress(members, campaign, day, known_at).order_by()


def active_claim_q(
    campaign: Campaign, day: dt.date, prefix: str = "", known_at: dt.datetime | None = None
) -> Q:
    """Claims of the campaign in force at the end of `day` (made before it ended, not ended by then), as
    known at `known_at` (a claim ended after it was still in force then)."""
    end = status.day_end(day)
    if known_at is not None:
        end = min(end, known_at + dt.timedelta(microseconds=1))
    return Q(**{f"{prefix}campaign": campaign, f"{prefix}claimed_at__lt": end}) & (
        Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gte": end})
    )


def compute_lines(campaign: Campaign, day: dt.date, known_at: dt.datetime | None = None) -> list[Line]:
    """Every row of the day's report, with its targets counted by progress (not yet ranked), as known at
    `known_at` (default: now)."""
    per_grid: dict[int, Counter[str]] = {}
    grouped = (
        _progress_of_targets(campaign, day, known_at)
        .values("building__grid_id", "progress")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        per_grid.setdefault(row["building__grid_id"], Counter())[row["progress"]] += row["n"]

    areas = area_rows()
    lines: dict[tuple[str, str], Line] = {}
    total = lines[(Dimension.TOTAL, ALL)] = Line(Dimension.TOTAL, ALL, _("全区合计"))
    for grid_id, counts in per_grid.items():
        total.counts.update(counts)
        for ancestor_id in _path_ids(areas[grid_id]["path"]):
            area = areas.get(ancestor_id)
            dimension = AREA_DIMENSIONS.get(area["level"]) if area else None
            if area is None or dimension is None:
                continue
            parent = area["parent_id"]
            parent_key = str(parent) if dimension != Dimension.SUBDISTRICT and parent else ""
            line = lines.get((dimension, str(ancestor_id)))
            if line is None:
                line = lines[(dimension, str(ancestor_id))] = Line(
                    dimension, str(ancestor_id), area["name"], parent_key
                )
            line.counts.update(counts)

    for group in WorkGroup.objects.filter(campaign=campaign).prefetch_related("areas"):
        line = lines[(Dimension.WORK_GROUP, str(group.pk))] = Line(
            Dimension.WORK_GROUP, str(group.pk), group.name
        )
        for grid_id in work_group_grids(group, areas):
            line.counts.update(per_grid.get(grid_id, ()))

    claimed = (
        _progress_of_targets(campaign, day, known_at)
        .filter(active_claim_q(campaign, day, "landlord__claims__", known_at))
        .values("landlord__claims__unit_id", "progress")
        .annotate(n=Count("pk"))
    )
    unit_counts: dict[int, Counter[str]] = {}
    for claimed_row in claimed:
        unit_id = claimed_row["landlord__claims__unit_id"]
        unit_counts.setdefault(unit_id, Counter())[claimed_row["progress"]] += claimed_row["n"]
    names = dict(Unit.objects.filter(pk__in=unit_counts).values_list("pk", "name"))
    for unit_id, counts in unit_counts.items():
        lines[(Dimension.UNIT, str(unit_id))] = Line(
            Dimension.UNIT, str(unit_id), names[unit_id], counts=counts
        )

    flags = [f"landlord__{flag}" for flag in FourCategory.values]
    categories: dict[str, Counter[str]] = {flag: Counter() for flag in FourCategory.values}
    everyone: Counter[str] = Counter()
    by_flags = (
        _progress_of_targets(campaign, day, known_at)
        .filter(four_category_q("landlord__"))
        .values(*flags, "progress")
        .annotate(n=Count("pk"))
    )
    for flags_row in by_flags:
        everyone[flags_row["progress"]] += flags_row["n"]
        for flag in FourCategory.values:
            if flags_row[f"landlord__{flag}"]:
                categories[flag][flags_row["progress"]] += flags_row["n"]
    lines[(Dimension.FOUR_CATEGORY, ALL)] = Line(
        Dimension.FOUR_CATEGORY, ALL, _("四类人员合计"), counts=everyone
    )
    for choice in FourCategory:
        lines[(Dimension.FOUR_CATEGORY, choice.value)] = Line(
            Dimension.FOUR_CATEGORY, choice.value, str(choice.label), ALL, categories[choice.value]
        )
    return list(lines.values())


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class AreaRow(TypedDict):
    """An area as the roll-up reads it (one query for the whole tree)."""

    pk: int
    name: str
    level: str
    path: str
    # Read-only: the query's row type says `int`, a root area has None.
    parent_id: ReadOnly[int | None]


def area_rows() -> dict[int, AreaRow]:
    return {a["pk"]: a for a in Area.objects.values("pk", "name", "level", "path", "parent_id")}


def work_group_grids(group: WorkGroup, areas: dict[int, AreaRow] | None = None) -> set[int]:
    """The grids inside a work group's areas (each once, even if its areas overlap)."""
    if areas is None:
        areas = area_rows()
    prefixes = [area.path for area in group.areas.all()]
    return {
        pk
        for pk, area in areas.items()
        if area["level"] == AreaLevel.GRID and any(area["path"].startswith(p) for p in prefixes)
    }


def rank_key(row: SnapshotRow) -> tuple[int, str, str]:
    """The order rows are listed in: 完成率 desc, then name (then key: two rows can share a name)."""
    return (-row.completion_permille, row.name, row.key)


def competition_ranks(rows: list[SnapshotRow]) -> None:
    """Rank by the outcome alone, 完成率: equal outcomes share a rank and the next rank skips (1, 2, 2, 4).
    The name only orders rows on the page, never their rank, so a rank moves only when an outcome does
    (the accepted count, a row's size, no longer breaks ties: at 100 % it made ranks jump)."""
    ranked = sorted(rows, key=rank_key)
    for position, row in enumerate(ranked, start=1):
        before = ranked[position - 2] if position > 1 else None
        same = before is not None and before.completion_permille == row.completion_permille
        row.rank = before.rank if same and before is not None else position


def build_rows(lines: list[Line], previous: dict[tuple[str, str], SnapshotRow]) -> list[SnapshotRow]:
    rows: list[SnapshotRow] = []
    for line in lines:
        figures = figures_of(line.counts)
        row = SnapshotRow(
            dimension=line.dimension,
            key=line.key,
            name=line.name[:100],
            parent_key=line.parent_key,
            completion_permille=completion_permille(figures),
            **figures,
        )
        before = previous.get((line.dimension, line.key))
        if before is not None:
            row.accepted_delta = row.accepted - before.accepted
            row.completion_delta = row.completion_permille - before.completion_permille
        rows.append(row)
    for dimension in RANKED:
        members = [r for r in rows if r.dimension == dimension]
        competition_ranks(members)
        for row in members:
            before = previous.get((row.dimension, row.key))
            if before is not None and before.rank is not None and row.rank is not None:
                row.rank_change = before.rank - row.rank
    return rows
