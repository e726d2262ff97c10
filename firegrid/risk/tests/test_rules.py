"""The rules as a pure function: each reason, the cut-offs, the intervals, the parameters' checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from firegrid.inspections.choices import Severity
from firegrid.registry.choices import PremisesKind
from firegrid.risk.choices import RiskGrade
from firegrid.risk.rules import (
    EXTRA_RULES,
    Facts,
    Reason,
    default_parameters,
    explain,
    grade_premises,
    merge_parameters,
    next_due,
    register_rule,
    validate_parameters,
)

ON = dt.date(2026, 3, 1)
PARAMS = default_parameters()


def inspected(days_ago: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(ON - dt.timedelta(days=days_ago), dt.time(10)))


def facts(**kw) -> Facts:
    kw.setdefault("last_covering_inspection_at", inspected(10))
    return Facts(premises_id=1, on=ON, **kw)


def texts(grade) -> list[str]:
    return [str(r) for r in grade.reasons]


def test_a_quiet_premises_is_green_without_reasons():
    graded = grade_premises(facts(), PARAMS)
    assert (graded.grade, graded.score, graded.reasons) == (RiskGrade.GREEN, 0, ())


def test_open_hazards_weigh_by_severity_and_count():
    graded = grade_premises(facts(open_hazards={Severity.RED_LINE: 2, Severity.ORDINARY: 1}), PARAMS)
    assert graded.score == 2 * 30 + 8
    assert graded.grade == RiskGrade.RED
    assert texts(graded) == ["2 项红线隐患未消除", "1 项一般隐患未消除"]


def test_a_major_hazard_alone_is_yellow_and_with_a_shared_rental_red():
    assert grade_premises(facts(open_hazards={Severity.MAJOR: 1}), PARAMS).grade == RiskGrade.YELLOW
    graded = grade_premises(facts(open_hazards={Severity.MAJOR: 1}, is_shared_rental=True), PARAMS)
    assert (graded.grade, graded.score) == (RiskGrade.RED, 55)
    assert texts(graded) == ["1 项重大火灾隐患未消除", "群租房"]


def test_mixed_use_premises_is_yellow():
    graded = grade_premises(facts(kind=PremisesKind.MIXED_USE), PARAMS)
    assert (graded.grade, texts(graded)) == (RiskGrade.YELLOW, ["合用场所（住人与经营、生产、仓储混合）"])


def test_crowded_rooms_and_small_area_per_person():
    graded = grade_premises(
        facts(people=7, sleeping_rooms=2, sleeping_area_m2=Decimal("21.5"), floor_area_m2=Decimal("80")),
        PARAMS,
    )
    assert texts(graded) == ["每间平均 3.5 人", "人均面积 3.1 m²"]
    assert graded.score == 30


def test_area_per_person_falls_back_to_the_floor_area_without_sleeping_rooms():
    assert texts(grade_premises(facts(people=4, floor_area_m2=Decimal("12")), PARAMS)) == ["人均面积 3.0 m²"]
    assert texts(grade_premises(facts(people=0, floor_area_m2=Decimal("12")), PARAMS)) == []


def test_never_inspected_and_inspected_long_ago():
    assert texts(grade_premises(facts(last_covering_inspection_at=None), PARAMS)) == ["从未检查"]
    assert texts(grade_premises(facts(last_covering_inspection_at=inspected(400)), PARAMS)) == [
        "距上次检查 400 天"
    ]
    assert texts(grade_premises(facts(last_covering_inspection_at=inspected(365)), PARAMS)) == []


@pytest.mark.parametrize(("score", "grade"), [(19, "green"), (20, "yellow"), (49, "yellow"), (50, "red")])
def test_cut_offs(score, grade):
    params = merge_parameters(PARAMS, {"weights": {"shared_rental": score}})
    assert grade_premises(facts(is_shared_rental=True), params).grade == grade


def test_a_zero_weight_gives_no_reason():
    params = merge_parameters(PARAMS, {"weights": {"shared_rental": 0}})
    assert grade_premises(facts(is_shared_rental=True), params).reasons == ()


def test_next_due_is_the_last_inspection_plus_the_grade_interval_or_today():
    last = inspected(10)
    assert next_due(RiskGrade.RED, last, ON, PARAMS) == ON + dt.timedelta(days=20)
    assert next_due(RiskGrade.YELLOW, last, ON, PARAMS) == ON + dt.timedelta(days=80)
    assert next_due(RiskGrade.GREEN, last, ON, PARAMS) == ON + dt.timedelta(days=355)
    assert next_due(RiskGrade.RED, None, ON, PARAMS) == ON


def test_reasons_are_shown_in_the_readers_language():
    graded = grade_premises(facts(open_hazards={Severity.RED_LINE: 2}, is_shared_rental=True), PARAMS)
    assert explain(graded.grade, graded.reasons_json()) == "红: 2 项红线隐患未消除；群租房"
    with translation.override("en"):
        text = explain(graded.grade, graded.reasons_json())
    assert text.startswith("Red: 2 ") and "shared rental" in text.lower()


def test_parameters_are_checked_per_key():
    with pytest.raises(ValidationError) as error:
        validate_parameters({"weights": {"shared_rental": -1, "nonsense": 3}, "cut_offs": {"red": "x"}})
    assert set(error.value.message_dict) == {"weights.shared_rental", "weights.nonsense", "cut_offs.red"}
    with pytest.raises(ValidationError) as error:
        validate_parameters({"cut_offs": {"red": 10, "yellow": 20}})
    assert set(error.value.message_dict) == {"cut_offs.red"}
    with pytest.raises(ValidationError) as error:
        validate_parameters({"intervals_days": {"red": 400}})
    assert "intervals_days.red" in error.value.message_dict
    assert validate_parameters({}) == default_parameters()


def test_an_extra_rule_registered_by_another_app_adds_its_reason():
    def hotspot(f, params):
        return [Reason("火警多发", {}, 25)] if f.extra.get("hotspot") else []

    register_rule(hotspot)
    try:
        graded = grade_premises(facts(extra={"hotspot": True}), PARAMS)
        assert (graded.grade, texts(graded)) == (RiskGrade.YELLOW, ["火警多发"])
    finally:
        EXTRA_RULES.remove(hotspot)
