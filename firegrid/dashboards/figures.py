"""The campaign dashboard's figures: each chart's data, with the URL of the list behind every bar.

Every figure is counted on the rows the user may see (`visible_to`), and every bar or slice carries the
URL of a list that shows exactly those rows, so the list's count equals the figure (tested). Progress
is the one definition in `firegrid.campaigns.status`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, grids_within
from firegrid.campaigns import status
from firegrid.campaigns.choices import ClaimStatus
from firegrid.campaigns.models import Campaign, Claim
from firegrid.campaigns.status import Progress
from firegrid.inspections.choices import BUCKET_STATUSES, HazardBucket
from firegrid.inspections.models import ChecklistTemplate, Hazard
from firegrid.rectification.choices import OPEN_STATES, MoveName, PlanState
from firegrid.rectification.models import Plan, PlanMove
from firegrid.registry.models import Premises

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
CLOSING_STATES = (PlanState.ACCEPTED, PlanState.CANCELLED)
# Colours follow the hazard buckets users know: red to fix, orange in hand, green done.
PROGRESS_COLOURS = {
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


def may_view_dashboard(user) -> bool:
    """The command (commander, admin, department officers) and area officers, who see their areas.
    A unit liaison follows their landlords on the unit's page; landlords and contractors have no dashboard."""
    from firegrid.areas.choices import AREA_ROLES

    return user.is_authenticated and (user.is_district_wide or user.role in AREA_ROLES)


def target_list_url(campaign: Campaign, **params) -> str:
    """The campaign's target list (整治对象) filtered by `params`; blank while that page does not exist."""
    for args, extra in (([campaign.pk], {}), ([], {"campaign": campaign.pk})):
        try:
            base = reverse("campaigns:target_list", args=args)
        except NoReverseMatch:
            continue
        query = urlencode({**extra, **params})
        return f"{base}?{query}" if query else base
    return ""


def dashboard_list_url(name: str, campaign: Campaign, **params) -> str:
    query = urlencode(params)
    return reverse(f"dashboards:{name}", args=[campaign.pk]) + (f"?{query}" if query else "")


def visible_targets(campaign: Campaign, user, area: Area | None = None):
    premises = status.targets(campaign) & Premises.objects.visible_to(user)
    if area is not None:
        premises = premises.filter(building__grid_id__in=area.grid_ids())
    return premises


def progress_by_grid(campaign: Campaign, user, day: dt.date | None = None) -> dict[int, Counter]:
    """{grid id: Counter(progress → premises)} for the user's visible targets: one grouped query."""
    rows = (
        status.with_progress(visible_targets(campaign, user), campaign, day)
        .order_by()
        .values_list("building__grid_id", "progress")
        .annotate(n=Count("id"))
    )
    by_grid: dict[int, Counter] = defaultdict(Counter)
    for grid_id, progress, n in rows:
        by_grid[grid_id][progress] += n
    return by_grid


# --- (a) burn-down ------------------------------------------------------------------------------------


def burn_down(campaign: Campaign, user, today: dt.date | None = None) -> dict:
    """Open targets at the end of each day from the start to the deadline, against the ideal line.

    A premises is closed on a day when its latest plan move by then is to accepted or cancelled (as in
    `status`). Closed states are final and a premises has one open plan per campaign at a time, so the
    closed count on day D is (closing moves up to D) − (plans created up to D after an earlier plan of
    that premises had closed). Both are counted per day in one grouped query, then summed here: a
    sixty-day series costs one query, not sixty.
    """
    today = today or timezone.localdate()
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    premises = visible_targets(campaign, user)
    total = premises.count()
    last = min(today, campaign.ends_on)
    reopening = Q(name=MoveName.CREATE) & Q(
        Exists(
            Plan.objects.filter(
                campaign=campaign, premises=OuterRef("plan__premises"), pk__lt=OuterRef("plan")
            )
        )
    )
    rows = (
        PlanMove.objects.filter(
            plan__campaign=campaign, plan__premises__in=premises.values("pk"), time__lt=status.day_end(last)
        )
        .filter(Q(to_state__in=CLOSING_STATES) | reopening)
        .annotate(day=TruncDate("time", tzinfo=zone))
        .order_by()
        .values("day")
        .annotate(
            closed=Count("id", filter=Q(to_state__in=CLOSING_STATES)),
            reopened=Count("id", filter=Q(name=MoveName.CREATE)),
        )
        .values_list("day", "closed", "reopened")
    )
    change = Counter()
    for day, closed, reopened in rows:
        # Whatever closed before the start already counts on the first day.
        change[max(day, campaign.starts_on)] += closed - reopened
    days = [
        campaign.starts_on + dt.timedelta(days=i)
        for i in range((campaign.ends_on - campaign.starts_on).days + 1)
    ]
    span = max(len(days) - 1, 1)
    actual, ideal, closed_so_far = [], [], 0
    for i, day in enumerate(days):
        ideal.append(round(total * (1 - i / span), 1))
        if day <= last:
            closed_so_far += change[day]
            actual.append(total - closed_so_far)
        else:
            actual.append(None)
    return {"days": [d.isoformat() for d in days], "actual": actual, "ideal": ideal, "total": total}


# --- (b) completion by area ---------------------------------------------------------------------------


@dataclass
class AreaProgress:
    area: Area
    counts: Counter = field(default_factory=Counter)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def completion(self) -> float:
        in_scope = sum(self.counts[p] for p in CHART_PROGRESS) + self.counts[Progress.CANCELLED]
        return status.completion(self.counts[Progress.ACCEPTED], in_scope, self.counts[Progress.CANCELLED])


def chart_areas(user) -> list[Area]:
    """The areas one level below the user's scope (subdistricts for the command); a grid worker's grids."""
    roots = list(Area.objects.filter(path__in=user.scope_paths).order_by("code"))
    parents = [a for a in roots if a.level != AreaLevel.GRID]
    children = list(Area.objects.filter(parent__in=parents).order_by("code")) if parents else []
    return children + [a for a in roots if a.level == AreaLevel.GRID]


def by_area(campaign: Campaign, user, grid_counts: dict[int, Counter]) -> list[AreaProgress]:
    rows = [AreaProgress(area) for area in chart_areas(user)]
    by_pk = {row.area.pk: row for row in rows}
    membership = grids_within(row.area for row in rows)
    for grid_id, counts in grid_counts.items():
        for area in membership.get(grid_id, []):
            by_pk[area.pk].counts.update(counts)
    for row in rows:
        row.links = {
            p.value: target_list_url(campaign, area=row.area.pk, progress=p.value) for p in CHART_PROGRESS
        }
    return rows


# --- (c) hazards by checklist category ----------------------------------------------------------------


def campaign_hazards(campaign: Campaign, user):
    """Hazards found at the campaign's target premises that the user may see (void ones are no hazards)."""
    return Hazard.objects.visible_to(user).filter(premises__in=status.targets(campaign).values("pk"))


def hazards_by_category(campaign: Campaign, user) -> list[dict]:
    bucket_of = {s: bucket for bucket, statuses in BUCKET_STATUSES.items() for s in statuses}
    counts: dict[str, Counter] = defaultdict(Counter)
    for category, hazard_status, n in (
        campaign_hazards(campaign, user)
        .order_by()
        .values_list("item__category", "status")
        .annotate(n=Count("id"))
    ):
        if hazard_status in bucket_of:
            counts[category][bucket_of[hazard_status]] += n
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


def overdue_plans(campaign: Campaign, user, today: dt.date | None = None):
    """Open plans of the campaign past their deadline, as the plan list's 已过整改期限 filter counts them."""
    today = today or timezone.localdate()
    return Plan.objects.visible_to(user).filter(campaign=campaign, state__in=OPEN_STATES, deadline__lt=today)


def age_range(bucket: str, today: dt.date) -> dict:
    """The deadline range of an ageing bucket as filter kwargs: 1–3 days past → deadline in [today−3, today−1]."""
    first, last = AGE_BUCKETS[bucket]
    lookups = {"deadline__lte": today - dt.timedelta(days=first)}
    if last is not None:
        lookups["deadline__gte"] = today - dt.timedelta(days=last)
    return lookups


def overdue_ageing(campaign: Campaign, user, today: dt.date | None = None) -> list[dict]:
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


def claimed_landlords(campaign: Campaign) -> dict[int, int]:
    """{landlord id: unit id} of the campaign's active claims (one unit per landlord per campaign)."""
    return dict(
        Claim.objects.filter(campaign=campaign, status=ClaimStatus.ACTIVE).values_list(
            "landlord_id", "unit_id"
        )
    )


def four_category_progress(campaign: Campaign, user) -> list[dict]:
    premises = visible_targets(campaign, user).filter(
        landlord__claims__campaign=campaign, landlord__claims__status=ClaimStatus.ACTIVE
    )
    counts = dict(
        status.with_progress(premises, campaign).order_by().values_list("progress").annotate(n=Count("id"))
    )
    return [
        {
            "key": p.value,
            "name": str(p.label),
            "value": counts.get(p.value, 0),
            "url": target_list_url(campaign, claimed="true", progress=p.value),
        }
        for p in CHART_PROGRESS
    ]
