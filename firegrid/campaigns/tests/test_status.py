import datetime as dt

import pytest
from django.utils import timezone

from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign, CampaignTarget
from firegrid.rectification import services as s
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


def test_progress(checklist, district, personas):
    today = timezone.localdate()
    c = Campaign.objects.create(
        name="铁拳",
        code="tq",
        starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=30),
        status="running",
    )
    gw = personas.grid_worker
    plan = plan_with_hazards(district.premises_a, actor=gw)
    assert plan.campaign == c
    CampaignTarget.objects.create(campaign=c, premises=district.premises_a)
    CampaignTarget.objects.create(campaign=c, premises=district.premises_b)
    s.notify_plan(plan, actor=gw)
    got = dict(status.with_progress(status.targets(c), c).values_list("pk", "progress"))
    assert got == {district.premises_a.pk: "notified", district.premises_b.pk: "not_surveyed"}
    got = dict(
        status.with_progress(status.targets(c), c, today - dt.timedelta(days=1)).values_list("pk", "progress")
    )
    assert got == {district.premises_a.pk: "not_surveyed", district.premises_b.pk: "not_surveyed"}
