"""Alarms in the risk grade (registered with risk's hooks from `MonitoringConfig.ready()`).

- the fact `confirmed_alarms` per premises: its alert cases closed in the year up to the grading day with
  an outcome that found something (`FOLLOW_UP_OUTCOMES`): real fires, and hazards found (e-bike charging
  indoors, an electrical fault), with the weights of each (FIREGRID_ALARM_FIRE_WEIGHT,
  FIREGRID_ALARM_HAZARD_WEIGHT);
- a rule: each kind adds a reason ("近一年 1 起真实火情") with its weight, once, however many cases.

A false alarm, cooking smoke or a faulty device says nothing about the premises and is not counted. The
grade follows a closing at once (receivers.py); a case leaves the count a year after it was closed, at the
nightly recomputation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from firegrid.risk.rules import Facts, Reason

from .choices import FOLLOW_UP_OUTCOMES, CaseOutcome, CaseState
from .conf import setting
from .models import AlertCase

FACT = "confirmed_alarms"
WINDOW_DAYS = 365
FIRE_REASON = gettext_noop("近一年 %(n)s 起真实火情")
HAZARD_REASON = gettext_noop("近一年报警核查发现隐患 %(n)s 次")


def confirmed_alarm_facts(premises_ids: list[int], on: dt.date) -> dict[int, dict[str, Any]]:
    """premises id → {"fires", "hazards", "fire_weight", "hazard_weight"}, for the premises that have any
    (one query per chunk)."""
    tz = timezone.get_current_timezone()
    until = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    since = until - dt.timedelta(days=WINDOW_DAYS)
    rows = (
        AlertCase.objects.filter(
            premises_id__in=premises_ids,
            state=CaseState.CLOSED,
            outcome__in=FOLLOW_UP_OUTCOMES,
            closed_at__gte=since,
            closed_at__lt=until,
        )
        .order_by()
        .values_list("premises_id", "outcome")
        .annotate(n=Count("id"))
    )
    weights = {
        "fire_weight": int(setting("FIREGRID_ALARM_FIRE_WEIGHT")),
        "hazard_weight": int(setting("FIREGRID_ALARM_HAZARD_WEIGHT")),
    }
    facts: dict[int, dict[str, Any]] = {}
    for premises_id, outcome, n in rows:
        value = facts.setdefault(
            premises_id,
            {"fires": 0, "hazards": 0, **weights},
        )
        value["fires" if outcome == CaseOutcome.REAL_FIRE else "hazards"] += n
    return facts


def confirmed_alarms_rule(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> list[Reason]:
    value = facts.extra.get(FACT)
    if not value:
        return []
    reasons = []
    if value["fires"] and value["fire_weight"]:
        reasons.append(Reason(FIRE_REASON, {"n": value["fires"]}, int(value["fire_weight"])))
    if value["hazards"] and value["hazard_weight"]:
        reasons.append(Reason(HAZARD_REASON, {"n": value["hazards"]}, int(value["hazard_weight"])))
    return reasons


def register() -> None:
    from firegrid.risk.rules import register_fact_provider, register_rule

    register_fact_provider(FACT, confirmed_alarm_facts)
    register_rule(confirmed_alarms_rule)
