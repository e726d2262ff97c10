import datetime as dt

import pytest
import time_machine

from firegrid.dashboards import figures
from firegrid.dashboards import forecast as fc
from firegrid.reports.models import DailySnapshot, Dimension

from .conftest import START, TODAY, ZONE, at, make_reports, survey_and_plan

DAY = dt.date(2026, 3, 20)
DEADLINE = dt.date(2026, 4, 29)


def test_pace_of_the_last_seven_days_gives_the_date():
    # 14 accepted in 7 days = 2 a day; 9 left → 4.5 → 5 days.
    f = fc.forecast("一网格", remaining=9, accepted_recently=14, deadline=DEADLINE, today=DAY)
    assert f.finish_on == dt.date(2026, 3, 25) and f.per_day == 2.0
    assert not f.will_miss and f.finish_text == "2026-03-25"


def test_a_slow_grid_will_miss_the_deadline():
    # 1 accepted in 7 days; 10 left → 70 days → 29 May, after the deadline.
    f = fc.forecast("二网格", remaining=10, accepted_recently=1, deadline=DEADLINE, today=DAY)
    assert f.finish_on == DAY + dt.timedelta(days=70) and f.will_miss


def test_finishing_on_the_deadline_is_in_time():
    days = (DEADLINE - DAY).days  # 40
    f = fc.forecast("三网格", remaining=days, accepted_recently=7, deadline=DEADLINE, today=DAY)
    assert f.finish_on == DEADLINE and not f.will_miss


def test_no_progress_cannot_be_forecast_and_is_a_warning():
    f = fc.forecast("四网格", remaining=3, accepted_recently=0, deadline=DEADLINE, today=DAY)
    assert f.finish_on is None and f.finish_text == "无法预计" and f.will_miss


def test_done_is_no_warning():
    f = fc.forecast("五网格", remaining=0, accepted_recently=0, deadline=DEADLINE, today=DAY)
    assert f.done and not f.will_miss and f.finish_text == "已完成"


def test_the_window_is_today_and_the_six_days_before():
    start, end = fc.window(DAY)
    assert start == dt.datetime(2026, 3, 14, tzinfo=ZONE) and end == dt.datetime(2026, 3, 21, tzinfo=ZONE)


def forecasts(campaign, user):
    snapshot = figures.newest_snapshot(campaign)
    grids = {f.name: f for f in fc.grid_forecasts(campaign, user, snapshot)}
    units = {f.name: f for f in fc.unit_forecasts(campaign, user, snapshot)}
    return grids, units


@pytest.mark.django_db
def test_grid_and_unit_forecasts_from_the_reports(scene, district, personas):
    # On 03-09: premises_a (grid A) accepted on 03-05 → 1 in the window, shop_a cancelled, nothing left.
    # Grid B: premises_b2 accepted 03-08 then reopened on 03-09; premises_b and premises_b3 open → 3 left;
    # its accepted figure rose once in the window (03-07 → 03-08): 1 a week.
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, tzinfo=ZONE), tick=False):
        make_reports(scene.campaign, START, dt.date(2026, 3, 9))
        grids, units = forecasts(scene.campaign, personas.commander)
    assert grids["樟树潭一网格"].done
    b = grids["浮石一网格"]
    assert (b.remaining, b.accepted_recently) == (3, 1)
    assert b.finish_on == dt.date(2026, 3, 9) + dt.timedelta(days=21) and not b.will_miss
    a2 = grids["樟树潭二网格"]
    assert (a2.remaining, a2.accepted_recently, a2.finish_on) == (1, 0, None) and a2.will_miss
    # The unit's deadline is the four-category milestone; its one landlord's premises are done.
    unit = units["衢江区住建局"]
    assert unit.done and unit.deadline == dt.date(2026, 3, 31)

    # On TODAY (03-20) the acceptances are older than seven days: no pace, grid B will miss.
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(15), tzinfo=ZONE), tick=False):
        make_reports(scene.campaign, dt.date(2026, 3, 10), TODAY - dt.timedelta(days=1))
        grids, _units = forecasts(scene.campaign, personas.commander)
    assert grids["浮石一网格"].finish_on is None and grids["浮石一网格"].will_miss


@pytest.mark.django_db
def test_forecasts_without_reports_in_the_window_cannot_pace(scene, personas):
    # Only the newest day's report: what is left is known, the pace is not.
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, tzinfo=ZONE), tick=False):
        make_reports(scene.campaign, dt.date(2026, 3, 9), dt.date(2026, 3, 9))
        grids, _units = forecasts(scene.campaign, personas.commander)
    assert grids["浮石一网格"].remaining == 3 and grids["浮石一网格"].accepted_recently == 0


@pytest.mark.django_db
def test_forecasts_are_scoped_like_the_reports(scene, personas):
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, tzinfo=ZONE), tick=False):
        make_reports(scene.campaign, START, dt.date(2026, 3, 9))
        grids, units = forecasts(scene.campaign, personas.grid_worker)
    assert list(grids) == ["樟树潭一网格"] and units == {}


@pytest.mark.django_db
def test_a_unit_behind_its_milestone_is_warned(scene, district, personas, login):
    from django.urls import reverse

    from firegrid.rectification.models import Plan

    # Reopen landlord_a's premises_a with a new plan: the unit has one premises left and no pace.
    with at(dt.date(2026, 3, 12)):
        survey_and_plan(district.premises_a, scene.officer, dt.date(2026, 3, 30))
    with at(TODAY, hour=15):
        make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
        _grids, units = forecasts(scene.campaign, personas.commander)
        response = login(personas.commander).get(reverse("dashboards:campaign", args=[scene.campaign.pk]))
    unit = units["衢江区住建局"]
    assert unit.remaining == 1 and unit.will_miss
    assert ("unit", unit.name) in [(kind, f.name) for kind, f in response.context["warnings"]]
    assert Plan.objects.filter(premises=district.premises_a).count() == 2
    # The unit's warning links to the targets of its claimed landlords: as many as its in-scope figure.
    snapshot = DailySnapshot.objects.get(campaign=scene.campaign, day=TODAY - dt.timedelta(days=1))
    in_scope = snapshot.rows.get(dimension=Dimension.UNIT, key=str(district.unit.pk)).in_scope
    assert unit.url.startswith(reverse("campaigns:target_list", args=[scene.campaign.pk]))
    listed = login(personas.commander).get(unit.url)
    assert listed.status_code == 200 and listed.context["paginator"].count == in_scope == 2
