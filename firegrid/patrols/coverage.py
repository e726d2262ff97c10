"""Weekly patrol coverage (巡查覆盖): THE definition of "a building patrolled in a week", used by the
figures, their drill-down lists and route planning alike.

A building is patrolled in an ISO week (Monday 00:00 to the next Monday, Asia/Shanghai) when a scan of it
— its plate, or a premises' door code in it — was recorded in that week, on any patrol. A scan off the
route or outside the window counts (it is a real visit, flagged for a look); a scan whose flag a
supervisor confirmed as fabricated does not.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .choices import FlagStatus
from .models import FabricationFlag, PatrolScan


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The ISO week holding `day`, as aware times [Monday 00:00, next Monday 00:00)."""
    monday = week_start(day)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min))
    return start, end


def week_label(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def counted_scans(day: dt.date) -> QuerySet[PatrolScan]:
    """The scans of `day`'s week that count for coverage (all but those confirmed as fabricated)."""
    start, end = week_bounds(day)
    confirmed = FabricationFlag.objects.filter(scan=OuterRef("pk"), status=FlagStatus.CONFIRMED)
    return PatrolScan.objects.filter(scanned_at__gte=start, scanned_at__lt=end).exclude(Exists(confirmed))


def patrolled_q(day: dt.date) -> Q:
    """Over buildings: patrolled in `day`'s week."""
    return Q(Exists(counted_scans(day).filter(building=OuterRef("pk"))))
