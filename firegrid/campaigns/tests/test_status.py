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


def test_progress_of_every_plan_state_and_the_latest_move_is_read_once(district, personas):
    """Each state maps as the definition says (the latest move before the day ends wins, across the
    premises' plans in the campaign; moves of other campaigns do not count), and the progress expression
    holds one "latest move" subquery — a CASE over `plan_state` would repeat it in every WHEN."""
    from firegrid.inspections.models import Inspection
    from firegrid.rectification.testing import inspect
    from firegrid.reports.testing import at, history, make_campaign, target
    from firegrid.testing import make_building, make_landlord, make_premises

    d, gw = district, personas.grid_worker
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    c = make_campaign()
    other = make_campaign(code="other")
    expected = {}
    for n, (state, progress) in enumerate(status.STATE_PROGRESS.items()):
        premises = make_premises(make_building(d.grid_a, f"状态路{n}号"), make_landlord(f"房东{n}"))
        target(c, premises)
        # A move after the day ended (in a newer plan) does not count for that day; another campaign's
        # move never counts.
        history(c, premises, gw, [(at(yesterday, 9), "draft"), (at(yesterday, 20), state)])
        history(c, premises, gw, [(at(today, 1), "cancelled" if state != "cancelled" else "draft")])
        history(other, premises, gw, [(at(yesterday, 22), "accepted")])
        expected[premises.pk] = progress.value
    surveyed = make_premises(make_building(d.grid_a, "状态路甲号"), make_landlord("甲"))
    unsurveyed = make_premises(make_building(d.grid_a, "状态路乙号"), make_landlord("乙"))
    target(c, surveyed, unsurveyed)
    submitted = inspect(surveyed, actor=gw)
    Inspection.objects.filter(pk=submitted.pk).update(submitted_at=at(yesterday, 8))
    # Submitted after the day ended: not surveyed that day.
    late = inspect(unsurveyed, actor=gw)
    Inspection.objects.filter(pk=late.pk).update(submitted_at=at(today, 8))
    expected[surveyed.pk] = status.Progress.WITH_HAZARDS.value
    expected[unsurveyed.pk] = status.Progress.NOT_SURVEYED.value

    annotated = status.with_progress(status.targets(c), c, yesterday)
    assert dict(annotated.values_list("pk", "progress")) == expected
    for progress in set(expected.values()):
        listed = set(
            status.in_progress(status.targets(c), c, progress, yesterday).values_list("pk", flat=True)
        )
        assert listed == {pk for pk, value in expected.items() if value == progress}
    sql = str(annotated.values("progress").query)
    assert sql.count("rectification_planmove") == 1, sql
