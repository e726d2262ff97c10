"""The risk rules (风险规则): explainable weights over a premises' facts, as a pure function.

`grade_premises(facts, parameters)` adds up the weight of every rule that applies, keeps a reason for
each (a msgid and its parameters, translated when shown, in the reader's language), and turns the score
into a grade with the rule set's cut-offs. Nothing here touches the database: `facts.py` gathers the
facts in bulk, `services.recompute_grades` stores the result.

The parameters are a rule set's JSON (`RiskRuleSet.parameters`), checked against `SCHEMA` below; every
key missing from a stored rule set takes its default, so a rule added later reads old rule sets.

Inputs kept by apps above this one (landlord points; later key areas, incidents and alarms) come in
through hooks rather than made-up values: `register_fact_provider(name, provider)` adds facts per
premises (`Facts.extra[name]`), `register_rule(rule)` adds weights and reasons read from them, and
`register_interval_adjustment(fn)` moves a premises' re-inspection interval by a factor. An app that
brings such data registers them from its AppConfig.ready() (points: firegrid/points/risk_hooks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from firegrid.core.rulesets import RuleSetSchema
from firegrid.core.tables import join_sentences
from firegrid.inspections.choices import Severity
from firegrid.registry.choices import PremisesKind

from .choices import RiskGrade

# --- the parameters and their schema --------------------------------------------------------------------

# section → key → (default, lowest allowed, highest allowed). Integers stay integers; thresholds may be
# decimals (m²).
SCHEMA: dict[str, dict[str, tuple[int | float, int | float, int | float]]] = {
    # Points per open hazard by severity, and per premises fact.
    "weights": {
        "hazard_major": (40, 0, 1000),
        "hazard_red_line": (30, 0, 1000),
        "hazard_immediate": (10, 0, 1000),
        "hazard_ordinary": (8, 0, 1000),
        "shared_rental": (15, 0, 1000),
        "mixed_use": (20, 0, 1000),
        "crowded_rooms": (15, 0, 1000),
        "small_area_per_person": (15, 0, 1000),
        "never_inspected": (20, 0, 1000),
        "not_inspected_for_long": (10, 0, 1000),
    },
    "thresholds": {
        # More than this many people per sleeping room on average is crowded (高风险判定: 每间超过2人).
        "people_per_room": (2, 1, 50),
        # Less than this much sleeping area per person (m²) is too little.
        "area_per_person_m2": (5, 1, 100),
        # A covering inspection older than this counts against the premises.
        "days_since_inspection": (365, 30, 3650),
    },
    # A score at or above `red` is red, at or above `yellow` yellow, else green.
    "cut_offs": {"red": (50, 1, 10000), "yellow": (20, 1, 10000)},
    # Days from the last covering inspection to the next re-inspection, per grade.
    "intervals_days": {"red": (30, 1, 3650), "yellow": (90, 1, 3650), "green": (365, 1, 3650)},
    # The bounds any interval (and later, an interval moved by landlord points) stays within.
    "interval_bounds_days": {"min": (7, 1, 3650), "max": (730, 1, 3650)},
}


def _cross_check(result: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Cut-offs in order, intervals within their bounds and shorter for a worse grade."""
    errors: dict[str, list[str]] = {}
    cut, days, bounds = result["cut_offs"], result["intervals_days"], result["interval_bounds_days"]
    if cut["red"] <= cut["yellow"]:
        errors["cut_offs.red"] = [gettext("红色分数线应高于黄色分数线。")]
    if bounds["min"] > bounds["max"]:
        errors["interval_bounds_days.min"] = [gettext("复查间隔下限不能高于上限。")]
    for grade, value in days.items():
        if not bounds["min"] <= value <= bounds["max"]:
            errors[f"intervals_days.{grade}"] = [
                gettext("复查间隔应在 %(low)s 与 %(high)s 天之间。")
                % {"low": bounds["min"], "high": bounds["max"]}
            ]
    if not days["red"] <= days["yellow"] <= days["green"]:
        errors["intervals_days.red"] = [gettext("风险越高，复查间隔应越短（红 ≤ 黄 ≤ 绿）。")]
    return errors


# `RiskRuleSet.schema`: the versioned rule set's check (firegrid/core/rulesets.py).
RULE_SET_SCHEMA: RuleSetSchema[int | float] = RuleSetSchema(SCHEMA, cross_check=_cross_check)


# The parameters' defaults, their check (errors keyed `section.key`, e.g. `cut_offs.red`) and changes laid
# over a version's parameters, checked.
default_parameters = RULE_SET_SCHEMA.defaults
validate_parameters = RULE_SET_SCHEMA.validate
merge_parameters = RULE_SET_SCHEMA.merge


# --- facts, reasons, grades ------------------------------------------------------------------------------


@dataclass
class Facts:
    """What the rules read about one premises on one day (gathered in bulk by `facts.gather_facts`)."""

    premises_id: int
    on: dt.date
    kind: str = PremisesKind.RESIDENTIAL
    is_shared_rental: bool = False
    floor_area_m2: Decimal | None = None  # None: unknown (待核实), never read as 0 m²
    # Open hazards (待整改, 整改中, 待验收) by severity.
    open_hazards: dict[str, int] = field(default_factory=dict)
    # People living there: current tenant households' people, or the rooms' occupants when no household
    # is registered.
    people: int = 0
    sleeping_rooms: int = 0
    sleeping_area_m2: Decimal = Decimal("0")
    last_covering_inspection_at: dt.datetime | None = None
    # Facts from registered providers (register_fact_provider), by provider name.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def people_per_room(self) -> Decimal | None:
        if not self.people or not self.sleeping_rooms:
            return None
        return Decimal(self.people) / Decimal(self.sleeping_rooms)

    @property
    def area_per_person(self) -> Decimal | None:
        area = self.sleeping_area_m2 or self.floor_area_m2
        if not self.people or not area:
            return None
        return Decimal(area) / Decimal(self.people)

    @property
    def days_since_inspection(self) -> int | None:
        if self.last_covering_inspection_at is None:
            return None
        return (self.on - timezone.localdate(self.last_covering_inspection_at)).days


@dataclass(frozen=True)
class Reason:
    """Why a premises scored: a msgid (Chinese, translated when shown) with its parameters and weight."""

    msgid: str
    params: dict[str, Any]
    weight: int

    def as_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": self.params, "weight": self.weight}

    def __str__(self) -> str:
        return render_reason(self.as_json())


@dataclass(frozen=True)
class Grade:
    grade: str
    score: int
    reasons: tuple[Reason, ...]

    def reasons_json(self) -> list[dict[str, Any]]:
        return [reason.as_json() for reason in self.reasons]


def render_reason(stored: Mapping[str, Any]) -> str:
    """One stored reason in the active language."""
    text = gettext(str(stored.get("msgid", "")))
    params = stored.get("params") or {}
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def explain(grade: str, reasons: Iterable[Mapping[str, Any]]) -> str:
    """ "红: 2 项地方红线隐患未消除; 群租房; 人均面积 3.1 m²" in the active language."""
    label = str(RiskGrade(grade).label)
    texts = [render_reason(r) for r in reasons]
    return f"{label}: {join_sentences(texts)}" if texts else label


# A rule that reads facts from a provider: (facts, parameters) → the reasons it adds (with weights).
Rule = Callable[[Facts, Mapping[str, Mapping[str, int | float]]], list[Reason]]
# A fact provider: (premises ids, day) → {premises id: its facts}; read by rules as Facts.extra[name].
FactProvider = Callable[[list[int], dt.date], dict[int, Any]]
EXTRA_RULES: list[Rule] = []
FACT_PROVIDERS: dict[str, FactProvider] = {}


def register_rule(rule: Rule) -> None:
    """Add a rule (key areas, incidents, landlord points …) from an app's AppConfig.ready()."""
    if rule not in EXTRA_RULES:
        EXTRA_RULES.append(rule)


def register_fact_provider(name: str, provider: FactProvider) -> None:
    """Add facts per premises under `name` (called once per chunk of premises: answer in bulk)."""
    FACT_PROVIDERS[name] = provider


# An interval adjustment: (facts, parameters) → the factor a grade's re-inspection interval is multiplied
# by for this premises (landlord points: 1.2 longer for a good landlord, 0.5 shorter for a poor one).
IntervalAdjustment = Callable[[Facts, Mapping[str, Mapping[str, int | float]]], Decimal]
INTERVAL_ADJUSTMENTS: list[IntervalAdjustment] = []


def register_interval_adjustment(adjustment: IntervalAdjustment) -> None:
    """Move the re-inspection interval per premises (from an app's AppConfig.ready()); the result stays
    within `interval_bounds_days`."""
    if adjustment not in INTERVAL_ADJUSTMENTS:
        INTERVAL_ADJUSTMENTS.append(adjustment)


HAZARD_REASONS = (
    (Severity.MAJOR, "hazard_major", gettext_noop("%(n)s 项重大火灾隐患未消除")),
    (Severity.RED_LINE, "hazard_red_line", gettext_noop("%(n)s 项红线隐患未消除")),
    (Severity.IMMEDIATE, "hazard_immediate", gettext_noop("%(n)s 项立改隐患未消除")),
    (Severity.ORDINARY, "hazard_ordinary", gettext_noop("%(n)s 项一般隐患未消除")),
)


def _one_decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def grade_premises(facts: Facts, parameters: Mapping[str, Mapping[str, int | float]]) -> Grade:
    """The grade of one premises from its facts, under a rule set's (validated) parameters."""
    weights, limits = parameters["weights"], parameters["thresholds"]
    reasons: list[Reason] = []

    def add(key: str, msgid: str, **params: Any) -> None:
        weight = int(weights[key])
        if weight:
            reasons.append(Reason(msgid, params, weight * int(params.get("n", 1))))

    for severity, key, msgid in HAZARD_REASONS:
        count = facts.open_hazards.get(severity, 0)
        if count:
            add(key, msgid, n=count)
    if facts.is_shared_rental:
        add("shared_rental", gettext_noop("群租房"))
    if facts.kind == PremisesKind.MIXED_USE:
        add("mixed_use", gettext_noop("合用场所（住人与经营、生产、仓储混合）"))
    per_room = facts.people_per_room
    if per_room is not None and per_room > Decimal(str(limits["people_per_room"])):
        reasons.append(
            Reason(
                gettext_noop("每间平均 %(value)s 人"),
                {"value": _one_decimal(per_room)},
                int(weights["crowded_rooms"]),
            )
        )
    per_person = facts.area_per_person
    if per_person is not None and per_person < Decimal(str(limits["area_per_person_m2"])):
        reasons.append(
            Reason(
                gettext_noop("人均面积 %(value)s m²"),
                {"value": _one_decimal(per_person)},
                int(weights["small_area_per_person"]),
            )
        )
    days = facts.days_since_inspection
    if days is None:
        add("never_inspected", gettext_noop("从未检查"))
    elif days > limits["days_since_inspection"]:
        reasons.append(
            Reason(
                gettext_noop("距上次检查 %(days)s 天"), {"days": days}, int(weights["not_inspected_for_long"])
            )
        )
    for rule in EXTRA_RULES:
        reasons.extend(rule(facts, parameters))
    reasons = [r for r in reasons if r.weight]
    score = sum(r.weight for r in reasons)
    cut = parameters["cut_offs"]
    grade = (
        RiskGrade.RED
        if score >= cut["red"]
        else RiskGrade.YELLOW
        if score >= cut["yellow"]
        else RiskGrade.GREEN
    )
    # Heaviest first: the first reasons are the ones that decided the grade.
    ordered = tuple(sorted(reasons, key=lambda r: -r.weight))
    return Grade(grade=str(grade), score=score, reasons=ordered)


def interval_days(
    grade: str, parameters: Mapping[str, Mapping[str, int | float]], facts: Facts | None = None
) -> int:
    """Days from the last covering inspection to the next one for this grade, moved by the registered
    interval adjustments for this premises (`facts`), within the bounds."""
    bounds = parameters["interval_bounds_days"]
    days = Decimal(int(parameters["intervals_days"][grade]))
    if facts is not None:
        for adjust in INTERVAL_ADJUSTMENTS:
            days *= Decimal(adjust(facts, parameters))
    whole = int(days.to_integral_value(rounding=ROUND_HALF_UP))
    return max(int(bounds["min"]), min(int(bounds["max"]), whole))


def next_due(
    grade: str,
    last_covering_inspection_at: dt.datetime | None,
    on: dt.date,
    parameters: Mapping[str, Mapping[str, int | float]],
    facts: Facts | None = None,
) -> dt.date:
    """The next re-inspection date: the last covering inspection + the grade's interval (moved by the
    interval adjustments for `facts`); a premises never inspected is due on the day it is graded (`on`)."""
    if last_covering_inspection_at is None:
        return on
    return timezone.localdate(last_covering_inspection_at) + dt.timedelta(
        days=interval_days(grade, parameters, facts)
    )
