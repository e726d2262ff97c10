"""The command's home carries the campaign's status: where it stands in its period and its key figures as
the newest daily report counted them, each opening the report's list of that many premises; beside it the
长效管理 strip. Other roles have no campaign card."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid.conftest import assert_status
from firegrid.rectification.choices import PlanState
from firegrid.rectification.testing import inspect
from firegrid.reports import testing as rt
from firegrid.reports.services import generate_snapshot

pytestmark = pytest.mark.django_db


def build_campaign_scene(district, personas) -> SimpleNamespace:
    """A campaign running 10 days, 20 to go: premises_a surveyed and accepted, premises_b surveyed and
    overdue, shop_a not yet surveyed; today's daily report made."""
    d, officer = district, personas.fire_officer
    campaign = rt.make_campaign(days_before=10, days_after=20)
    rt.target(campaign, d.premises_a, d.shop_a, d.premises_b)
    started = rt.at(campaign.starts_on + dt.timedelta(days=1))
    for premises in (d.premises_a, d.premises_b):
        inspect(premises, actor=officer, fail=("SEP-01",))
    rt.history(
        campaign, d.premises_a, officer, [(started, PlanState.NOTIFIED), (started, PlanState.ACCEPTED)]
    )
    rt.history(campaign, d.premises_b, officer, [(started, PlanState.NOTIFIED), (started, PlanState.OVERDUE)])
    snapshot = generate_snapshot(campaign, timezone.localdate())
    return SimpleNamespace(campaign=campaign, snapshot=snapshot)


@pytest.fixture
def campaign_scene(checklist, district, personas):
    return build_campaign_scene(district, personas)


@pytest.mark.parametrize("who", ["commander", "admin", "fire_officer"])
def test_every_campaign_figure_on_the_command_home_opens_a_list_of_that_many(
    campaign_scene, personas, login, who
):
    client = login(getattr(personas, who))
    response = client.get(reverse("pages:home"))
    assert_status(response, 200)
    card = response.context["campaign_card"]
    assert card.campaign == campaign_scene.campaign and card.snapshot == campaign_scene.snapshot
    assert card.period == "还剩 20 天" and card.running
    by_label = {f.label: f.value for f in card.figures}
    assert by_label == {"整治对象": 3, "已排查": 2, "已验收": 1, "逾期": 1}
    for figure in card.figures:
        assert figure.url, figure.label
        listed = client.get(figure.url)
        assert_status(listed, 200)
        assert listed.context["paginator"].count == figure.value, figure.label
    assert card.completion == 33.3
    body = response.content.decode()
    assert 'id="home-campaign"' in body and "还剩 20 天" in body
    assert reverse("dashboards:campaign", args=[campaign_scene.campaign.pk]) in body


def test_the_command_home_shows_the_longterm_strip_too(campaign_scene, personas, login):
    response = login(personas.commander).get(reverse("pages:home"))
    assert response.context["longterm_figures"]
    body = response.content.decode()
    # Status first: the campaign, then 长效管理, then what is registered.
    assert body.index('id="home-campaign"') < body.index("longterm-figures") < body.index("登记在册")


@pytest.mark.parametrize("who", ["subdistrict_officer", "grid_worker", "liaison", "landlord"])
def test_other_roles_have_no_campaign_card(campaign_scene, personas, login, who):
    response = login(getattr(personas, who)).get(reverse("pages:home"), follow=True)
    assert not response.context.get("campaign_card")
    assert 'id="home-campaign"' not in response.content.decode()


def test_an_ended_campaign_says_so_and_keeps_its_last_report(campaign_scene, personas, login):
    campaign = campaign_scene.campaign
    today = timezone.localdate()
    type(campaign).objects.filter(pk=campaign.pk).update(
        starts_on=today - dt.timedelta(days=40), ends_on=today - dt.timedelta(days=5), status="ended"
    )
    card = login(personas.commander).get(reverse("pages:home")).context["campaign_card"]
    assert card.period == "已结束" and not card.running
    assert card.snapshot == campaign_scene.snapshot  # the newest report up to today


def test_before_any_report_the_card_has_no_figures(district, personas, login):
    rt.make_campaign(days_before=0, days_after=30)
    response = login(personas.commander).get(reverse("pages:home"))
    card = response.context["campaign_card"]
    assert card.snapshot is None and card.figures == [] and card.period == "还剩 30 天"
    assert "尚无日报，进度数据暂缺" in response.content.decode()
