"""自查与核实不符 as a reason of the risk grade: what "a full inspection is due" after a contradicted
self-inspection means here.

The visit that contradicts a self-report is itself a full inspection (every inspected visit answers every
applicable checklist item, and its failures become hazards with their plan). What follows is that the
premises is treated as high risk for `FIREGRID_SELF_INSPECTION_WATCH_MONTHS` after the visit: the rule below
adds the reason "自查与核实不符" weighing the rule set's red cut-off, so the grade is red whatever else,
the next full re-inspection falls due the red interval after that visit (30 days by default; it enters the
work queue as 今日到期复查, then 逾期复查), and every re-inspection in the watch keeps that interval. The same
watch has all the premises' self-inspections drawn for verification (`services.watched_premises_ids`).
The nightly recomputation drops the reason when the watch ends.

Registered with risk's hooks (`register_fact_provider`, `register_rule`) from `LongtermConfig.ready()`:
risk sits below this app and never imports it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from firegrid.risk.rules import Facts, Reason

from .models import Verification

FACT = "self_inspection_contradicted"
REASON = gettext_noop("自查与核实不符（%(date)s 核实，%(until)s 前按高风险管理）")


def watch_months() -> int:
    return int(settings.FIREGRID_SELF_INSPECTION_WATCH_MONTHS)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def watch_until(verified_on: dt.date) -> dt.date:
    """The first day a contradiction verified on `verified_on` no longer weighs on the grade."""
    return shift_months(verified_on, watch_months())


def contradiction_facts(premises_ids: list[int], on: dt.date) -> dict[int, dt.date]:
    """premises id → the day of its latest contradicted verification still in the watch on `on` (one query
    per chunk of premises, as risk's fact providers must)."""
    since = shift_months(on, -watch_months())
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    latest = (
        Verification.objects.filter(
            contradicted=True, self_inspection__premises_id__in=premises_ids, verified_at__gte=start
        )
        .order_by()
        .values_list("self_inspection__premises_id")
        .annotate(last=Max("verified_at"))
    )
    facts: dict[int, dt.date] = {}
    for premises_id, last in latest:
        verified_on = timezone.localdate(last)
        if verified_on <= on < watch_until(verified_on):
            facts[premises_id] = verified_on
    return facts


def contradiction_rule(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> list[Reason]:
    """自查与核实不符: as heavy as the red cut-off, so the grade is red while the watch lasts."""
    verified_on: dt.date | None = facts.extra.get(FACT)
    if verified_on is None:
        return []
    params: dict[str, Any] = {
        "date": verified_on.isoformat(),
        "until": watch_until(verified_on).isoformat(),
    }
    return [Reason(REASON, params, int(parameters["cut_offs"]["red"]))]
