"""visible_to: who sees which points entries, nominations, evaluations and rule sets, and which actions
each role may take on them.

Entries and nominations follow their landlord (registry's landlord scope): district-wide roles see all;
area roles the landlords registered in or owning premises in their grids; a unit liaison the landlords
their unit employs (read only); a landlord their own. Evaluations and rule sets are the district's: one
record each for everyone allowed to read them (a landlord reads the rules, not the evaluations).
Community and subdistrict officers and the district's command and departments add entries by hand;
nobody changes or deletes one.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.points import services
from firegrid.points.choices import AwardKind
from firegrid.points.models import Nomination, PointsEntry, PointsRuleSet, YearEndEvaluation

from .scene import YEAR, give

pytestmark = pytest.mark.django_db

MODELS = (PointsEntry, Nomination, YearEndEvaluation, PointsRuleSet)


@pytest.fixture
def scored(district):
    d = district
    d.entry_a = give(d.landlord_a, 5)
    d.entry_b = give(d.landlord_b, -5)
    d.evaluation = YearEndEvaluation.objects.create(
        year=YEAR - 1, rule_set=services.default_rule_set(), computed_at=timezone.now()
    )
    d.nomination_a, d.nomination_b = (
        Nomination.objects.create(
            evaluation=d.evaluation,
            landlord=landlord,
            award=AwardKind.CIVILISED_FAMILY,
            points=120,
            rank=1,
            serial=f"衢江文明〔{YEAR - 1}〕第000{n}号",
            content={},
            issued_at=timezone.now(),
        )
        for n, landlord in enumerate((d.landlord_a, d.landlord_b), start=1)
    )
    return d


def by_landlord(d, a: str, b: str) -> dict[str, set[int]]:
    both, only_a, only_b = ids_of(d, a, b), ids_of(d, a), ids_of(d, b)
    return {
        "admin": both,
        "commander": both,
        "fire_officer": both,
        "subdistrict_officer": only_a,
        "community_officer": only_a,
        "grid_worker": only_a,
        "outsider": only_b,
        "liaison": only_a,
        "other_liaison": set(),
        "landlord": only_a,
    }


def test_entries_follow_their_landlord(scored, personas):
    assert seen(PointsEntry, personas) == by_landlord(scored, "entry_a", "entry_b")


def test_nominations_follow_their_landlord(scored, personas):
    assert seen(Nomination, personas) == by_landlord(scored, "nomination_a", "nomination_b")


def test_evaluations_and_rule_sets_are_the_districts(scored, personas):
    evaluation = ids_of(scored, "evaluation")
    assert seen(YearEndEvaluation, personas) == {
        name: set() if name == "landlord" else evaluation for name in seen(YearEndEvaluation, personas)
    }
    rule_sets = set(PointsRuleSet.objects.values_list("pk", flat=True))
    assert seen(PointsRuleSet, personas) == dict.fromkeys(seen(PointsRuleSet, personas), rule_sets)


def test_the_role_table(personas):
    assert allowed(PointsEntry, personas) == {
        "admin": "ve",
        "commander": "vae",
        "fire_officer": "vae",
        "subdistrict_officer": "vae",
        "community_officer": "vae",
        "grid_worker": "ve",
        "outsider": "ve",
        "liaison": "ve",
        "other_liaison": "ve",
        "landlord": "v",
    }
    assert allowed(YearEndEvaluation, personas) == {
        "admin": "vace",
        "commander": "vace",
        **dict.fromkeys(
            ("fire_officer", "subdistrict_officer", "community_officer", "grid_worker", "outsider"), "ve"
        ),
        "liaison": "ve",
        "other_liaison": "ve",
        "landlord": "",
    }
    assert allowed(PointsRuleSet, personas)["admin"] == "vace"
    assert allowed(PointsRuleSet, personas)["commander"] == "ve"
    assert allowed(Nomination, personas)["landlord"] == "v"
    assert all(
        "c" not in letters and "d" not in letters for letters in allowed(PointsEntry, personas).values()
    )


@pytest.mark.parametrize("model", MODELS)
def test_refused_actions_see_nothing_and_allowed_ones_reach_the_rows_seen(scored, personas, model):
    assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(model, personas)
