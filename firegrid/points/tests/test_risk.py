"""Points in the risk grade: a landlord at or below the poor threshold adds a reason and weight to each of
their premises' grades and shortens the re-inspection interval; good points lengthen it (within risk's
bounds); an entry grades the landlord's premises again after the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.points import services
from firegrid.points.choices import PointsRule
from firegrid.points.risk_hooks import FACT, landlord_points_facts
from firegrid.rectification.testing import inspect
from firegrid.risk import rules as risk_rules
from firegrid.risk import services as risk
from firegrid.risk.choices import GradeCause
from firegrid.risk.models import GradeChange, PremisesGrade

from .scene import TODAY, YEAR, give

pytestmark = pytest.mark.django_db


def graded(premises) -> PremisesGrade:
    risk.recompute_grades([premises.pk], cause=GradeCause.COMMAND, now=timezone.now())
    return PremisesGrade.objects.get(premises=premises)


def days_to_next(grade: PremisesGrade) -> int:
    assert grade.last_covering_inspection_at is not None
    return (grade.next_due - timezone.localdate(grade.last_covering_inspection_at)).days


@pytest.fixture
def inspected(district, personas, checklist):
    inspect(district.premises_a, actor=personas.grid_worker)
    inspect(district.premises_b, actor=personas.outsider)
    return district


def test_the_risk_facts_carry_each_premises_landlords_points(inspected):
    give(inspected.landlord_a, -20)
    facts = landlord_points_facts(
        [inspected.premises_a.pk, inspected.shop_a.pk, inspected.premises_b.pk], TODAY
    )
    assert (
        facts[inspected.premises_a.pk]
        == facts[inspected.shop_a.pk]
        == {
            "points": 80,
            "band": "poor",
            "factor": "0.5",
            "weight": 15,
        }
    )
    assert facts[inspected.premises_b.pk]["points"] == 100 and facts[inspected.premises_b.pk]["factor"] == "1"


def test_poor_points_add_a_reason_and_shorten_the_interval(inspected):
    before = graded(inspected.premises_a)
    normal = days_to_next(before)
    assert not any("房东积分" in text for text in before.reason_texts())
    give(inspected.landlord_a, -28)
    after = graded(inspected.premises_a)
    assert "房东积分 72 分" in after.reason_texts()
    assert after.score == before.score + 15
    # Green (365 days) halved, rounded half up.
    assert (after.grade, normal, days_to_next(after)) == ("green", 365, 183)


def test_good_points_lengthen_the_interval_without_a_reason(inspected):
    before = graded(inspected.premises_a)
    give(inspected.landlord_a, 10)
    after = graded(inspected.premises_a)
    assert after.grade == before.grade and after.reasons == before.reasons
    assert days_to_next(after) == round(days_to_next(before) * 1.2)
    # Another landlord's premises is not moved.
    assert days_to_next(graded(inspected.premises_b)) == days_to_next(before)


def test_the_moved_interval_stays_within_risks_bounds(inspected, personas):
    admin = personas.admin
    draft = services.create_rule_set_draft(services.default_rule_set(), code="points-x", actor=admin)
    services.update_rule_set_parameters(draft, {"interval": {"shorten_percent": 10}}, actor=admin)
    services.publish_rule_set(draft, actor=admin)
    give(inspected.landlord_a, -30)
    assert days_to_next(graded(inspected.premises_a)) == 37  # 365 × 10 %, rounded half up
    bounded = risk.create_rule_set_draft(risk.default_rule_set(), code="risk-x", actor=admin)
    changes = {"intervals_days": {"red": 60}, "interval_bounds_days": {"min": 60}}
    risk.publish_rule_set(risk.update_rule_set_parameters(bounded, changes, actor=admin), actor=admin)
    assert days_to_next(graded(inspected.premises_a)) == 60


def test_only_this_years_points_count(inspected):
    give(inspected.landlord_a, -40, on=dt.date(YEAR - 1, 6, 1))
    grade = graded(inspected.premises_a)
    assert not any("房东积分" in text for text in grade.reason_texts())


def test_an_entry_grades_the_landlords_premises_again_after_the_commit(
    inspected, personas, django_capture_on_commit_callbacks
):
    graded(inspected.premises_a)
    graded(inspected.shop_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_manual_entry(
            inspected.landlord_a,
            PointsRule.CORRECTION,
            actor=personas.subdistrict_officer,
            occurred_on=TODAY,
            amount_typed=-40,
            note="补记：拒不配合检查",
        )
    for premises in (inspected.premises_a, inspected.shop_a):
        grade = PremisesGrade.objects.get(premises=premises)
        assert "房东积分 60 分" in grade.reason_texts()
    changes = GradeChange.objects.filter(cause=GradeCause.POINTS)
    assert all(c.premises.landlord_id == inspected.landlord_a.pk for c in changes)


def test_the_points_rule_is_registered_with_risk():
    from firegrid.points.risk_hooks import points_interval, poor_points_rule

    assert FACT in risk_rules.FACT_PROVIDERS
    assert poor_points_rule in risk_rules.EXTRA_RULES
    assert points_interval in risk_rules.INTERVAL_ADJUSTMENTS
