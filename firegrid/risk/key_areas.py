"""Key areas (重点区域) in the grade: registered with the rules' hooks from `RiskConfig.ready()`, like any
other provider of facts, so the rules stay a pure function.

- the fact `key_area` per premises: the key area in force on the grading day that holds the premises' grid
  (the heaviest when several do: a grid inside a key community inside a key subdistrict), as
  {"area", "reason", "weight", "factor"};
- a rule: the reason "位于重点区域：樟潭街道" with the designation's weight;
- an interval adjustment: the re-inspection interval × `interval_percent` / 100 (risk keeps the result
  within its interval bounds).

A designation, a change or an end grades the area's premises again (`services.save_key_area`); a period
that starts or ends by the calendar is picked up by the nightly recomputation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop

from firegrid.areas.models import Area
from firegrid.registry.models import Premises

from .models import KeyArea
from .rules import Facts, Reason

FACT = "key_area"
REASON = gettext_noop("位于重点区域：%(area)s")


def grids_of(areas: list[Area]) -> dict[int, list[Area]]:
    """grid id → the given areas that hold it (one query per level below the areas, at most three)."""
    held: dict[int, list[Area]] = {}
    for area in areas:
        for grid_id in area.grid_ids():
            held.setdefault(grid_id, []).append(area)
    return held


def key_area_facts(premises_ids: list[int], on: dt.date) -> dict[int, dict[str, Any]]:
    """premises id → the heaviest key area in force on `on` that holds it, for the premises in one."""
    designations = list(KeyArea.objects.active_on(on).select_related("area"))
    if not designations:
        return {}
    by_area: dict[int, list[KeyArea]] = {}
    for key_area in designations:
        by_area.setdefault(key_area.area_id, []).append(key_area)
    held = grids_of([k.area for k in designations])
    rows = (
        Premises.objects.filter(Q(pk__in=premises_ids), building__grid_id__in=list(held))
        .order_by()
        .values_list("pk", "building__grid_id")
    )
    facts: dict[int, dict[str, Any]] = {}
    for pk, grid_id in rows:
        candidates = [k for area in held[grid_id] for k in by_area[area.pk]]
        chosen = max(candidates, key=lambda k: (k.weight, -k.interval_percent, k.pk))
        facts[pk] = {
            "area": chosen.area.name,
            "reason": chosen.reason,
            "weight": chosen.weight,
            "factor": str(Decimal(min(k.interval_percent for k in candidates)) / 100),
        }
    return facts


def key_area_rule(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> list[Reason]:
    value = facts.extra.get(FACT)
    if not value or not value["weight"]:
        return []
    return [Reason(REASON, {"area": value["area"]}, int(value["weight"]))]


def key_area_interval(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> Decimal:
    value = facts.extra.get(FACT)
    return Decimal(value["factor"]) if value else Decimal(1)


def register() -> None:
    from .rules import register_fact_provider, register_interval_adjustment, register_rule

    register_fact_provider(FACT, key_area_facts)
    register_rule(key_area_rule)
    register_interval_adjustment(key_area_interval)
