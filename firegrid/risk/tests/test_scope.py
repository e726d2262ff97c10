"""visible_to: who sees which premises grades, grade changes and risk rule sets, and which actions each
role may take on them.

Grades follow their premises' scope: district-wide roles see every grade, area roles their areas',
a landlord their own premises'. A unit liaison follows four-category landlords, not risk: no grades.
Nobody adds or changes a grade by hand; rule sets are read by every role that reads grades and edited
by the system administrator only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.risk import services
from firegrid.risk.models import GradeChange, PremisesGrade, RiskRuleSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(district):
    services.recompute_grades(
        [district.premises_a.pk, district.shop_a.pk, district.premises_b.pk],
        cause="command",
        now=timezone.make_aware(dt.datetime(2026, 3, 1, 9)),
    )
    return district


def expected_premises(d) -> dict[str, set[int]]:
    everything = ids_of(d, "premises_a", "shop_a", "premises_b")
    grid_a = ids_of(d, "premises_a", "shop_a")
    return {
        "admin": everything,
        "commander": everything,
        "fire_officer": everything,
        "subdistrict_officer": grid_a,
        "community_officer": grid_a,
        "grid_worker": grid_a,
        "outsider": ids_of(d, "premises_b"),
        "liaison": set(),
        "other_liaison": set(),
        "landlord": grid_a,
    }


def test_grades(graded, personas):
    # A grade's primary key is its premises'.
    assert seen(PremisesGrade, personas) == expected_premises(graded)


def test_grade_changes_follow_their_premises(graded, personas):
    premises_of = dict(GradeChange.objects.values_list("pk", "premises_id"))
    seen_premises = {
        name: {premises_of[pk] for pk in rows} for name, rows in seen(GradeChange, personas).items()
    }
    assert seen_premises == expected_premises(graded)


def test_rule_sets_are_the_districts_for_everyone_who_reads_grades(graded, personas):
    everyone = {RiskRuleSet.objects.get().pk}
    assert seen(RiskRuleSet, personas) == {
        **{name: everyone for name in expected_premises(graded)},
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


def test_actions(graded, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.
    readers = (
        "commander",
        "fire_officer",
        "subdistrict_officer",
        "community_officer",
        "grid_worker",
        "outsider",
    )
    for model in (PremisesGrade, GradeChange):
        assert allowed(model, personas) == {
            "admin": "ve",
            **dict.fromkeys(readers, "ve"),
            "liaison": "",
            "other_liaison": "",
            "landlord": "v",
        }
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)
    assert allowed(RiskRuleSet, personas) == {
        "admin": "vace",
        **dict.fromkeys(readers, "ve"),
        "liaison": "",
        "other_liaison": "",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(RiskRuleSet, personas)
    assert_allowed_actions_reach_the_rows_seen(RiskRuleSet, personas)
