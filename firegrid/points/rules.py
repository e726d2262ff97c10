"""The points rules (积分规则) as a district's parameters, and the pure functions that read them.

A rule set's JSON (`PointsRuleSet.parameters`) is checked against `SCHEMA`: the amount of every rule
(signed: a deduction is negative), the yearly base every landlord starts from, the nomination thresholds
of the two awards, and the interval effect (points at or above the good threshold lengthen a premises'
re-inspection interval, at or below the poor threshold shorten it). Missing keys take their defaults,
so a key added later reads old rule sets. Nothing here touches the database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from firegrid.core.rulesets import RuleSetSchema

from .choices import AwardKind, PointsBand, PointsRule

Parameters = Mapping[str, Mapping[str, int]]

# section → key → (default, lowest allowed, highest allowed). Every value is an integer.
SCHEMA: dict[str, dict[str, tuple[int, int, int]]] = {
    # Points per entry of each rule: additions 0…100, deductions −100…0 (0 turns a rule off).
    "amounts": {
        PointsRule.SELF_INSPECTION_ON_TIME: (2, 0, 100),
        PointsRule.SELF_INSPECTION_MISSED: (-3, -100, 0),
        PointsRule.FALSE_SELF_REPORT: (-10, -100, 0),
        PointsRule.FIXED_BEFORE_DEADLINE: (5, 0, 100),
        PointsRule.OVERDUE: (-5, -100, 0),
        PointsRule.REPEAT_HAZARD: (-5, -100, 0),
        PointsRule.ENFORCEMENT: (-10, -100, 0),
        PointsRule.PATROL_PARTICIPATION: (3, 0, 100),
        PointsRule.TRAINING_ATTENDANCE: (2, 0, 100),
        PointsRule.MEETING_ATTENDANCE: (2, 0, 100),
        PointsRule.TENANT_ON_TIME: (1, 0, 100),
        PointsRule.TENANT_LATE: (-3, -100, 0),
    },
    # Every landlord starts each calendar year with this many points.
    "year": {"base": (100, 0, 1000)},
    # Nominations: at least `*_min_points`, and at most `*_max_share_percent` of the landlords of that
    # award's premises kinds (rounded down; landlords tied at the last place are all nominated).
    "nominations": {
        "family_min_points": (115, 0, 10000),
        "family_max_share_percent": (5, 0, 100),
        "shop_min_points": (115, 0, 10000),
        "shop_max_share_percent": (5, 0, 100),
    },
    # The interval effect on the landlord's premises' re-inspection interval (risk grades).
    "interval": {
        "good_points": (110, 0, 10000),
        "lengthen_percent": (120, 100, 300),
        "poor_points": (85, 0, 10000),
        "shorten_percent": (50, 10, 100),
    },
    # The weight the risk rules add to a premises whose landlord's points are at or below `poor_points`.
    "risk": {"poor_points_weight": (15, 0, 1000)},
}


def _cross_check(result: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """The poor threshold below the good one."""
    if result["interval"]["poor_points"] >= result["interval"]["good_points"]:
        return {"interval.poor_points": [gettext("积分偏低线应低于积分良好线。")]}
    return {}


# `PointsRuleSet.schema`: the versioned rule set's check (firegrid/core/rulesets.py).
RULE_SET_SCHEMA: RuleSetSchema[int] = RuleSetSchema(SCHEMA, cross_check=_cross_check, integers_only=True)
# The parameters' defaults, their check (errors keyed `section.key`, e.g. `amounts.overdue`) and changes
# laid over a version's parameters, checked.
default_parameters = RULE_SET_SCHEMA.defaults
validate_parameters = RULE_SET_SCHEMA.validate
merge_parameters = RULE_SET_SCHEMA.merge


# --- what the parameters say ------------------------------------------------------------------------------


def amount(rule: str, parameters: Parameters) -> int:
    """The points an entry of `rule` moves (0: the district turned the rule off)."""
    return int(parameters["amounts"][rule])


def base_points(parameters: Parameters) -> int:
    return int(parameters["year"]["base"])


def band(points: int, parameters: Parameters) -> str:
    """积分偏低 at or below the poor threshold, 积分良好 at or above the good one, else 积分一般."""
    interval = parameters["interval"]
    if points <= interval["poor_points"]:
        return str(PointsBand.POOR)
    if points >= interval["good_points"]:
        return str(PointsBand.GOOD)
    return str(PointsBand.MIDDLE)


def interval_factor(points: int, parameters: Parameters) -> Decimal:
    """How a landlord's points move their premises' re-inspection interval: × lengthen_percent when good,
    × shorten_percent when poor, unchanged between."""
    interval = parameters["interval"]
    current = band(points, parameters)
    if current == PointsBand.GOOD:
        return Decimal(interval["lengthen_percent"]) / 100
    if current == PointsBand.POOR:
        return Decimal(interval["shorten_percent"]) / 100
    return Decimal(1)


def nomination_threshold(award: str, parameters: Parameters) -> tuple[int, int]:
    """(minimum points, maximum share in percent) of an award."""
    prefix = "family" if award == AwardKind.CIVILISED_FAMILY else "shop"
    nominations = parameters["nominations"]
    return int(nominations[f"{prefix}_min_points"]), int(nominations[f"{prefix}_max_share_percent"])


def nomination_cap(landlords: int, share_percent: int) -> int:
    """At most this many nominations among `landlords` (the share, rounded down)."""
    return math.floor(landlords * share_percent / 100)
