"""visible_to: who sees which self-inspections, verifications, photos, misses and verification draws, and
which actions each role may take on them.

Self-inspections, their verifications, photos and misses follow their premises' scope: district-wide roles
see all, area roles their areas', a landlord their own premises'. A unit liaison follows claims, not
self-checks: none. Draws are the district's record, read by every role that reads self-inspections (not
landlords). Only a landlord adds a self-inspection (with its photos); nobody changes or deletes one; misses
are recorded by the monthly job alone.
"""

from __future__ import annotations

import datetime as dt

import pytest

from firegrid.conftest import (
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)
from firegrid.inspections.models import Inspection
from firegrid.longterm import services
from firegrid.longterm.models import (
    SelfInspection,
    SelfInspectionMiss,
    SelfInspectionPhoto,
    Verification,
    VerificationDraw,
)
from firegrid.rectification.testing import inspect

from .self_checks import add_photo, make_self_inspection

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2026, 3, 1)
MISSED = dt.date(2026, 2, 1)
READERS = ("commander", "fire_officer", "subdistrict_officer", "community_officer", "grid_worker", "outsider")


@pytest.fixture
def checked(district, personas, checklist):
    for name in ("premises_a", "shop_a", "premises_b"):
        premises = getattr(district, name)
        add_photo(make_self_inspection(premises, PERIOD), "EQUIP-01")
        SelfInspectionMiss.objects.create(premises=premises, landlord=premises.landlord, period=MISSED)
    services.draw_verifications(PERIOD, actor=None, rate=1, seed=1)
    inspect(district.premises_a, actor=personas.grid_worker)
    inspect(district.premises_b, actor=personas.outsider)
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


def premises_seen(model, personas, path: str) -> dict[str, set[int]]:
    premises_of = dict(model.objects.values_list("pk", path))
    return {name: {premises_of[pk] for pk in rows} for name, rows in seen(model, personas).items()}


def test_self_inspections_follow_their_premises(checked, personas):
    assert premises_seen(SelfInspection, personas, "premises_id") == expected_premises(checked)


def test_verifications_follow_their_premises(checked, personas):
    assert Verification.objects.count() == 2
    verified = expected_premises(checked)
    shop = checked.shop_a.pk  # drawn but not visited: no verification
    assert premises_seen(Verification, personas, "self_inspection__premises_id") == {
        name: ids - {shop} for name, ids in verified.items()
    }


def test_photos_and_misses_follow_their_premises(checked, personas):
    assert premises_seen(SelfInspectionPhoto, personas, "premises_id") == expected_premises(checked)
    assert premises_seen(SelfInspectionMiss, personas, "premises_id") == expected_premises(checked)


def test_draws_are_the_districts_for_everyone_who_reads_self_inspections(checked, personas):
    everyone = {VerificationDraw.objects.get().pk}
    assert seen(VerificationDraw, personas) == {
        **{name: everyone for name in expected_premises(checked)},
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }


def test_actions(checked, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.
    nobody = {"liaison": "", "other_liaison": ""}
    assert allowed(SelfInspection, personas) == {
        "admin": "ve",
        **dict.fromkeys(READERS, "ve"),
        **nobody,
        "landlord": "va",
    }
    assert allowed(Verification, personas) == {
        "admin": "ve",
        **dict.fromkeys(READERS, "ve"),
        **nobody,
        "landlord": "v",
    }
    assert allowed(VerificationDraw, personas) == {
        "admin": "vae",
        **dict.fromkeys(READERS, "ve"),
        **nobody,
        "landlord": "",
    }
    assert allowed(SelfInspectionPhoto, personas) == {
        "admin": "ve",
        **dict.fromkeys(READERS, "ve"),
        **nobody,
        "landlord": "va",
    }
    assert allowed(SelfInspectionMiss, personas) == {
        "admin": "ve",
        **dict.fromkeys(READERS, "ve"),
        **nobody,
        "landlord": "v",
    }
    for model in (SelfInspection, Verification, VerificationDraw, SelfInspectionPhoto, SelfInspectionMiss):
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)
    assert Inspection.objects.count() == 2
