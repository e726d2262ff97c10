"""The dashboard over dated membership: each day's burn-down point counts that day's targets, today's live
point follows targets added and removed since the last report, and an ended campaign shows only what
happened within its period (a hazard found at one of its targets today is not the campaign's)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from firegrid import testing as t
from firegrid.campaigns import services as campaigns
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, CampaignTarget
from firegrid.conftest import assert_status
from firegrid.dashboards import figures
from firegrid.inspections.models import Hazard
from firegrid.rectification.testing import inspect

from .conftest import START, TODAY, ZONE, at, make_reports

pytestmark = pytest.mark.django_db
OPEN = [p.value for p in figures.OPEN_PROGRESS]


def open_on(campaign, day) -> int:
    return status.in_progress(status.members_on(campaign, day), campaign, OPEN, day).count()


def test_each_days_burn_down_point_counts_that_days_targets(scene, district, today):
    # Found on 03-10 (joined and recorded that day): not counted before, open from then on.
    late = t.make_premises(t.make_building(district.grid_b), district.landlord_b)
    CampaignTarget.objects.create(
        campaign=scene.campaign,
        premises=late,
        joined_on=dt.date(2026, 3, 10),
        added_at=dt.datetime.combine(dt.date(2026, 3, 10), dt.time(11), tzinfo=ZONE),
    )
    make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
    series = figures.burn_down(scene.campaign, scene.officer, TODAY)
    point = {day: series["actual"][(day - START).days] for day in (dt.date(2026, 3, 9), dt.date(2026, 3, 10))}
    assert point == {dt.date(2026, 3, 9): 4, dt.date(2026, 3, 10): 5}
    assert point[dt.date(2026, 3, 10)] == open_on(scene.campaign, dt.date(2026, 3, 10))
    assert series["total"] == 7


def test_todays_live_point_follows_targets_added_and_removed_since_the_last_report(
    scene, district, today, personas
):
    make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
    before = figures.burn_down(scene.campaign, personas.commander, TODAY)["actual"][(TODAY - START).days]
    new = t.make_premises(t.make_building(district.grid_b), district.landlord_b)
    campaigns.add_target(scene.campaign, new, actor=personas.commander, reason="群众举报")
    overdue = scene.campaign.targets.get(premises=scene.premises_a2)
    campaigns.remove_target(overdue, actor=personas.commander, reason="已拆除")
    second = t.make_premises(t.make_building(district.grid_b), district.landlord_b)
    campaigns.add_target(scene.campaign, second, actor=personas.commander, reason="群众举报")
    series = figures.burn_down(scene.campaign, personas.commander, TODAY)
    live = series["actual"][(TODAY - START).days]
    assert series["live_today"] and live == before + 1 == open_on(scene.campaign, TODAY)
    # Yesterday's report is as it was: the removed target still counted there.
    assert series["actual"][(TODAY - START).days - 1] == before


@pytest.fixture
def ended(checklist, district, personas):
    """A campaign over January 2026, ended; premises_a its target, a hazard found there on 01-10; today
    (03-20) a patrol finds another hazard at the same premises."""
    campaign = Campaign.objects.create(
        name="冬季行动",
        code="winter",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
        status="ended",
    )
    CampaignTarget.objects.create(
        campaign=campaign,
        premises=district.premises_a,
        joined_on=dt.date(2026, 1, 10),
        added_at=dt.datetime.combine(dt.date(2026, 1, 10), dt.time(12), tzinfo=ZONE),
    )
    with at(dt.date(2026, 1, 10)):
        inspect(district.premises_a, actor=personas.grid_worker, fail=("SEP-01",))
    with at(TODAY):
        inspect(district.premises_a, actor=personas.grid_worker, fail=("EXIT-03",))
    return campaign


def test_an_ended_campaign_shows_only_what_happened_within_its_period(ended, district, personas, login):
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(15), tzinfo=ZONE), tick=False):
        assert Hazard.objects.filter(premises=district.premises_a).count() == 2
        assert list(
            figures.campaign_hazards(ended, personas.commander).values_list("item__code", flat=True)
        ) == ["SEP-01"]
        client = login(personas.commander)
        response = client.get(reverse("dashboards:campaign", args=[ended.pk]))
        assert_status(response, 200)
        bars = [p for series in response.context["charts"]["hazards"]["series"] for p in series["data"]]
        assert sum(p["value"] for p in bars) == 1
        for point in bars:
            if point["value"]:
                listed = client.get(point["url"])
                assert_status(listed, 200)
                assert listed.context["paginator"].count == point["value"]
        # The map shows the campaign's last day: with hazards then, whatever happened since.
        points = client.get(reverse("dashboards:points", args=[ended.pk])).json()
        assert status.reference_day(ended) == ended.ends_on
        assert {p[2] for p in points["points"]} <= {status.Progress.WITH_HAZARDS.value}
