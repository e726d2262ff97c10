"""The monthly verification draw (自查抽检, 1st of the month at 01:00 Asia/Shanghai): the period that has
just ended is drawn. Idempotent: a period is drawn once, a second run returns the recorded draw."""

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


@job("longterm.draw_verifications", schedule="0 1 1 * *", label=gettext_lazy("抽取房东自查核实样本"))
def draw_verifications(run: JobRun, **params: Any) -> dict[str, Any]:
    try:
        today = dt.date.fromisoformat(run.key)
    except (TypeError, ValueError):
        today = timezone.localdate()
    # With a period of several months, only the 1st that starts a new period ends one.
    if period_of(today) == period_of(today - dt.timedelta(days=1)):
        return {"drawn": 0, "period": None}
    draw = services.draw_verifications(previous_period(today), actor=None)
    return {
        "period": draw.period.isoformat(),
        "population": draw.population,
        "drawn": draw.self_inspections.count(),
        "seed": draw.seed,
    }
