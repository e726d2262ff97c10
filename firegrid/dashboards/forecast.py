"""When will each grid and each unit be done? A forecast from the pace of the last seven days.

Pace = premises accepted over the last seven days (today and the six days before) ÷ 7. Days needed =
the open targets left ÷ pace, rounded up; the forecast date is today plus those days. With no
acceptance in seven days there is no pace and no date (无法预计) — and with targets left, such a grid
will miss any deadline, so it is on the warning list too. A grid's deadline is the campaign's end; a
unit's is the four-category milestone (its claimed landlords are four-category), else the campaign's end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import Area, Unit
from firegrid.campaigns import status
from firegrid.campaigns.choices import MilestoneScope
from firegrid.campaigns.models import Campaign
from firegrid.core.filters import filtered_list_url
from firegrid.rectification.choices import PlanState
from firegrid.rectification.models import PlanMove

from .figures import OPEN_PROGRESS, claimed_landlords, progress_by_grid, target_list_url, visible_targets

WINDOW_DAYS = 7


@dataclass
class Forecast:
    name: str
    remaining: int
    accepted_recently: int  # accepted in the last WINDOW_DAYS days
    deadline: dt.date
    finish_on: dt.date | None  # None: done already, or no pace to forecast from
    url: str = ""

    @property
    def done(self) -> bool:
        return self.remaining == 0

    @property
    def predictable(self) -> bool:
        return self.done or self.accepted_recently > 0

    @property
    def will_miss(self) -> bool:
        if self.done:
            return False
        return self.finish_on is None or self.finish_on > self.deadline

    @property
    def per_day(self) -> float:
        return round(self.accepted_recently / WINDOW_DAYS, 1)

    @property
    def finish_text(self) -> str:
        if self.done:
            return _("已完成")
        if self.finish_on is None:
            return _("无法预计")
        return self.finish_on.isoformat()


def forecast(
    name: str, remaining: int, accepted_recently: int, deadline: dt.date, today: dt.date, url: str = ""
) -> Forecast:
    """The forecast for one grid or unit: see the module's docstring for the rule."""
    finish_on = None
    if remaining > 0 and accepted_recently > 0:
        finish_on = today + dt.timedelta(days=math.ceil(remaining * WINDOW_DAYS / accepted_recently))
    return Forecast(name, remaining, accepted_recently, deadline, finish_on, url)


def window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The last seven days, today included, as [start, end) instants in the site's time zone."""
    return status.day_end(today - dt.timedelta(days=WINDOW_DAYS)), status.day_end(today)


def _accepted_recently(campaign: Campaign, premises, key: str, today: dt.date) -> Counter:
    """Premises accepted in the window, counted per `key` (a path from the premises)."""
    start, end = window(today)
    rows = (
        PlanMove.objects.filter(
            plan__campaign=campaign,
            plan__premises__in=premises.values("pk"),
            to_state=PlanState.ACCEPTED,
            time__gte=start,
            time__lt=end,
        )
        .order_by()
        .values_list(f"plan__premises__{key}")
        .annotate(n=Count("plan__premises", distinct=True))
    )
    return Counter(dict(rows))


def claims_url(campaign: Campaign, unit_id: int) -> str:
    """The unit's list: its active claims in the campaign (the target list has no unit filter)."""
    try:
        return filtered_list_url("campaigns:claim_list", campaign=campaign.pk, unit=unit_id, status="active")
    except NoReverseMatch:
        return ""


def four_category_deadline(campaign: Campaign) -> dt.date:
    milestone = campaign.milestones.filter(scope=MilestoneScope.FOUR_CATEGORY).order_by("due_on").first()
    return milestone.due_on if milestone else campaign.ends_on


def grid_forecasts(
    campaign: Campaign, user, today: dt.date | None = None, grid_counts=None
) -> list[Forecast]:
    today = today or timezone.localdate()
    grid_counts = grid_counts if grid_counts is not None else progress_by_grid(campaign, user, today)
    accepted = _accepted_recently(campaign, visible_targets(campaign, user), "building__grid_id", today)
    names = dict(Area.objects.filter(pk__in=grid_counts).values_list("pk", "name"))
    rows = [
        forecast(
            names[grid_id],
            sum(counts[p] for p in OPEN_PROGRESS),
            accepted[grid_id],
            campaign.ends_on,
            today,
            target_list_url(campaign, area=grid_id),
        )
        for grid_id, counts in grid_counts.items()
    ]
    return sorted(rows, key=lambda f: f.name)


def unit_forecasts(campaign: Campaign, user, today: dt.date | None = None) -> list[Forecast]:
    """Each claiming unit's forecast over its claimed landlords' target premises."""
    today = today or timezone.localdate()
    unit_of = claimed_landlords(campaign)
    if not unit_of:
        return []
    premises = visible_targets(campaign, user).filter(landlord_id__in=list(unit_of))
    remaining, accepted = Counter(), Counter()
    for landlord_id, progress, n in (
        status.with_progress(premises, campaign, today)
        .order_by()
        .values_list("landlord_id", "progress")
        .annotate(n=Count("id"))
    ):
        remaining[unit_of[landlord_id]] += n if progress in OPEN_PROGRESS else 0
        remaining.setdefault(unit_of[landlord_id], 0)
    for landlord_id, n in _accepted_recently(campaign, premises, "landlord_id", today).items():
        accepted[unit_of[landlord_id]] += n
    deadline = four_category_deadline(campaign)
    names = dict(Unit.objects.filter(pk__in=remaining).values_list("pk", "name"))
    rows = [
        forecast(names[unit_id], left, accepted[unit_id], deadline, today, claims_url(campaign, unit_id))
        for unit_id, left in remaining.items()
    ]
    return sorted(rows, key=lambda f: f.name)
