"""Units' ranking: competition ranking on completion alone (1, 2, 2, 4), listed by name — stable and explained."""

from __future__ import annotations

import pytest

from firegrid import testing as t
from firegrid.campaigns import ranking
from firegrid.campaigns.models import CampaignTarget, Claim

pytestmark = pytest.mark.django_db


def claimed_target(campaign, district, unit, actor, name):
    landlord = t.make_landlord(name, area=district.grid_a, is_official=True, employer_unit=unit)
    premises = t.make_premises(district.building_a, landlord)
    CampaignTarget.objects.create(campaign=campaign, premises=premises, joined_on=campaign.starts_on)
    Claim.objects.create(campaign=campaign, landlord=landlord, unit=unit, claimed_by=actor)
    return premises


def test_ties_are_stable_and_explained(personas, district, campaign):
    b_unit, a_unit = t.make_unit("乙单位"), t.make_unit("甲单位")
    for unit in (b_unit, a_unit):
        claimed_target(campaign, district, unit, personas.commander, f"{unit.name}房东")
    rows = ranking.unit_ranking(campaign)
    # Equal completion (0 %): the same rank, listed by the unit's name, the same every time.
    assert [(r.rank, r.unit_name, r.tie_break) for r in rows] == [
        (1, "乙单位", None),
        (1, "甲单位", "shared"),
    ]
    assert rows == ranking.unit_ranking(campaign)
    assert "并列" in str(ranking.RANKING_RULE) and "单位名称" in str(ranking.RANKING_RULE)


def test_size_never_breaks_a_completion_tie():
    rows = [
        {"unit_id": 1, "unit_name": "乙", "completion": 50.0, "accepted": 1},
        {"unit_id": 2, "unit_name": "甲", "completion": 50.0, "accepted": 2},
        {"unit_id": 3, "unit_name": "丙", "completion": 80.0, "accepted": 1},
    ]
    # Completion first; equal completion listed by name (乙 before 甲 in code points), whatever the size.
    assert [r["unit_id"] for r in sorted(rows, key=ranking.sort_key)] == [3, 1, 2]


def test_figures_count_only_active_claims_targets(personas, district, campaign):
    unit = t.make_unit("丙单位")
    claimed_target(campaign, district, unit, personas.commander, "丙房东")
    Claim.objects.filter(unit=unit).update(status="released")
    assert ranking.unit_ranking(campaign) == []
