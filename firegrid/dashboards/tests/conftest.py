"""A small campaign played out day by day (time-machine), for the dashboard's figures and lists.

Campaign 2026-03-01 → 2026-04-29, today 2026-03-20. Targets (six):
- grid A:  premises_a  accepted on 03-05 (landlord_a: four-category, claimed by `unit`)
           shop_a      cancelled on 03-06 (landlord_a)
- grid A2: premises_a2 notified 03-03, deadline 03-10 → overdue 10 days today
- grid B:  premises_b  notified 03-03, deadline 03-18 → overdue 2 days today
           premises_b2 accepted 03-08, a new plan on 03-09 (reopened: with hazards again)
           premises_b3 not surveyed, and its building has no coordinates
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from firegrid import testing as t
from firegrid.campaigns.models import Campaign, CampaignTarget, Claim, Milestone
from firegrid.inspections.choices import InspectionKind
from firegrid.rectification import services as s
from firegrid.rectification.testing import inspect

ZONE = ZoneInfo("Asia/Shanghai")
START, END, TODAY = dt.date(2026, 3, 1), dt.date(2026, 4, 29), dt.date(2026, 3, 20)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE), tick=False)


def survey_and_plan(premises, officer, deadline):
    inspect(premises, actor=officer, fail=("SEP-01",))
    return s.create_plan(premises, actor=officer, deadline=deadline)


def accept(plan, officer):
    s.start_rectification(plan, actor=officer)
    s.request_recheck(plan, actor=officer)
    inspect(plan.premises, actor=officer, kind=InspectionKind.ACCEPTANCE)


@pytest.fixture
def scene(checklist, district, personas):
    d, officer = district, personas.fire_officer
    d.building_a.latitude, d.building_a.longitude = Decimal("28.970000"), Decimal("118.870000")
    d.building_a.save()
    d.building_b.latitude, d.building_b.longitude = Decimal("28.990000"), Decimal("118.900000")
    d.building_b.save()
    building_a2 = t.make_building(d.grid_a2, latitude=Decimal("28.975000"), longitude=Decimal("118.880000"))
    building_b3 = t.make_building(d.grid_b)  # no coordinates
    premises_a2 = t.make_premises(building_a2, d.landlord_b)
    premises_b2 = t.make_premises(d.building_b, d.landlord_b, unit_label="3楼")
    premises_b3 = t.make_premises(building_b3, d.landlord_b)
    campaign = Campaign.objects.create(
        name="铁拳行动", code="tq2026", starts_on=START, ends_on=END, status="running"
    )
    Milestone.objects.create(
        campaign=campaign, name="四类人员完成", due_on=dt.date(2026, 3, 31), scope="four_category"
    )
    targets = [d.premises_a, d.shop_a, premises_a2, d.premises_b, premises_b2, premises_b3]
    for premises in targets:
        # Members from the first day, recorded the day before (the reports of any day know them).
        CampaignTarget.objects.create(
            campaign=campaign,
            premises=premises,
            joined_on=START,
            added_at=dt.datetime.combine(START - dt.timedelta(days=1), dt.time(9), tzinfo=ZONE),
        )
    # Claimed on the first day: the reports count a unit's landlords from the claims in force that day.
    Claim.objects.create(
        campaign=campaign,
        landlord=d.landlord_a,
        unit=d.unit,
        claimed_by=personas.commander,
        claimed_at=dt.datetime.combine(START, dt.time(9), tzinfo=ZONE),
    )
    with at(dt.date(2026, 3, 2)):
        plans = {
            p.pk: survey_and_plan(p, officer, deadline)
            for p, deadline in (
                (d.premises_a, dt.date(2026, 3, 20)),
                (d.shop_a, dt.date(2026, 3, 20)),
                (premises_a2, dt.date(2026, 3, 10)),
                (d.premises_b, dt.date(2026, 3, 18)),
                (premises_b2, dt.date(2026, 3, 20)),
            )
        }
    with at(dt.date(2026, 3, 3)):
        for pk in (d.premises_a.pk, premises_a2.pk, d.premises_b.pk, premises_b2.pk):
            plans[pk] = s.notify_plan(plans[pk], actor=officer)
    with at(dt.date(2026, 3, 5)):
        accept(plans[d.premises_a.pk], officer)
    with at(dt.date(2026, 3, 6)):
        s.cancel_plan(plans[d.shop_a.pk], actor=officer, reason="已停止出租")
    with at(dt.date(2026, 3, 8)):
        accept(plans[premises_b2.pk], officer)
    with at(dt.date(2026, 3, 9)):
        survey_and_plan(premises_b2, officer, dt.date(2026, 3, 30))
    return SimpleNamespace(
        campaign=campaign,
        targets=targets,
        premises_a2=premises_a2,
        premises_b2=premises_b2,
        premises_b3=premises_b3,
        officer=officer,
    )


@pytest.fixture
def today():
    with at(TODAY, hour=15):
        yield TODAY


def make_reports(campaign, first: dt.date, last: dt.date, skip=()) -> None:
    """The daily report of each day from `first` to `last` (but `skip`), as the 17:00 job makes them."""
    from firegrid.reports.services import generate_snapshot

    day = first
    while day <= last:
        if day not in skip:
            generate_snapshot(campaign, day)
        day += dt.timedelta(days=1)


@pytest.fixture
def reports(scene, today):
    """Reports for every day of the campaign up to yesterday: today's is not made yet (before 17:00)."""
    make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
