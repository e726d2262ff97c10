"""指挥大屏 (command screen): per role, the area and figures of the user's scope; the JSON it polls; its
figures equal the lists they link to; the map's areas carry their outlines and colours."""

import pytest
from django.urls import reverse

from firegrid.areas.models import Area
from firegrid.conftest import PORTAL, assert_status
from firegrid.dashboards import screen as s
from firegrid.risk.choices import RiskGrade

pytestmark = pytest.mark.django_db


def box(west, south, east, north):
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# The small district, tiled: 樟潭街道 west, 浮石街道 east; grids A and A2 split 樟树潭社区.
BOXES = {
    "d": box(118.80, 28.90, 118.88, 28.96),
    "s1": box(118.80, 28.90, 118.84, 28.96),
    "s2": box(118.84, 28.90, 118.88, 28.96),
    "c1": box(118.80, 28.90, 118.84, 28.96),
    "c2": box(118.84, 28.90, 118.88, 28.96),
    "grid_a": box(118.80, 28.90, 118.82, 28.96),
    "grid_a2": box(118.82, 28.90, 118.84, 28.96),
    "grid_b": box(118.84, 28.90, 118.88, 28.96),
}


@pytest.fixture
def outlined(district):
    """Outlines for every area of the small district (the map draws what has one)."""
    for name, outline in BOXES.items():
        Area.objects.filter(pk=getattr(district, name).pk).update(outline=outline)
    return district


def open_screen(client, **params):
    return client.get(reverse("dashboards:screen"), params)


def list_count(client, url: str) -> int:
    response = client.get(url)
    assert_status(response, 200)
    return response.context["paginator"].count


def kpi(screen, label):
    return next(k for k in [*screen.campaign_kpis, *screen.longterm_kpis] if k.label == label)


# --- who sees which area ------------------------------------------------------------------------------


def test_the_commander_sees_the_district_and_its_subdistricts(
    scene, today, reports, outlined, personas, login
):
    response = open_screen(login(personas.commander))
    assert_status(response, 200)
    screen = response.context["screen"]
    assert screen.area == outlined.d and screen.campaign == scene.campaign and screen.mode == s.COMPLETION
    assert [m.area for m in screen.map_areas] == [outlined.s1, outlined.s2]
    assert kpi(screen, "整治对象").value == "6" and kpi(screen, "已验收").value == "1"
    # No app chrome: the screen is a page of its own.
    html = response.content.decode()
    assert 'class="sidebar"' not in html and "指挥大屏" in html and "screen.js" in html


def test_a_subdistrict_officer_sees_their_subdistrict_only(scene, today, reports, outlined, personas, login):
    client = login(personas.subdistrict_officer)
    screen = open_screen(client).context["screen"]
    assert screen.area == outlined.s1 and [a.pk for a in screen.crumbs] == [outlined.s1.pk]
    assert [m.area for m in screen.map_areas] == [outlined.c1]
    # premises_a (accepted), shop_a (cancelled), premises_a2 (overdue): grid B's targets are not theirs.
    assert kpi(screen, "整治对象").value == "3" and kpi(screen, "逾期方案").value == "1"
    assert_status(open_screen(client, area=outlined.s2.pk), 404)
    assert_status(open_screen(client, area=outlined.grid_b.pk), 404)
    assert_status(open_screen(client, area="x"), 404)
    drilled = open_screen(client, area=outlined.grid_a.pk).context["screen"]
    assert [a.pk for a in drilled.crumbs] == [outlined.s1.pk, outlined.c1.pk, outlined.grid_a.pk]
    assert [m.area for m in drilled.map_areas] == [outlined.grid_a]  # a grid shows itself


def test_a_community_officer_sees_their_community_and_its_grids(
    scene, today, reports, outlined, personas, login
):
    screen = open_screen(login(personas.community_officer)).context["screen"]
    assert screen.area == outlined.c1
    assert [m.area for m in screen.map_areas] == [outlined.grid_a, outlined.grid_a2]
    completion = {m.area.pk: m.value for m in screen.map_areas}
    # grid A: premises_a accepted, shop_a cancelled (out of the completion); grid A2: premises_a2 overdue.
    assert completion == {outlined.grid_a.pk: 100.0, outlined.grid_a2.pk: 0.0}
    assert [m.area for m in screen.ranking] == [outlined.grid_a, outlined.grid_a2]
    colours = {m.area.pk: m.colour for m in screen.map_areas}
    assert colours == {
        outlined.grid_a.pk: s.COMPLETION_BANDS[-1][1],
        outlined.grid_a2.pk: s.COMPLETION_BANDS[0][1],
    }


@pytest.mark.parametrize(("who", "expected"), [("liaison", 403), ("landlord", PORTAL)])
def test_roles_without_a_dashboard_have_no_screen(scene, today, personas, login, who, expected):
    assert_status(open_screen(login(getattr(personas, who))), expected)
    assert_status(login(getattr(personas, who)).get(reverse("dashboards:screen_data")), expected)


def test_anonymous_is_sent_to_sign_in(client, district):
    assert client.get(reverse("dashboards:screen")).status_code == 302


# --- the JSON the screen polls ---------------------------------------------------------------------------


def test_the_json_has_the_fragments_the_map_and_the_bookmarkable_query(
    scene, today, reports, outlined, personas, login
):
    client = login(personas.commander)
    response = client.get(reverse("dashboards:screen_data"), {"area": outlined.s1.pk})
    assert_status(response, 200)
    data = response.json()
    assert data["query"] == f"?area={outlined.s1.pk}&mode=completion&campaign={scene.campaign.pk}"
    assert set(data["html"]) == {"head", "kpis", "legend", "side"}
    assert "整治对象" in data["html"]["kpis"] and "樟潭街道" in data["html"]["head"]
    features = data["map"]["features"]["features"]
    assert [f["properties"]["id"] for f in features] == [outlined.c1.pk]
    assert features[0]["geometry"] == BOXES["c1"]
    assert features[0]["properties"]["colour"] and features[0]["properties"]["text"].endswith("%")
    assert data["map"]["frame"] == BOXES["s1"]
    # A grid: the campaign's target points are drawn on it.
    grid = client.get(reverse("dashboards:screen_data"), {"area": outlined.grid_a.pk}).json()
    assert grid["map"]["points"].endswith(f"?area={outlined.grid_a.pk}")
    assert_status(
        login(personas.outsider).get(reverse("dashboards:screen_data"), {"area": outlined.s1.pk}), 404
    )


def test_areas_without_an_outline_are_named_and_still_ranked(
    scene, today, reports, district, personas, login
):
    screen = open_screen(login(personas.commander)).context["screen"]
    assert screen.unmapped == [district.s1, district.s2]
    assert screen.map_data()["features"]["features"] == []
    assert {m.area for m in screen.ranking} == {district.s1, district.s2}


# --- figures equal their lists ------------------------------------------------------------------------------


def test_campaign_figures_equal_the_lists_they_link_to(scene, today, reports, personas, login):
    for who in ("commander", "subdistrict_officer"):
        client = login(getattr(personas, who))
        screen = open_screen(client).context["screen"]
        for label in ("已验收", "逾期方案"):
            figure = kpi(screen, label)
            assert figure.url, label
            assert list_count(client, figure.url) == int(figure.value), (who, label)
        plans = next(a for a in screen.alerts if a.key == "overdue_plans")
        assert list_count(client, plans.url) == plans.count == len(plans.rows)


def test_grade_mode_colours_by_the_red_share_and_its_figure_equals_its_list(graded, personas, login):
    client = login(personas.commander)
    screen = open_screen(client).context["screen"]
    # No campaign: the screen opens on the grades.
    assert screen.campaign is None and screen.mode == s.GRADE and screen.campaign_kpis == []
    red = kpi(screen, "红色等级出租户")
    assert red.value == "1" and list_count(client, red.url) == 1
    shares = {m.area.pk: m.value for m in screen.map_areas}
    # 樟潭街道: premises_a red of premises_a and shop_a; 浮石街道: premises_b not red.
    assert shares == {graded.s1.pk: 50.0, graded.s2.pk: 0.0}
    assert [m.area for m in screen.ranking] == [graded.s2, graded.s1]  # the smaller red share first
    alert = next(a for a in screen.alerts if a.key == "red_premises")
    assert alert.count == 1 and [r.url for r in alert.rows] == [
        reverse("registry:premises_detail", args=[graded.premises_a.pk])
    ]
    assert s.band(50.0, s.GRADE_BANDS) == s.GRADE_BANDS[-1][1] and RiskGrade.RED.value == "red"


def test_the_campaign_and_mode_come_from_the_url(scene, today, reports, personas, login):
    client = login(personas.commander)
    screen = open_screen(client, mode="grade", campaign=scene.campaign.pk).context["screen"]
    assert screen.mode == s.GRADE and screen.campaign == scene.campaign
    page = open_screen(client, mode="grade").content.decode()
    assert "按完成率" in page and f"campaign={scene.campaign.pk}" in page


# --- the campaign dashboard's bars --------------------------------------------------------------------


def test_every_dashboard_bar_keeps_its_label(scene, today, reports, personas, login):
    """ECharts hides crowded category labels (every other area's): each category axis asks for all."""
    charts = (
        login(personas.commander)
        .get(reverse("dashboards:campaign", args=[scene.campaign.pk]))
        .context["charts"]
    )
    for name, axis in (("by_area", "yAxis"), ("hazards", "yAxis"), ("ageing", "xAxis")):
        assert charts[name][axis]["type"] == "category"
        assert charts[name][axis]["axisLabel"]["interval"] == 0, name
