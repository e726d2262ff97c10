"""The campaign dashboard's figures: each chart's data, with the URL of the list behind every bar.

Progress figures (burn-down, completion by area, four-category progress, the headline figures, the
forecasts) come from the daily report's frozen snapshots (firegrid.reports), restricted to the rows the
user may read there; their bars link to the report's lists for the snapshot's day, whose count is the
figure. Hazards by category and overdue ageing are counted live on the rows the user may see
(`visible_to`), and link to live lists. Either way the list's count equals the figure (tested).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.query import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, CampaignTarget
from firegrid.campaigns.status import Progress
from firegrid.inspections.choices import BUCKET_STATUSES, HazardBucket
from firegrid.inspections.models import ChecklistItem, ChecklistTemplate, Hazard
from firegrid.rectification.choices import OPEN_STATES
from firegrid.rectification.models import Plan, PlanMove
from firegrid.registry.models import Premises
from firegrid.reports.models import DailySnapshot, Dimension, SnapshotRow
from firegrid.reports.services import ALL, AREA_DIMENSIONS, FIGURE_PROGRESS, visible_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User

# Progress values still to be done: the burn-down's "open" and the forecast's "remaining".
OPEN_PROGRESS = (
    Progress.NOT_SURVEYED,
    Progress.WITH_HAZARDS,
    Progress.NOTIFIED,
    Progress.RECTIFYING,
    Progress.OVERDUE,
)
# What the charts show, in the order of the campaign's path; cancelled targets leave the completion.
CHART_PROGRESS = (*OPEN_PROGRESS, Progress.ACCEPTED)
# Colours follow the hazard buckets users know: red to fix, orange in hand, green done.
PROGRESS_COLOURS: dict[Progress, str] = {
    Progress.NOT_SURVEYED: "#909399",
    Progress.WITH_HAZARDS: "#f56c6c",
    Progress.NOTIFIED: "#e6a23c",
    Progress.RECTIFYING: "#409eff",
    Progress.OVERDUE: "#b7162a",
    Progress.ACCEPTED: "#67c23a",
    Progress.CANCELLED: "#c0c4cc",
}
BUCKET_COLOURS = {
    HazardBucket.TO_FIX: "#f56c6c",
    HazardBucket.TO_RECHECK: "#e6a23c",
    HazardBucket.REMOVED: "#67c23a",
}
# Overdue ageing buckets: days past the plan's deadline (first, last; None = no upper end).
AGE_BUCKETS = {"1-3": (1, 3), "4-7": (4, 7), "8-14": (8, 14), "15-": (15, None)}


def may_view_dashboard(user: User | AnonymousUser) -> bool:
    """The command (commander, admin, department officers) and area officers, who see their areas.
    A unit liaison follows their landlords on the unit's page; landlords and contractors have no dashboard."""
    from firegrid.areas.choices import AREA_ROLES

    if not user.is_authenticated:
        return False
    return user.is_district_wide or user.role in AREA_ROLES


def target_list_url(campaign: Campaign, **params: Any) -> str:
    """The campaign's target list (整治对象) filtered by `params`; blank while that page does not exist."""
    attempts: tuple[tuple[list[int], dict[str, int]], ...] = (
        ([campaign.pk], {}),
        ([], {"campaign": campaign.pk}),
    )
    for args, extra in attempts:
        try:
            base = reverse("campaigns:target_list", args=args)
        except NoReverseMatch:
            continue
        query = urlencode({**extra, **params})
        return f"{base}?{query}" if query else base
    return ""


def dashboard_list_url(name: str, campaign: Campaign, **params: Any) -> str:
    query = urlencode(params)
    return reverse(f"dashboards:{name}", args=[campaign.pk]) + (f"?{query}" if query else "")


def visible_targets(
    campaign: Campaign, user: User, area: Area | None = None, day: dt.date | None = None
) -> QuerySet[Premises]:
    """The campaign's targets on `day` (default: its reference day — today, or its last day once over) that
    the user may see, in `area` if given."""
    day = day or status.reference_day(campaign)
    premises = Premises.objects.visible_to(user).filter(
        pk__in=status.memberships_on(campaign, day).values("premises_id")
    )
    if area is not None:
        premises = premises.filter(building__grid_id__in=area.grid_ids())
    return premises


# --- the frozen figures: the daily report's snapshots ---------------------------------------------------
# The area, four-category, burn-down and forecast figures are read from the daily report (firegrid.reports):
# one snapshot a day, frozen at 17:00 or on demand, with every figure already counted. Counting 657,000
# targets' progress from the plan history on every page view took seconds; reading the rows takes
# milliseconds. A figure shown from a snapshot is "as of" that day, and its drill-down is the report's list
# for that day, whose count is the figure.


def newest_snapshot(campaign: Campaign, today: dt.date | None = None) -> DailySnapshot | None:
    """The newest version of the newest report up to today: today's once made, else the latest day's."""
    today = today or timezone.localdate()
    return (
        DailySnapshot.objects.filter(campaign=campaign, day__lte=today)
        .order_by("-day", "-version")
        .select_related("campaign")
        .first()
    )


def scope_keys(user: User) -> list[tuple[str, str]]:
    """The report rows that add up to the user's own scope: the district total for the command; an area
    officer's own areas (an area inside another of theirs is counted once, in the outer one)."""
    if user.is_district_wide:
        return [(Dimension.TOTAL, ALL)]
    roots = sorted(user.scope_paths, key=len)
    outer = [p for i, p in enumerate(roots) if not any(p.startswith(o) for o in roots[:i])]
    keys: list[tuple[str, str]] = []
    for area in Area.objects.filter(path__in=outer):
        dimension = AREA_DIMENSIONS.get(area.level)
        keys.append((dimension, str(area.pk)) if dimension else (Dimension.TOTAL, ALL))
    return keys


def keys_q(keys: list[tuple[str, str]]) -> Q:
    q = Q(pk__in=[])
    for dimension, key in keys:
        q |= Q(dimension=dimension, key=key)
    return q


def row_progress(row: SnapshotRow | None) -> Counter[str]:
    """A report row's figures as targets by progress (the row keeps "surveyed", not "not surveyed")."""
    counts: Counter[str] = Counter()
    if row is None:
        return counts
    counts[Progress.NOT_SURVEYED] = row.in_scope - row.surveyed
    for progress in CHART_PROGRESS[1:]:
        counts[progress] = getattr(row, progress.value)
    counts[Progress.CANCELLED] = row.cancelled
    return counts


def snapshot_list_url(snapshot: DailySnapshot, row: SnapshotRow, progress: str) -> str:
    """The premises behind one progress figure of a report row, as of the snapshot's day: the report's own
    drill-down list; "not surveyed" (a figure the report prints as in scope − surveyed) has the
    dashboard's list over the same row and day."""
    query = {"dimension": row.dimension, "key": row.key, "version": snapshot.version}
    if progress in FIGURE_PROGRESS:
        base = reverse("reports:premises", args=[snapshot.campaign.code, snapshot.day.isoformat()])
        query["figure"] = progress
    else:
        base = reverse("dashboards:snapshot_premises", args=[snapshot.campaign_id, snapshot.day.isoformat()])
        query["progress"] = progress
    return f"{base}?{urlencode(query)}"


def scope_rows(snapshot: DailySnapshot | None, user: User) -> list[SnapshotRow]:
    if snapshot is None:
        return []
    return list(snapshot.rows.filter(keys_q(scope_keys(user))))


def summary(
    snapshot: DailySnapshot | None, rows: list[SnapshotRow]
) -> tuple[dict[str, int | float], dict[str, str]]:
    """The headline figures of the user's scope in the snapshot, and their lists (one row: one list)."""
    counts: Counter[str] = sum((row_progress(r) for r in rows), start=Counter())
    in_scope = sum(r.in_scope for r in rows)
    accepted = counts[Progress.ACCEPTED]
    figures: dict[str, int | float] = {
        "targets": in_scope,
        "accepted": accepted,
        "open": sum(counts[p] for p in OPEN_PROGRESS),
        "completion": status.completion(accepted, in_scope, counts[Progress.CANCELLED]),
    }
    links = {"targets": "", "accepted": ""}
    if snapshot is not None and len(rows) == 1:
        links = {
            "targets": snapshot_list_url(snapshot, rows[0], "in_scope"),
            "accepted": snapshot_list_url(snapshot, rows[0], Progress.ACCEPTED.value),
        }
    return figures, links


# --- (a) burn-down ------------------------------------------------------------------------------------


def _open(in_scope: int, accepted: int, cancelled: int) -> int:
    return in_scope - accepted - cancelled


class OpenOn(TypedDict):
    """The open targets on a report day, as that report counted them (as known when it was made): where
    today's live count starts from."""

    day: dt.date
    known_at: dt.datetime
    open: int


def live_open_today(campaign: Campaign, user: User, today: dt.date, base: OpenOn | None) -> int:
    """Today's open targets in the user's scope before today's report is made.

    From the newest earlier report (`base`: its day, the instant it was made and its open count) plus what
    changed since: only the premises with a plan move the report did not count, or whose membership
    changed since (joined or left after its day, or recorded after it was made), are looked at — open
    and a member then (as the report knew it) vs open and a member today. Accepted and cancelled are the
    only closed progress values, and a survey never closes anything, so nothing else changes the count.
    Without any earlier report: one grouped count over today's targets.
    """
    premises = visible_targets(campaign, user, day=today)
    closed = [Progress.ACCEPTED.value, Progress.CANCELLED.value]
    if base is None:
        counts = (
            status.with_progress(premises, campaign, today)
            .order_by()
            .aggregate(total=Count("pk"), closed=Count("pk", filter=Q(progress__in=closed)))
        )
        return counts["total"] - counts["closed"]
    day, known_at = base["day"], base["known_at"]
    # The report counted the moves before its day ended and by the instant it was made.
    counted_until = min(status.day_end(day), known_at + dt.timedelta(microseconds=1))
    moved = PlanMove.objects.filter(
        plan__campaign=campaign, time__gte=counted_until, time__lt=status.day_end(today)
    ).values("plan__premises_id")
    changed = CampaignTarget.objects.filter(
        Q(added_at__gt=known_at) | Q(left_at__gt=known_at) | Q(joined_on__gt=day) | Q(left_on__gt=day),
        campaign=campaign,
    ).values("premises_id")
    touched = Premises.objects.visible_to(user).filter(Q(pk__in=moved) | Q(pk__in=changed))

    def member(on: dt.date, known: dt.datetime | None) -> Exists:
        return Exists(status.memberships_on(campaign, on, known).filter(premises=OuterRef("pk")))

    still_open = list(OPEN_PROGRESS)
    change = (
        touched.annotate(
            member_then=member(day, known_at),
            member_now=member(today, None),
            then=status.progress_on(campaign, day, known_at=known_at),
            now=status.progress_on(campaign, today),
        )
        .order_by()
        .aggregate(
            open_then=Count("pk", filter=Q(member_then=True, then__in=still_open)),
            open_now=Count("pk", filter=Q(member_now=True, now__in=still_open)),
        )
    )
    return base["open"] - change["open_then"] + change["open_now"]


class BurnDown(TypedDict):
    """The burn-down's series: open targets at the end of each day, against the ideal line."""

    days: list[str]
    actual: list[int | None]
    ideal: list[float]
    total: int
    missing: list[str]  # days without a daily report (gaps in the line)
    live_today: bool  # today's point is counted live


def burn_down(campaign: Campaign, user: User, today: dt.date | None = None) -> BurnDown:
    """Open targets (in scope − accepted − cancelled) at the end of each day, against the ideal line.

    Each past day's figure is that day's report (its newest version) for the user's scope: one query for
    the whole campaign. A day without a report is a gap (`missing`), not recomputed. Today, until its
    report is made, is counted live (`live_open_today`).
    """
    today = today or timezone.localdate()
    last = min(today, campaign.ends_on)
    rows = (
        SnapshotRow.objects.filter(
            keys_q(scope_keys(user)),
            snapshot__campaign=campaign,
            snapshot__day__gte=campaign.starts_on,
            snapshot__day__lte=last,
        )
        .order_by("snapshot__day", "snapshot__version")
        .values_list(
            "snapshot__day",
            "snapshot__version",
            "snapshot__generated_at",
            "in_scope",
            "accepted",
            "cancelled",
        )
    )
    by_day: dict[dt.date, dict[int, list[int]]] = defaultdict(dict)
    made_at: dict[tuple[dt.date, int], dt.datetime] = {}
    for day, version, generated_at, in_scope, accepted, cancelled in rows:
        # Ordered by version: the newest version of the day is written last.
        version_rows = by_day[day].setdefault(version, [0, 0, 0])
        made_at[(day, version)] = generated_at
        for i, value in enumerate((in_scope, accepted, cancelled)):
            version_rows[i] += value
    figures = {day: versions[max(versions)] for day, versions in by_day.items()}
    known = {day: made_at[(day, max(versions))] for day, versions in by_day.items()}
    days = [
        campaign.starts_on + dt.timedelta(days=i)
        for i in range((campaign.ends_on - campaign.starts_on).days + 1)
    ]
    actual: list[int | None] = []
    live = False
    for day in days:
        if day in figures:
            actual.append(_open(*figures[day]))
        elif day == today and day <= last:
            earlier = [d for d in figures if d < today]
            base = None
            if earlier:
                last = max(earlier)
                base = OpenOn(day=last, known_at=known[last], open=_open(*figures[last]))
            actual.append(live_open_today(campaign, user, today, base))
            live = True
        else:
            actual.append(None)
    total = figures[max(figures)][0] if figures else visible_targets(campaign, user).count()
    span = max(len(days) - 1, 1)
    return {
        "days": [d.isoformat() for d in days],
        "actual": actual,
        "ideal": [round(total * (1 - i / span), 1) for i in range(len(days))],
        "total": total,
        "missing": [
            d.isoformat() for d in days if d <= last and d not in figures and not (live and d == today)
        ],
        "live_today": live,
    }


# --- (b) completion by area ---------------------------------------------------------------------------


@dataclass
class AreaProgress:
    area: Area
    counts: Counter[str] = field(default_factory=Counter)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def completion(self) -> float:
        in_scope = sum(self.counts[p] for p in CHART_PROGRESS) + self.counts[Progress.CANCELLED]
        return status.completion(self.counts[Progress.ACCEPTED], in_scope, self.counts[Progress.CANCELLED])


def chart_areas(user: User) -> list[Area]:
    """The areas one level below the user's scope (subdistricts for the command); a grid worker's grids."""
    roots = list(Area.objects.filter(path__in=user.scope_paths).order_by("code"))
    parents = [a for a in roots if a.level != AreaLevel.GRID]
    children = list(Area.objects.filter(parent__in=parents).order_by("code")) if parents else []
    return children + [a for a in roots if a.level == AreaLevel.GRID]


def by_area(
    snapshot: DailySnapshot | None, user: User, areas: list[Area] | None = None
) -> list[AreaProgress]:
    """Each chart area's (or each of `areas`') row of the snapshot (an area with no targets has no row:
    zeros, no links)."""
    rows = [AreaProgress(area) for area in (chart_areas(user) if areas is None else areas)]
    if snapshot is None or not rows:
        return rows
    keys = [(AREA_DIMENSIONS.get(r.area.level), str(r.area.pk)) for r in rows]
    # An area level without a report dimension (the district) has no row: None never matches.
    found: dict[tuple[str | None, str], SnapshotRow] = {
        (row.dimension, row.key): row
        for row in visible_rows(snapshot, user).filter(keys_q([(d, k) for d, k in keys if d]))
    }
    for progress_row, key in zip(rows, keys, strict=True):
        row = found.get(key)
        progress_row.counts = row_progress(row)
        progress_row.links = {
            p.value: snapshot_list_url(snapshot, row, p.value) if row else "" for p in CHART_PROGRESS
        }
    return rows


# --- (c) hazards by checklist category ----------------------------------------------------------------


def campaign_hazards(campaign: Campaign, user: User) -> QuerySet[Hazard]:
    """Hazards found during the campaign (between its first day and the end of its last) at its target
    premises (on its reference day) that the user may see (void ones are no hazards). A hazard found after
    the campaign — at a 2019 target by today's patrol — is not the campaign's.

    Matched on the target rows' premises ids, not through registry_premises: at scale 600 that join
    hashed 657,000 premises rows for nothing (3.1 s → 1.5 s under EXPLAIN ANALYZE)."""
    targets = status.memberships_on(campaign, status.reference_day(campaign)).values("premises_id")
    return Hazard.objects.visible_to(user).filter(
        premises_id__in=targets,
        found_at__gte=status.day_end(campaign.starts_on - dt.timedelta(days=1)),
        found_at__lt=status.day_end(campaign.ends_on),
    )


class CategoryHazards(TypedDict):
    """One checklist category's hazards by bucket, each with the URL of its list."""

    code: str
    name: str
    counts: dict[str, int]
    links: dict[str, str]


def hazards_by_category(campaign: Campaign, user: User) -> list[CategoryHazards]:
    bucket_of = {s: bucket for bucket, statuses in BUCKET_STATUSES.items() for s in statuses}
    # Grouped by checklist item (a column of the hazard), mapped to categories here: no join per hazard.
    category_of = dict(ChecklistItem.objects.values_list("pk", "category"))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item_id, hazard_status, n in (
        campaign_hazards(campaign, user)
        .filter(status__in=list(bucket_of))
        .order_by()
        .values_list("item_id", "status")
        .annotate(n=Count("id"))
    ):
        counts[category_of[item_id]][bucket_of[hazard_status]] += n
    template = ChecklistTemplate.objects.current()
    return [
        {
            "code": code,
            "name": template.category_name(code) if template else code,
            "counts": {b.value: counts[code][b] for b in HazardBucket},
            "links": {
                b.value: dashboard_list_url("hazards", campaign, category=code, bucket=b.value)
                for b in HazardBucket
            },
        }
        for code in sorted(counts)
    ]


# --- (d) overdue ageing -------------------------------------------------------------------------------


def overdue_plans(campaign: Campaign, user: User, today: dt.date | None = None) -> QuerySet[Plan]:
    """Open plans of the campaign (made during it) past their deadline, as the plan list's 已过整改期限
    filter counts them."""
    today = today or timezone.localdate()
    return Plan.objects.visible_to(user).filter(
        campaign=campaign,
        state__in=OPEN_STATES,
        deadline__lt=today,
        created_at__lt=status.day_end(campaign.ends_on),
    )


def age_range(bucket: str, today: dt.date) -> dict[str, dt.date]:
    """The deadline range of an ageing bucket as filter kwargs: 1–3 days past → deadline in [today−3, today−1]."""
    first, last = AGE_BUCKETS[bucket]
    lookups = {"deadline__lte": today - dt.timedelta(days=first)}
    if last is not None:
        lookups["deadline__gte"] = today - dt.timedelta(days=last)
    return lookups


class Figure(TypedDict):
    """One bar or slice: its key, label and value, and the URL of the list behind it ("" when none)."""

    key: str
    name: str
    value: int
    url: str


def overdue_ageing(campaign: Campaign, user: User, today: dt.date | None = None) -> list[Figure]:
    today = today or timezone.localdate()
    plans = overdue_plans(campaign, user, today)
    counts = plans.aggregate(**{key: Count("id", filter=Q(**age_range(key, today))) for key in AGE_BUCKETS})
    labels = {"1-3": _("1–3天"), "4-7": _("4–7天"), "8-14": _("8–14天"), "15-": _("15天以上")}
    return [
        {
            "key": key,
            "name": labels[key],
            "value": counts[key],
            "url": dashboard_list_url("overdue_plans", campaign, age=key),
        }
        for key in AGE_BUCKETS
    ]


# --- (e) four-category progress -----------------------------------------------------------------------


def four_category_progress(snapshot: DailySnapshot | None, user: User) -> list[Figure]:
    """The report's four-category section (all four-category landlords' targets), for those who may read
    it (the command; area officers' reports have no such section)."""
    row = None
    if snapshot is not None:
        row = visible_rows(snapshot, user).filter(dimension=Dimension.FOUR_CATEGORY, key=ALL).first()
    counts = row_progress(row)
    return [
        {
            "key": p.value,
            "name": str(p.label),
            "value": counts[p],
            "url": snapshot_list_url(snapshot, row, p.value) if snapshot and row else "",
        }
        for p in CHART_PROGRESS
    ]
