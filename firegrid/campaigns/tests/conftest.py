"""A running campaign over the test district (both subdistricts), with its four-category milestone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.campaigns.choices import MilestoneScope
from firegrid.campaigns.models import Campaign, CampaignTarget, Milestone


@pytest.fixture
def campaign(district):
    today = timezone.localdate()
    c = Campaign.objects.create(
        name="铁拳行动",
        code="tq",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=50),
        status="running",
    )
    c.areas.set([district.s1, district.s2])
    Milestone.objects.create(
        campaign=c,
        name="四类人员房东整改完毕",
        due_on=today + dt.timedelta(days=20),
        scope=MilestoneScope.FOUR_CATEGORY,
    )
    return c


@pytest.fixture
def targets(campaign, district):
    return [
        CampaignTarget.objects.create(campaign=campaign, premises=p)
        for p in (district.premises_a, district.shop_a, district.premises_b)
    ]
