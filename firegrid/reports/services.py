"""The daily report: generating a frozen snapshot of a campaign's figures for a day, and the premises
behind each figure (the drill-down).

Figures are computed from history with `firegrid.campaigns.status` (the one definition of a target's
progress on a day), so regenerating a past day gives the same figures as long as the campaign's target
list is unchanged. One GROUP BY query counts targets per grid and progress; communities, subdistricts,
the total and the work groups are rolled up in Python from the area tree's materialised paths. Units
(from the claims active at the end of the day) and the four-category section are one grouped query each.

Ranking (排名规则): by completion rate (完成率) descending, then by accepted premises descending, then by
name — a stable order. Rows equal on completion and accepted are still given distinct consecutive ranks,
in name order, so the same data always ranks the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.query import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, DISTRICT_WIDE_ROLES, AreaLevel, Role
from firegrid.areas.models import Area, Unit
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, Claim, WorkGroup
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import record_change
from firegrid.outreach.models import OutreachKind, OutreachRecord
from firegrid.outreach.services import outreach_totals
from firegrid.registry.choices import FourCategory
from firegrid.registry.models import Premises, four_category_q

from .models import FIGURES, RANKED, DailySnapshot, Dimension, SnapshotRow

if TYPE_CHECKING:
    from typing_extensions import ReadOnly

    from firegrid.areas.models import User
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


def _progress_of_targets(campaign: Campaign, day: dt.date) -> QuerySet[PremisesWithProgress]:
    # No default ordering: Premises orders by building address, which would join and sort for nothing.
    return status.with_progress(status.targets(campaign), campaign, day).order_by()


def _active_claim_q(campaign: Campaign, day: dt.date, prefix: str = "") -> Q:
    """Claims of the campaign in force at the end of `day` (made before it ended, not ended by then)."""
    end = status.day_end(day)
    return Q(**{f"{prefix}campaign": campaign, f"{prefix}claimed_at__lt": end}) & (
        Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gte": end})
    )


def compute_lines(campaign: Campaign, day: dt.date) -> list[Line]:
    """Every row of the day's report, with its targets counted by progress (not yet ranked)."""
    per_grid: dict[int, Counter[str]] = {}
    grouped = (
        _progress_of_targets(campaign, day).values("building__grid_id", "progress").annotate(n=Count("pk"))
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
        _progress_of_targets(campaign, day)
        .filter(_active_claim_q(campaign, day, "landlord__claims__"))
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
        _progress_of_targets(campaign, day)
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


# --- generating --------------------------------------------------------------------------------------


def newest(campaign: Campaign, day: dt.date) -> DailySnapshot | None:
    return DailySnapshot.objects.filter(campaign=campaign, day=day).order_by("-version").first()


def check_day(campaign: Campaign, day: dt.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"day": _("不能生成未来日期的日报")})
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise ValidationError(
            {
                "day": _("日期必须在行动期间内（%(start)s 至 %(end)s）。")
                % {"start": campaign.starts_on, "end": campaign.ends_on}
            }
        )


def may_generate(user: User) -> bool:
    """The command (and the system administrator) publish the report; everyone else reads it."""
    return can(user, Action.CHANGE, Campaign) and (user.is_superuser or user.role in DISTRICT_WIDE_ROLES)


def generate_snapshot(
    campaign: Campaign,
    day: dt.date,
    *,
    actor: User | None = None,
    reason: str = "",
    correction: bool = False,
) -> DailySnapshot:
    """The day's snapshot: made if the day has none; else the existing one, unchanged — unless this is a
    correction (`correction=True` or a reason given), which makes version + 1 and needs a reason.

    `actor=None` is the scheduler (or the management command), which is trusted.
    """
    if actor is not None and not may_generate(actor):
        raise PermissionDenied(_("您的角色无权生成日报。"))
    check_day(campaign, day)
    reason = reason.strip()
    wants_new_version = correction or bool(reason)
    with transaction.atomic():
        # One generation at a time per campaign: two clicks must not make two versions.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        latest = newest(campaign, day)
        if latest is not None and not wants_new_version:
            return latest
        if latest is not None and not reason:
            raise ValidationError({"reason": _("更正日报必须填写原因。")})
        before = newest(campaign, day - dt.timedelta(days=1))
        previous = {(r.dimension, r.key): r for r in before.rows.all()} if before else {}
        rows = build_rows(compute_lines(campaign, day), previous)
        snapshot = DailySnapshot.objects.create(
            campaign=campaign,
            day=day,
            version=latest.version + 1 if latest else 1,
            generated_at=timezone.now(),
            generated_by=actor,
            reason=reason,
        )
        for row in rows:
            row.snapshot = snapshot
        SnapshotRow.objects.bulk_create(rows, batch_size=1000)
        record_change(
            actor=actor,
            action=AuditAction.CREATE,
            obj=snapshot,
            after={
                "campaign": campaign.code,
                "day": day.isoformat(),
                "version": snapshot.version,
                "rows": len(rows),
            },
            reason=reason,
        )
    return snapshot


# --- who sees which rows ------------------------------------------------------------------------------
# The command, departments and the system administrator: every row. An area officer (subdistrict,
# community, grid): the rows of the areas inside their scope, with their district-wide rank — not the
# district total, the work groups (which span areas outside their scope), the units or the four-category
# section, whose premises they may not list. A unit liaison: the unit ranking (every unit's row, as the
# bulletin publishes it), with the drill-down of their own unit's row only. Nobody else.


def may_view(user: User) -> bool:
    if not can(user, Action.VIEW, Campaign):
        return False
    return user.is_superuser or user.role in DISTRICT_WIDE_ROLES | AREA_ROLES | {Role.UNIT_LIAISON}


def visible_rows(snapshot: DailySnapshot, user: User) -> QuerySet[SnapshotRow]:
    rows = snapshot.rows.all()
    if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
        return rows
    if user.role in AREA_ROLES:
        return rows.filter(
            dimension__in=AREA_DIMENSIONS.values(), key__in=[str(pk) for pk in _scope_area_ids(user)]
        )
    if user.role == Role.UNIT_LIAISON:
        return rows.filter(dimension=Dimension.UNIT)
    return rows.none()


def may_drill(row: SnapshotRow, user: User) -> bool:
    """May this user list the premises behind this row's figures?"""
    if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
        return True
    if user.role in AREA_ROLES:
        return row.dimension in AREA_DIMENSIONS.values() and int(row.key) in _scope_area_ids(user)
    if user.role == Role.UNIT_LIAISON:
        return row.dimension == Dimension.UNIT and user.unit_id is not None and row.key == str(user.unit_id)
    return False


def drill_row(snapshot: DailySnapshot, user: User, dimension: str, key: str) -> SnapshotRow:
    """The row a drill-down lists, checked: out of the user's scope 404 (as if it did not exist),
    visible but not theirs to list 403."""
    row = snapshot.rows.filter(dimension=dimension, key=key).first()
    if row is None or not visible_rows(snapshot, user).filter(pk=row.pk).exists():
        raise Http404
    if not may_drill(row, user):
        raise PermissionDenied(_("您只能查看本单位的出租户清单。"))
    return row


def _scope_area_ids(user: User) -> set[int]:
    # Kept on the user object for the request, as a cached_property would be (several rows ask).
    cached: set[int] | None = user.__dict__.get("_report_area_ids")
    if cached is None:
        cached = set(Area.objects.visible_to(user).values_list("pk", flat=True))
        user.__dict__["_report_area_ids"] = cached
    return cached


# --- outreach (宣传发动) ---------------------------------------------------------------------------------


def may_view_outreach(user: User) -> bool:
    """The outreach section is for those who read the area figures: the command and area officers."""
    return can(user, Action.VIEW, OutreachRecord) and (
        user.is_superuser or user.role in DISTRICT_WIDE_ROLES | AREA_ROLES
    )


def outreach_section(campaign: Campaign, day: dt.date, user: User) -> dict[str, Any] | None:
    """The campaign's outreach totals up to the end of `day`, per kind, over the records the user may see
    (an area officer: their areas). Read when shown, not frozen in the snapshot: a record entered later
    for a past day counts from then on. None for users who do not get the section."""
    if not may_view_outreach(user):
        return None
    records = OutreachRecord.objects.visible_to(user).filter(campaign=campaign, held_on__lte=day)
    totals = outreach_totals(campaign, records=records)
    rows = [{"kind": kind, "label": OutreachKind(kind).label, **figures} for kind, figures in totals.items()]
    return {
        "rows": rows,
        "total": {name: sum(row[name] for row in rows) for name in ("records", "attendance", "copies")},
    }


# --- drill-down ---------------------------------------------------------------------------------------


def row_premises(campaign: Campaign, day: dt.date, dimension: str, key: str) -> QuerySet[Premises]:
    """The campaign's target premises counted in one row (before filtering by progress)."""
    premises = status.targets(campaign)
    if dimension == Dimension.TOTAL:
        return premises
    if dimension == Dimension.GRID:
        return premises.filter(building__grid_id=int(key))
    if dimension in (Dimension.COMMUNITY, Dimension.SUBDISTRICT):
        area = Area.objects.get(pk=int(key))
        return premises.filter(building__grid__path__startswith=area.path)
    if dimension == Dimension.WORK_GROUP:
        group = WorkGroup.objects.get(campaign=campaign, pk=int(key))
        return premises.filter(building__grid_id__in=work_group_grids(group))
    if dimension == Dimension.UNIT:
        claims = Claim.objects.filter(
            _active_claim_q(campaign, day), unit_id=int(key), landlord=OuterRef("landlord")
        )
        return premises.filter(Exists(claims))
    if dimension == Dimension.FOUR_CATEGORY:
        if key == ALL:
            return premises.filter(four_category_q("landlord__"))
        if key in FourCategory.values:
            return premises.filter(**{f"landlord__{key}": True})
    raise ValueError(f"unknown row {dimension}:{key}")


def figure_premises(
    campaign: Campaign, day: dt.date, dimension: str, key: str, figure: str
) -> QuerySet[PremisesWithProgress]:
    """The premises behind one figure of one row: its count equals the figure."""
    if figure not in FIGURE_PROGRESS:
        raise ValueError(f"unknown figure {figure}")
    return status.in_progress(
        row_premises(campaign, day, dimension, key), campaign, list(FIGURE_PROGRESS[figure]), day
    )


__all__ = [
    "FIGURES",
    "FIGURE_PROGRESS",
    "compute_lines",
    "figure_premises",
    "generate_snapshot",
    "may_drill",
    "may_view",
    "outreach_section",
    "visible_rows",
]
