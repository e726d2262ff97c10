"""When will each grid and each unit be done? A forecast from the pace of the last seven days.

Read from the daily report's snapshots, not from the plan history: the newest report day D gives what is
left (in scope − accepted − cancelled), and the reports of D−7 … D give the pace — premises accepted
per day is each day's rise in the row's accepted figure over the report before it (a fall, a reopened
premises, counts as none), summed over the seven days after D−7. Days without a report add their rise
to the next report's. The forecast is counted from D.

Pace = premises accepted over the last seven days (D and the six days before) ÷ 7. Days needed =
the open targets left ÷ pace, rounded up; the forecast date is today plus those days. With no
acceptance in seven days there is no pace and no date (无法预计) — and with targets left, such a grid
will miss any deadline, so it is on the warning list too. A grid's deadline is the campaign's end; a
unit's is the four-category milestone (its claimed landlords are four-category), else the campaign's end.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from firegrid.campaigns import status
from firegrid.campaigns.choices import MilestoneScope
from firegrid.campaigns.models import Campaign
from firegrid.reports.models import DailySnapshot, Dimension, SnapshotRow
from firegrid.reports.services import visible_rows

from .figures import target_list_url

if TYPE_CHECKING:
    from firegrid.areas.models import User

# A report row's figures as the pace reads them: name, in scope, accepted, cancelled.
Figures = tuple[str, int, int, int]

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


@dataclass
class Paced:
    """One grid's or unit's row in the newest report, and its acceptances over the window before it."""

    key: str
    name: str
    remaining: int
    accepted_recently: int


def paced_rows(snapshot: DailySnapshot, dimension: str, keys: set[str]) -> list[Paced]:
    """The rows of `dimension` (those in `keys`) of the snapshot's day, with their pace: one query over
    the reports of the window's eight days (D−7 … D, newest version of each)."""
    rows = (
        SnapshotRow.objects.filter(
            snapshot__campaign_id=snapshot.campaign_id,
            snapshot__day__gte=snapshot.day - dt.timedelta(days=WINDOW_DAYS),
            snapshot__day__lte=snapshot.day,
            dimension=dimension,
        )
        .order_by("snapshot__day", "snapshot__version")
        .values_list("snapshot__day", "snapshot__version", "key", "name", "in_scope", "accepted", "cancelled")
    )
    by_version: dict[tuple[dt.date, int], list[tuple[str, Figures]]] = defaultdict(list)
    for day, version, key, name, in_scope, accepted, cancelled in rows:
        if key in keys:
            by_version[(day, version)].append((key, (name, in_scope, accepted, cancelled)))
    newest_version: dict[dt.date, int] = {}
    for day, version in by_version:
        newest_version[day] = max(version, newest_version.get(day, 0))
    history: dict[str, dict[dt.date, Figures]] = defaultdict(dict)
    for day, version in newest_version.items():
        for key, figures in by_version[(day, version)]:
            history[key][day] = figures
    out: list[Paced] = []
    for key, days in history.items():
        if snapshot.day not in days:
            continue  # not in the newest report (its targets left the campaign, its claim ended)
        name, in_scope, accepted, cancelled = days[snapshot.day]
        accepted_by_day = [days[d][2] for d in sorted(days)]
        rises = sum(max(b - a, 0) for a, b in itertools.pairwise(accepted_by_day))
        out.append(Paced(key, name, in_scope - accepted - cancelled, rises))
    return out


def four_category_deadline(campaign: Campaign) -> dt.date:
    milestone = campaign.milestones.filter(scope=MilestoneScope.FOUR_CATEGORY).order_by("due_on").first()
    return milestone.due_on if milestone else campaign.ends_on


def _visible_keys(snapshot: DailySnapshot, user: User, dimension: str) -> set[str]:
    return set(visible_rows(snapshot, user).filter(dimension=dimension).values_list("key", flat=True))


def grid_forecasts(campaign: Campaign, user: User, snapshot: DailySnapshot | None) -> list[Forecast]:
    """Each grid the user may read in the report, from the newest report and the seven days before it."""
    if snapshot is None:
        return []
    keys = _visible_keys(snapshot, user, Dimension.GRID)
    rows = [
        forecast(
            row.name,
            row.remaining,
            row.accepted_recently,
            campaign.ends_on,
            snapshot.day,
            target_list_url(campaign, area=row.key),
        )
        for row in paced_rows(snapshot, Dimension.GRID, keys)
    ]
    return sorted(rows, key=lambda f: f.name)


def unit_forecasts(campaign: Campaign, user: User, snapshot: DailySnapshot | None) -> list[Forecast]:
    """Each claiming unit's forecast over its claimed landlords' targets (the report's unit rows)."""
    if snapshot is None:
        return []
    keys = _visible_keys(snapshot, user, Dimension.UNIT)
    deadline = four_category_deadline(campaign)
    rows = [
        forecast(
            row.name,
            row.remaining,
            row.accepted_recently,
            deadline,
            snapshot.day,
            target_list_url(campaign, unit=row.key),
        )
        for row in paced_rows(snapshot, Dimension.UNIT, keys)
    ]
    return sorted(rows, key=lambda f: f.name)
