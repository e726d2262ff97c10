"""Points in the risk grade (registered with risk's hooks from `PointsConfig.ready()`).

- the fact `landlord_points` per premises: its landlord's points this year (the year of the grading day),
  with what the rule and the interval read from the points rule set in force;
- a rule: a landlord at or below the poor threshold adds a reason "房东积分 72 分" with the rule set's
  weight (`risk.poor_points_weight`);
- an interval adjustment: good points lengthen the premises' re-inspection interval
  (× `interval.lengthen_percent`), poor points shorten it (× `interval.shorten_percent`); risk keeps the
  result within its interval bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from firegrid.registry.models import Premises
from firegrid.risk.rules import Facts, Reason

from .choices import PointsBand
from .rules import band, interval_factor
from .services import current_parameters, points_of

FACT = "landlord_points"
POOR_REASON = gettext_noop("房东积分 %(points)s 分")


def landlord_points_facts(premises_ids: list[int], on: dt.date) -> dict[int, dict[str, Any]]:
    """premises id → {"points", "band", "factor", "weight"} of its landlord in `on`'s year (three queries
    per chunk: the rule set, the premises' landlords, the landlords' sums)."""
    parameters = current_parameters()
    owners = dict(Premises.objects.filter(pk__in=premises_ids).order_by().values_list("pk", "landlord_id"))
    points = points_of(set(owners.values()), on.year, parameters)
    weight = int(parameters["risk"]["poor_points_weight"])
    facts: dict[int, dict[str, Any]] = {}
    for pk, landlord_id in owners.items():
        value = points[landlord_id]
        facts[pk] = {
            "points": value,
            "band": band(value, parameters),
            "factor": str(interval_factor(value, parameters)),
            "weight": weight,
        }
    return facts


def poor_points_rule(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> list[Reason]:
    value = facts.extra.get(FACT)
    if not value or value["band"] != PointsBand.POOR or not value["weight"]:
        return []
    return [Reason(POOR_REASON, {"points": value["points"]}, int(value["weight"]))]


def points_interval(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> Decimal:
    value = facts.extra.get(FACT)
    return Decimal(value["factor"]) if value else Decimal(1)


def register() -> None:
    from firegrid.risk.rules import register_fact_provider, register_interval_adjustment, register_rule

    register_fact_provider(FACT, landlord_points_facts)
    register_rule(poor_points_rule)
    register_interval_adjustment(points_interval)
