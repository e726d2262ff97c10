"""The command screen (指挥大屏) at 1920×1080 in headless Chromium: the outlines are drawn, a click on an
area drills into it (the URL carries it), the back button goes up again; a screenshot for the guide."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS
from firegrid.testing import PASSWORD

from .conftest import START, TODAY, at, make_reports
from .test_screen import outlined  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREAS = "#screen-map path.leaflet-interactive"


@pytest.fixture
def wall(browser, live_server):
    """wall(user) -> a page of a 1920×1080 screen, signed in through the login form."""
    contexts = []

    def _open(user):
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.usefixtures("outlined")
def test_the_commander_drills_from_the_district_into_a_subdistrict(
    scene, district, personas, wall, live_server
):
    d = district
    with at(TODAY, hour=15):
        make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
        page = wall(personas.commander)
        page.goto(f"{live_server.url}{reverse('dashboards:screen')}")
        expect(page.locator("#screen-map")).to_have_attribute("data-loaded", "2")
        assert page.locator(AREAS).count() == 2  # the two subdistricts' outlines
        assert page.locator("#screen-kpis .kpi").count() >= 5
        # The credit line is plain text: no flag.
        attribution = page.locator(".leaflet-control-attribution")
        assert attribution.inner_text().strip() == "Leaflet" and attribution.locator("svg").count() == 0
        # Everything fits the wall: no scrolling.
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        page.screenshot(path=str(ARTIFACTS / "command-screen-1920.png"))

        page.locator(f'#screen-map path[data-area="{d.s1.pk}"]').click()
        expect(page.locator("#screen-map")).to_have_attribute("data-area", str(d.s1.pk))
        assert f"area={d.s1.pk}" in page.url
        expect(page.locator(".screen-crumbs strong")).to_have_text("樟潭街道")
        assert page.locator(AREAS).count() == 1  # its one community
        page.screenshot(path=str(ARTIFACTS / "command-screen-1920-subdistrict.png"))

        page.go_back()
        expect(page.locator("#screen-map")).to_have_attribute("data-area", str(d.d.pk))
        expect(page.locator(".screen-crumbs strong")).to_have_text("衢江区")


def test_the_campaign_dashboards_map_credit_has_no_flag(scene, personas, page_for, live_server):
    with at(TODAY, hour=15):
        page = page_for(personas.commander)
        page.goto(f"{live_server.url}{reverse('dashboards:campaign', args=[scene.campaign.pk])}")
        attribution = page.locator("#campaign-map .leaflet-control-attribution")
        expect(attribution).to_have_text("Leaflet")
        assert attribution.locator("svg").count() == 0
        # Horizontal bar charts grow with their bars, so none loses its label.
        height = page.evaluate("document.querySelector('[data-chart=by_area]').clientHeight")
        assert height >= 2 * 26 + 90


HIDE = """(hidden) => {
  Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.mark.usefixtures("outlined")
def test_the_screen_refreshes_itself_only_while_it_can_be_seen(scene, personas, wall, live_server):
    with at(TODAY, hour=15):
        page = wall(personas.commander)
        page.clock.install()
        polls = []
        page.on("request", lambda r: polls.append(r.url) if "/screen/data.json" in r.url else None)
        page.goto(f"{live_server.url}{reverse('dashboards:screen')}")
        expect(page.locator("#screen-map")).to_have_attribute("data-loaded", "2")
        with page.expect_request(lambda r: "/screen/data.json" in r.url):
            page.clock.run_for(61_000)
        page.wait_for_load_state("networkidle")
        seen = len(polls)
        page.evaluate(HIDE, True)  # the tab goes to the background: polling stops
        page.clock.run_for(300_000)
        page.wait_for_timeout(500)
        assert len(polls) == seen
        # The response, not just the request: the live server must be done with it (and with the
        # session it saves) before the test's database is emptied.
        with page.expect_response(lambda r: "/screen/data.json" in r.url):
            page.evaluate(HIDE, False)  # back in front: fresh figures at once
