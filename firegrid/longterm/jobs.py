"""The self-inspection jobs (times in Asia/Shanghai), each idempotent:

- `longterm.draw_verifications` (1st of the month, 01:00): the verification draw of the period that has
  just ended; a period is drawn once, a second run returns the recorded draw.
- `longterm.remind_self_inspections` (daily, 09:30): in the last `FIREGRID_SELF_INSPECTION_REMIND_DAYS` days
  of a period, one reminder per landlord still owing (a notification keyed by landlord and period: sent once).
- `longterm.record_missed_self_inspections` (1st of the month, 00:15): a miss for every premises that owed
  the period just ended and has no self-inspection (unique per premises and period), and the pending
  photos of submissions never made are discarded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from firegrid.jobs import job

from . import services
from .selfcheck import period_of, previous_period

if TYPE_CHECKING:
    from firegrid.jobs.models import JobRun


def run_day(run: JobRun) -> dt.date:
    """The day a scheduled run is for (its key), or today for a run started by hand."""
    try:
        return dt.date.fromisoformat(run.key)
    except (TypeError, ValueError):
        return timezone.localdate()


def starts_a_period(day: dt.date) -> bool:
    # With a period of several months, only the 1st that starts a new period ends one.
    return period_of(day) != period_of(day - dt.timedelta(days=1))


@job("longterm.draw_verifications", schedule="0 1 1 * *", label=gettext_lazy("抽取房东自查核实样本"))
def draw_verifications(run: JobRun, **params: Any) -> dict[str, Any]:
    today = run_day(run)
    if not starts_a_period(today):
        return {"drawn": 0, "period": None}
    draw = services.draw_verifications(previous_period(today), actor=None)
    return {
        "period": draw.period.isoformat(),
        "population": draw.population,
        "drawn": draw.self_inspections.count(),
        "seed": draw.seed,
    }


@job("longterm.remind_self_inspections", schedule="30 9 * * *", label=gettext_lazy("提醒房东按期自查"))
def remind_self_inspections(run: JobRun, **params: Any) -> dict[str, Any]:
    today = run_day(run)
    return {"period": period_of(today).isoformat(), "reminders_sent": services.remind_self_inspections(today)}


@job(
    "longterm.record_missed_self_inspections",
    schedule="15 0 1 * *",
    label=gettext_lazy("记录逾期未自查"),
)
def record_missed_self_inspections(run: JobRun, **params: Any) -> dict[str, Any]:
    today = run_day(run)
    if not starts_a_period(today):
        return {"missed": 0, "period": None}
    period = previous_period(today)
    misses = services.record_missed_self_inspections(period, today=today, actor=None)
    start = timezone.make_aware(dt.datetime.combine(period, dt.time.min))
    discarded = services.discard_pending_photos(before=start)
    return {"period": period.isoformat(), "missed": len(misses), "pending_photos_discarded": discarded}
