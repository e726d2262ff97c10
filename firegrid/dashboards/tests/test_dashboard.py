import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import NoReverseMatch, reverse

from firegrid.campaigns import status
from firegrid.conftest import PORTAL, assert_status
from firegrid.dashboards import figures
from firegrid.inspections.choices import BUCKET_STATUSES, HazardBucket
from firegrid.inspections.models import Hazard
from firegrid.registry.models import Premises
from firegrid.reports.models import DailySnapshot

from .conftest import END, START, TODAY, make_reports

pytestmark = pytest.mark.django_db


def charts_of(response) -> dict:
    return response.context["charts"]


def dashboard(client, campaign):
    return client.get(reverse("dashboards:campaign", args=[campaign.pk]))


def target_list_exists() -> bool:
    try:
        reverse("campaigns:target_list", args=[1])
    except NoReverseMatch:
        try:
            reverse("campaigns:target_list")
        except NoReverseMatch:
            return False
    return True


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert_status(response, 200)
    return response.context["paginator"].count


# --- who sees the dashboard ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["commander", "admin", "fire_officer", "subdistrict_officer", "grid_worker"])
def test_the_command_and_area_officers_see_the_dashboard(scene, today, reports, personas, login, who):
    response = dashboard(login(getattr(personas, who)), scene.campaign)
    assert_status(response, 200)
    assert "燃尽图" in response.content.decode()


@pytest.mark.parametrize(("who", "expected"), [("liaison", 403), ("landlord", PORTAL)])
def test_liaisons_and_landlords_have_no_dashboard(scene, today, personas, login, who, expected):
    # A liaison sees the campaign (their unit's page) but not the dashboard: 403. A landlord is sent to the
    # portal from every staff page.
    client = login(getattr(personas, who))
    assert_status(dashboard(client, scene.campaign), expected)
    assert_status(client.get(reverse("dashboards:points", args=[scene.campaign.pk])), expected)
    assert_status(client.get(reverse("dashboards:index")), 403 if who == "liaison" else PORTAL)


def test_a_missing_campaign_is_404_and_anonymous_goes_to_login(scene, personas, login, client):
    assert_status(login(personas.commander).get(reverse("dashboards:campaign", args=[999999])), 404)
    assert_status(login(personas.liaison).get(reverse("dashboards:campaign", args=[999999])), 404)
    response = client.get(reverse("dashboards:campaign", args=[scene.campaign.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_area_officers_see_only_their_areas_figures(scene, today, reports, personas, login):
    commander = dashboard(login(personas.commander), scene.campaign).context
    grid = dashboard(login(personas.grid_worker), scene.campaign).context
    subdistrict = dashboard(login(personas.subdistrict_officer), scene.campaign).context
    assert commander["summary"]["targets"] == 6
    assert subdistrict["summary"]["targets"] == 3  # grid A (2) and grid A2 (1)
    assert grid["summary"]["targets"] == 2  # grid A only
    assert grid["summary"]["accepted"] == 1
    # The area chart shows the areas under the user's scope: subdistricts for the command, the grid for a
    # grid worker, communities for a subdistrict officer.
    assert commander["charts"]["by_area"]["yAxis"]["data"][0].startswith("樟潭街道")
    assert [n.split()[0] for n in grid["charts"]["by_area"]["yAxis"]["data"]] == ["樟树潭一网格"]
    assert [n.split()[0] for n in subdistrict["charts"]["by_area"]["yAxis"]["data"]] == ["樟树潭社区"]
    # A grid worker's forecast lists only their grid.
    assert [f.name for f in grid["grid_forecasts"]] == ["樟树潭一网格"]


# --- every figure equals the list behind it -----------------------------------------------------------


def test_area_chart_figures_equal_their_lists_as_of_the_report(
    scene, today, reports, district, personas, login
):
    client = login(personas.commander)
    response = dashboard(client, scene.campaign)
    snapshot = response.context["snapshot"]
    assert snapshot.day == TODAY - dt.timedelta(days=1)
    assert "数据截至 2026-03-19" in response.content.decode()
    option = charts_of(response)["by_area"]
    areas = [district.s1, district.s2]
    seen = 0
    for series, progress in zip(option["series"], figures.CHART_PROGRESS, strict=True):
        for area, point in zip(areas, series["data"], strict=True):
            expected = status.in_progress(
                status.targets(scene.campaign).filter(building__grid_id__in=area.grid_ids()),
                scene.campaign,
                progress,
                snapshot.day,
            ).count()
            assert point["value"] == expected, (area.name, progress)
            if point["value"]:
                query = parse_qs(urlsplit(point["url"]).query)
                assert query["key"] == [str(area.pk)] and query["version"] == [str(snapshot.version)]
                assert snapshot.day.isoformat() in point["url"]
                assert list_count(client, point["url"]) == point["value"]
            seen += point["value"]
    assert seen == 5  # six targets, one cancelled
    s2 = {
        p.value: series["data"][1]["value"]
        for p, series in zip(figures.CHART_PROGRESS, option["series"], strict=True)
    }
    assert s2["not_surveyed"] == 1 and s2["with_hazards"] == 1 and s2["accepted"] == 0


def test_progress_figures_are_the_reports_not_live(scene, today, reports, district, personas, login):
    # A premises accepted today changes nothing until today's report is made: the page says which day.
    from firegrid.rectification.models import Plan

    from .conftest import accept

    plan = Plan.objects.get(premises=district.premises_b, campaign=scene.campaign)
    accept(plan, scene.officer)
    client = login(personas.commander)
    before = dashboard(client, scene.campaign).context
    assert before["summary"]["accepted"] == 1 and before["snapshot"].day == TODAY - dt.timedelta(days=1)
    # The burn-down's today point is live: premises_b left the open targets today.
    assert before["burn_down"]["actual"][(TODAY - START).days] == 3 and before["burn_down"]["live_today"]
    make_reports(scene.campaign, TODAY, TODAY)
    after = dashboard(client, scene.campaign)
    assert after.context["summary"]["accepted"] == 2 and after.context["snapshot"].day == TODAY
    assert not after.context["burn_down"]["live_today"]
    assert after.context["burn_down"]["actual"][(TODAY - START).days] == 3
    assert "数据截至 2026-03-20" in after.content.decode()


def test_without_any_report_the_progress_charts_are_empty(scene, today, personas, login):
    response = dashboard(login(personas.commander), scene.campaign)
    assert_status(response, 200)
    assert response.context["snapshot"] is None and "尚无日报" in response.content.decode()
    assert response.context["summary"]["targets"] == 0 and response.context["grid_forecasts"] == []
    # The burn-down has only today's live point; every earlier day is a gap.
    series = response.context["burn_down"]
    assert series["actual"][(TODAY - START).days] == 4 and len(series["missing"]) == (TODAY - START).days


def test_not_surveyed_list_is_scoped_like_the_reports(scene, today, reports, district, personas, login):
    client = login(personas.commander)
    option = charts_of(dashboard(client, scene.campaign))["by_area"]
    url = option["series"][0]["data"][1]["url"]  # not surveyed in 浮石街道 (premises_b3)
    assert "not-surveyed" in url
    response = client.get(url)
    assert_status(response, 200)
    assert response.context["paginator"].count == 1 == response.context["figure_value"]
    assert [p.pk for p in response.context["page_obj"].object_list] == [scene.premises_b3.pk]
    # Another area's officer: 404; a liaison (reads the unit ranking only): 404; a landlord: the portal.
    for who in ("grid_worker", "liaison"):
        assert_status(login(getattr(personas, who)).get(url), 404)
    assert_status(login(personas.landlord).get(url), PORTAL)
    assert_status(client.get(url.replace("progress=not_surveyed", "progress=accepted")), 404)


def test_hazard_chart_figures_equal_their_lists(scene, today, personas, login):
    for who in ("commander", "grid_worker"):
        client = login(getattr(personas, who))
        option = charts_of(dashboard(client, scene.campaign))["hazards"]
        total = 0
        for series in option["series"]:
            for point in series["data"]:
                if point["value"]:
                    assert list_count(client, point["url"]) == point["value"]
                    total += point["value"]
        hazards = Hazard.objects.visible_to(getattr(personas, who)).filter(
            premises__in=scene.targets, status__in=set().union(*BUCKET_STATUSES.values())
        )
        assert total == hazards.count() > 0
    # The list behind a bar holds only the campaign's hazards: a hazard elsewhere is not counted.
    buckets = [b.value for b in HazardBucket]
    assert {s["name"] for s in option["series"]} == {str(HazardBucket(b).label) for b in buckets}


def test_ageing_chart_figures_equal_their_lists(scene, today, personas, login):
    client = login(personas.commander)
    option = charts_of(dashboard(client, scene.campaign))["ageing"]
    values = [point["value"] for point in option["series"][0]["data"]]
    # premises_b 2 days past its deadline, premises_a2 10 days.
    assert values == [1, 0, 1, 0]
    for point in option["series"][0]["data"]:
        if point["value"]:
            assert list_count(client, point["url"]) == point["value"]
    # A grid worker (grid A) has no overdue plan; the list behind the bar agrees.
    grid_client = login(personas.grid_worker)
    grid_option = charts_of(dashboard(grid_client, scene.campaign))["ageing"]
    assert [p["value"] for p in grid_option["series"][0]["data"]] == [0, 0, 0, 0]
    url = reverse("dashboards:overdue_plans", args=[scene.campaign.pk]) + "?age=8-14"
    assert list_count(grid_client, url) == 0
    assert list_count(client, url) == 1


def test_four_category_chart_counts_the_claimed_landlords_premises(scene, today, reports, personas, login):
    client = login(personas.commander)
    option = charts_of(dashboard(client, scene.campaign))["four_category"]
    # landlord_a's premises_a is accepted; shop_a is cancelled, which leaves the completion.
    assert [(p["name"], p["value"]) for p in option["series"][0]["data"]] == [("已验收", 1)]
    assert list_count(client, option["series"][0]["data"][0]["url"]) == 1
    # Area officers' reports have no four-category section: neither has their dashboard.
    grid = charts_of(dashboard(login(personas.grid_worker), scene.campaign))["four_category"]
    assert grid["series"][0]["data"] == []


def test_campaign_lists_404_for_a_missing_campaign(scene, personas, login):
    client = login(personas.commander)
    assert_status(client.get(reverse("dashboards:hazards", args=[999999])), 404)
    assert_status(client.get(reverse("dashboards:overdue_plans", args=[999999])), 404)


# --- burn-down ----------------------------------------------------------------------------------------


def test_burn_down_follows_the_reports(scene, today, reports, personas, login):
    series = figures.burn_down(scene.campaign, personas.commander, TODAY)
    assert series["days"][0] == START.isoformat() and series["days"][-1] == END.isoformat()
    assert series["ideal"][0] == 6 and series["ideal"][-1] == 0
    assert series["missing"] == [] and series["live_today"]
    open_progress = [p.value for p in figures.OPEN_PROGRESS]
    for day in (
        START,
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 8),
        dt.date(2026, 3, 9),
        TODAY,
    ):
        expected = status.in_progress(
            status.members_on(scene.campaign, day), scene.campaign, open_progress, day
        ).count()
        assert series["actual"][(day - START).days] == expected, day
    # 6 → 5 (accepted) → 4 (cancelled) → 3 (accepted) → 4 (a new plan reopens premises_b2).
    assert [series["actual"][(dt.date(2026, 3, d) - START).days] for d in (4, 5, 6, 8, 9, 20)] == [
        6,
        5,
        4,
        3,
        4,
        4,
    ]
    assert series["actual"][(TODAY - START).days + 1] is None  # the future has no actual figure


def test_burn_down_reads_the_newest_version_and_leaves_gaps(scene, today, personas):
    from firegrid.reports.services import generate_snapshot

    make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1), skip={dt.date(2026, 3, 6)})
    # A correction of 03-05 made after premises_b2 was reopened is still 03-05's figures (history), but
    # it is the version read: same figure, newest version.
    generate_snapshot(scene.campaign, dt.date(2026, 3, 5), reason="更正")
    assert DailySnapshot.objects.filter(campaign=scene.campaign, day=dt.date(2026, 3, 5)).count() == 2
    series = figures.burn_down(scene.campaign, personas.commander, TODAY)
    assert series["actual"][(dt.date(2026, 3, 5) - START).days] == 5
    assert series["actual"][(dt.date(2026, 3, 6) - START).days] is None
    assert series["missing"] == ["2026-03-06"]
    from firegrid.dashboards import charts

    option = charts.burn_down_option(series)
    assert "1 天没有日报" in option["title"]["subtext"]


def test_burn_down_is_a_few_queries(scene, today, reports, personas, django_assert_max_num_queries):
    # The reports' rows (one query) and today's live change (one), however long the campaign.
    with django_assert_max_num_queries(2):
        figures.burn_down(scene.campaign, personas.commander, TODAY)
    make_reports(scene.campaign, TODAY, TODAY)
    with django_assert_max_num_queries(1):
        figures.burn_down(scene.campaign, personas.commander, TODAY)


def test_burn_down_is_scoped(scene, today, reports, personas):
    series = figures.burn_down(scene.campaign, personas.grid_worker, TODAY)
    assert series["total"] == 2
    assert series["actual"][(TODAY - START).days] == 0  # premises_a accepted, shop_a cancelled
    assert series["actual"][(dt.date(2026, 3, 4) - START).days] == 2


# --- map points ---------------------------------------------------------------------------------------


def points(client, campaign, **params):
    response = client.get(reverse("dashboards:points", args=[campaign.pk]), params)
    assert_status(response, 200)
    return json.loads(response.content)


def test_map_points_are_scoped_and_filtered_by_area(scene, today, district, personas, login):
    data = points(login(personas.commander), scene.campaign)
    assert len(data["points"]) == 5 and data["unlocated"] == 1 and not data["truncated"]
    progress = {url.rstrip("/").rsplit("/", 1)[1]: p for _lat, _lng, p, _label, url in data["points"]}
    assert progress[str(district.premises_a.pk)] == "accepted"
    assert progress[str(scene.premises_b2.pk)] == "with_hazards"
    assert set(data["colours"]) >= {"accepted", "overdue"}

    grid = points(login(personas.grid_worker), scene.campaign)
    assert sorted(p[4] for p in grid["points"]) == sorted(
        reverse("registry:premises_detail", args=[pk]) for pk in (district.premises_a.pk, district.shop_a.pk)
    )
    # An area outside the user's scope does not widen it.
    assert len(points(login(personas.grid_worker), scene.campaign, area=district.grid_b.pk)["points"]) == 2
    by_area = points(login(personas.commander), scene.campaign, area=district.s2.pk)
    assert len(by_area["points"]) == 2 and by_area["unlocated"] == 1


def test_map_points_are_capped(scene, today, personas, login, monkeypatch):
    from firegrid.dashboards import views

    monkeypatch.setattr(views, "MAX_POINTS", 3)
    data = points(login(personas.commander), scene.campaign)
    assert len(data["points"]) == 3 and data["truncated"] and "3" in data["message"]


def test_map_tiles_come_from_the_setting(scene, today, personas, login, settings):
    settings.FIREGRID_MAP_TILES = ""
    page = dashboard(login(personas.commander), scene.campaign).content.decode()
    assert 'data-tiles=""' in page and "vendor/leaflet/leaflet.js" in page and "vendor/echarts.min.js" in page
    settings.FIREGRID_MAP_TILES = "https://tiles.example/{z}/{x}/{y}.png"
    page = dashboard(login(personas.commander), scene.campaign).content.decode()
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in page


def test_visible_targets_never_leave_the_users_scope(scene, personas):
    mine = figures.visible_targets(scene.campaign, personas.outsider)
    assert set(mine) <= set(Premises.objects.visible_to(personas.outsider))
    assert len(mine) == 3
