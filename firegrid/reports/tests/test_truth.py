"""A past figure stays true: after the campaign has ended, the command adds one target and removes a
four-category one (issue 12's scenario, on the small district). Every stored report keeps its figures
and its lists still count them; the change is a correction of the last day, with its reason. The outreach
section and who made a report are frozen in it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from firegrid.campaigns import services as campaigns
from firegrid.campaigns.models import Campaign, Claim
from firegrid.conftest import assert_status
from firegrid.outreach.models import OutreachKind, OutreachRecord
from firegrid.reports import services
from firegrid.reports.models import FIGURES, DailySnapshot, Dimension, GeneratedVia, SnapshotRow
from firegrid.reports.testing import at, history, target
from firegrid.testing import make_building, make_landlord, make_premises

pytestmark = pytest.mark.django_db
LAST_DAY = 15  # the campaign's days are 0 .. 15, the last one five days before today
MILESTONE_DAY = 10  # "31 October": every four-category target accepted by then


@pytest.fixture
def day(today):
    """day(n) is the campaign's n-th day, day 0 twenty days before today."""

    def nth(n: int) -> dt.date:
        return today - dt.timedelta(days=20 - n)

    return nth


@pytest.fixture
def ended(district, personas, day):
    """An ended campaign: premises_a (landlord_a, four-category, claimed) accepted on day 4, a2 (an official's)
    accepted on day 6, shop_a (landlord_a's too) found on day 8 and accepted on day 9, premises_b notified on
    day 2 and accepted on day 12 — a report for every day, made by the job after each day."""
    d, gw = district, personas.grid_worker
    campaign = Campaign.objects.create(
        name="铁拳行动", code="tq", starts_on=day(0), ends_on=day(LAST_DAY), status="ended"
    )
    a2 = make_premises(
        make_building(d.grid_a2, "二号路1号"), make_landlord("钱多多", area=d.grid_a2, is_official=True)
    )
    target(campaign, d.premises_a, d.premises_b, a2)
    target(campaign, d.shop_a, joined_on=day(8))
    history(campaign, d.premises_a, gw, [(at(day(1)), "notified"), (at(day(4)), "accepted")])
    history(campaign, a2, gw, [(at(day(2)), "notified"), (at(day(6)), "accepted")])
    history(campaign, d.premises_b, gw, [(at(day(2)), "notified"), (at(day(12)), "accepted")])
    history(campaign, d.shop_a, gw, [(at(day(8)), "notified"), (at(day(9)), "accepted")])
    Claim.objects.create(
        campaign=campaign,
        landlord=d.landlord_a,
        unit=d.unit,
        claimed_by=personas.commander,
        claimed_at=at(day(0), 8),
    )
    for n in range(LAST_DAY + 1):
        services.generate_snapshot(campaign, day(n))
    return SimpleNamespace(campaign=campaign, a2=a2)


def stored_rows() -> list[dict]:
    return list(SnapshotRow.objects.order_by("pk").values())


def assert_every_list_counts_its_figure(snapshot: DailySnapshot) -> None:
    for row in snapshot.rows.all():
        for figure in FIGURES:
            listed = services.snapshot_premises(snapshot, row.dimension, row.key, figure).count()
            assert listed == getattr(row, figure), (snapshot.day, row.dimension, row.name, figure)


def figures(snapshot: DailySnapshot, dimension: str, key: str = "all") -> tuple[int, int]:
    row = snapshot.rows.get(dimension=dimension, key=key)
    return row.in_scope, row.accepted


def test_in_scope_grows_as_targets_are_found(ended, day):
    total = {s.day: s.rows.get(dimension=Dimension.TOTAL) for s in DailySnapshot.objects.all()}
    assert [total[day(n)].in_scope for n in (0, 7, 8, 15)] == [3, 3, 4, 4]
    # The completion of a day is over that day's targets: all three accepted on day 7 is 100 %.
    assert (total[day(7)].accepted, total[day(7)].completion_permille) == (3 - 1, 667)
    assert total[day(9)].completion_permille == 750
    assert total[day(12)].completion_permille == 1000


def test_the_command_changes_an_ended_campaign_and_no_stored_figure_moves(
    ended, district, personas, login, day
):
    campaign = ended.campaign
    milestone = services.newest(campaign, day(MILESTONE_DAY))
    assert figures(milestone, Dimension.FOUR_CATEGORY) == (3, 3)  # "211 four-category accepted"
    assert figures(milestone, Dimension.TOTAL) == (4, 3)  # "1,095 in scope"
    before = stored_rows()

    new_premises = make_premises(district.building_b, district.landlord_b, unit_label="5楼")
    campaigns.add_target(campaign, new_premises, actor=personas.commander, reason="漏报补录")
    four_category = campaign.targets.get(premises=ended.a2)
    campaigns.remove_target(four_category, actor=personas.commander, reason="房东非四类人员，登记有误")

    # Every stored row is as it was, and every list of every stored report still counts its figure.
    assert stored_rows()[: len(before)] == before
    assert figures(services.newest(campaign, day(MILESTONE_DAY)), Dimension.FOUR_CATEGORY) == (3, 3)
    for snapshot in DailySnapshot.objects.all():
        assert_every_list_counts_its_figure(snapshot)
    # The same through the page: the milestone day's four-category list has its three premises.
    response = login(personas.commander).get(
        reverse("reports:premises", args=[campaign.code, day(MILESTONE_DAY).isoformat()]),
        {"dimension": Dimension.FOUR_CATEGORY, "key": "all", "figure": "accepted"},
    )
    assert_status(response, 200)
    assert response.context["paginator"].count == 3

    # The change is two corrections of the last day, each with its reason, never a silent difference.
    versions = list(DailySnapshot.objects.filter(campaign=campaign, day=day(LAST_DAY)).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert "漏报补录" in versions[1].reason and "登记有误" in versions[2].reason
    assert all(v.generated_by == personas.commander for v in versions[1:])
    assert figures(versions[0], Dimension.TOTAL) == (4, 4)
    assert figures(versions[2], Dimension.TOTAL) == (4, 3)  # one more (not accepted), one fewer
    assert figures(versions[2], Dimension.FOUR_CATEGORY) == (2, 2)


def test_a_removal_dated_into_the_past_leaves_the_stored_reports_of_those_days(ended, personas, day):
    campaign = ended.campaign
    milestone = services.newest(campaign, day(MILESTONE_DAY))
    target_b = campaign.targets.get(premises__unit_label="2楼")
    campaigns.remove_target(target_b, actor=personas.commander, reason="重复登记", on=day(3))
    assert figures(milestone, Dimension.TOTAL) == (4, 3)
    assert_every_list_counts_its_figure(milestone)
    # Recomputed as known when it was made: its own figures; as known now: without premises_b.
    as_made = {
        (line.dimension, line.key): sum(line.counts.values())
        for line in services.compute_lines(campaign, day(MILESTONE_DAY), milestone.generated_at)
    }
    now = {
        (line.dimension, line.key): sum(line.counts.values())
        for line in services.compute_lines(campaign, day(MILESTONE_DAY))
    }
    assert as_made[(Dimension.TOTAL, "all")] == 4 and now[(Dimension.TOTAL, "all")] == 3


def test_the_outreach_section_is_frozen_in_the_report(ended, district, personas, login, day):
    campaign, gw = ended.campaign, personas.grid_worker
    OutreachRecord.objects.create(
        campaign=campaign,
        kind=OutreachKind.MEETING,
        area=district.grid_a,
        held_on=day(1),
        recorded_by=gw,
        attendance=30,
    )
    snapshot = services.generate_snapshot(campaign, day(2), correction=True, reason="补录宣传")
    # Entered later for a day before the report: the stored report does not change; a new version counts it.
    OutreachRecord.objects.create(
        campaign=campaign,
        kind=OutreachKind.MEETING,
        area=district.grid_a,
        held_on=day(1),
        recorded_by=gw,
        attendance=50,
    )
    url = reverse("reports:day", args=[campaign.code, day(2).isoformat()])
    section = login(personas.commander).get(url, {"version": snapshot.version}).context["outreach"]
    assert section["total"] == {"records": 1, "attendance": 30, "copies": 0}
    again = services.generate_snapshot(campaign, day(2), correction=True, reason="再次补录")
    assert services.outreach_section(again, personas.commander)["total"]["attendance"] == 80
    # An area officer sees their areas' records only; the outsider's grid has none.
    assert services.outreach_section(again, personas.subdistrict_officer)["total"]["records"] == 2
    assert services.outreach_section(again, personas.outsider)["total"]["records"] == 0


def test_a_report_says_who_or_what_made_it(ended, personas, login, day):
    campaign = ended.campaign
    page = login(personas.commander).get(reverse("reports:day", args=[campaign.code, day(1).isoformat()]))
    assert 'data-maker="job"' in page.content.decode() and "定时任务" in page.content.decode()
    call_command(
        "reports",
        "snapshot",
        "--campaign",
        campaign.code,
        "--day",
        day(1).isoformat(),
        "--correction",
        "--reason",
        "复核",
    )
    services.generate_snapshot(campaign, day(1), correction=True, reason="演示", via=GeneratedVia.DEMO)
    services.generate_snapshot(campaign, day(1), actor=personas.commander, reason="更正")
    made = list(DailySnapshot.objects.filter(day=day(1)).order_by("version"))
    assert [(s.generated_via, s.maker) for s in made] == [
        (GeneratedVia.JOB, "定时任务"),
        (GeneratedVia.COMMAND, "管理命令"),
        (GeneratedVia.DEMO, "演示数据"),
        (GeneratedVia.PERSON, str(personas.commander)),
    ]
    index = (
        login(personas.commander).get(reverse("reports:index"), {"campaign": campaign.code}).content.decode()
    )
    assert str(personas.commander) in index
