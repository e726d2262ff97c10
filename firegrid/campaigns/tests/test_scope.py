"""visible_to: who sees which campaigns, work groups and claims, and which actions each role may take.

Campaigns and their work groups are read by everyone taking part (the figures inside are scoped by their
own models); the command keeps them. A claim (认领) is seen by its unit's liaison and by the area roles
that see its landlord; a unit's liaison claims, for their own unit.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.campaigns.models import Campaign, Claim, WorkGroup
from firegrid.conftest import (
    EVERY_PERSONA,
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    ids_of,
    seen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(district, personas):
    """A running campaign over both subdistricts and a planned one; a work group for C1 and one for S2;
    claims of three four-category landlords: landlord_a (grid A) and `official_a2` (grid A2) by `unit`,
    `official_b` (grid B) by `other_unit`."""
    d = district
    today = timezone.localdate()
    running = Campaign.objects.create(
        name="铁拳行动",
        code="tq",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=50),
    )
    running.areas.set([d.s1, d.s2])
    planned = Campaign.objects.create(
        name="百日攻坚",
        code="br",
        starts_on=today + dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=160),
    )
    group_c1 = WorkGroup.objects.create(campaign=running, name="第一工作组")
    group_c1.areas.set([d.c1])
    group_s2 = WorkGroup.objects.create(campaign=running, name="第二工作组")
    group_s2.areas.set([d.s2])
    official_a2 = t.make_landlord("钱多多", area=d.grid_a2, is_official=True, employer_unit=d.unit)
    t.make_premises(t.make_building(d.grid_a2, "樟潭街道二号路1号"), official_a2)
    official_b = t.make_landlord("孙立", area=d.grid_b, is_deputy=True, employer_unit=d.other_unit)
    t.make_premises(d.building_b, official_b, unit_label="3楼")

    def claim(landlord, unit):
        return Claim.objects.create(
            campaign=running, landlord=landlord, unit=unit, claimed_by=personas.commander
        )

    return SimpleNamespace(
        running=running,
        planned=planned,
        group_c1=group_c1,
        group_s2=group_s2,
        claim_a=claim(d.landlord_a, d.unit),
        claim_a2=claim(official_a2, d.unit),
        claim_b=claim(official_b, d.other_unit),
    )


def everyone_but_the_landlord(rows: set[int]) -> dict[str, set[int]]:
    return {name: set() if name == "landlord" else rows for name in EVERY_PERSONA}


def test_campaigns(scene, personas):
    assert seen(Campaign, personas) == everyone_but_the_landlord(ids_of(scene, "running", "planned"))


def test_work_groups(scene, personas):
    assert seen(WorkGroup, personas) == everyone_but_the_landlord(ids_of(scene, "group_c1", "group_s2"))


def test_claims(scene, personas):
    every_claim = ids_of(scene, "claim_a", "claim_a2", "claim_b")
    assert seen(Claim, personas) == {
        "admin": every_claim,
        "commander": every_claim,
        "fire_officer": every_claim,
        "subdistrict_officer": ids_of(scene, "claim_a", "claim_a2"),
        "community_officer": ids_of(scene, "claim_a", "claim_a2"),
        "grid_worker": ids_of(scene, "claim_a"),
        "outsider": ids_of(scene, "claim_b"),
        "liaison": ids_of(scene, "claim_a", "claim_a2"),
        "other_liaison": ids_of(scene, "claim_b"),
        "landlord": set(),
    }


# ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.
READERS = ("fire_officer", "subdistrict_officer", "community_officer", "grid_worker", "outsider")
THE_COMMAND = {"admin": "vacderx", "commander": "vacderx"}


@pytest.mark.parametrize("model", [Campaign, WorkGroup])
def test_actions_on_campaigns_and_work_groups(scene, personas, model):
    assert allowed(model, personas) == {
        **THE_COMMAND,
        **dict.fromkeys(READERS, "ve"),
        "liaison": "ve",
        "other_liaison": "ve",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(model, personas)


def test_actions_on_claims(scene, personas):
    # A claim is the employer unit's commitment: the unit's liaison or the command makes it; area roles
    # follow the landlords in their grids but do not claim.
    assert allowed(Claim, personas) == {
        **THE_COMMAND,
        **dict.fromkeys(READERS, "ve"),
        "liaison": "vae",
        "other_liaison": "vae",
        "landlord": "",
    }
    assert_refused_actions_see_nothing(Claim, personas)
    assert_allowed_actions_reach_the_rows_seen(Claim, personas)
