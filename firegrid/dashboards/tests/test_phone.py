"""At 360 px the commander reads the dashboard and the daily report without the page scrolling sideways:
wide tables scroll inside their own box, the charts take the phone's width. Screenshots go to
test-artifacts/."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS

from .conftest import START, TODAY, at, make_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360
CHARTS = ("burn_down", "by_area", "hazards", "ageing", "four_category")


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_dashboard_and_daily_report_fit_a_phone(scene, personas, page_for, live_server):
    yesterday = TODAY - dt.timedelta(days=1)
    with at(TODAY, hour=15):
        make_reports(scene.campaign, START, yesterday)
        page = page_for(personas.commander, phone=True)

        page.goto(f"{live_server.url}{reverse('dashboards:campaign', args=[scene.campaign.pk])}")
        for name in CHARTS:
            page.wait_for_selector(f"[data-chart={name}][data-ready=true]", state="attached")
            box = page.locator(f"[data-chart={name}]").bounding_box()
            assert box["width"] > 0 and box["height"] > 0, name
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, name
            # ECharts drew into the box: its canvas has the box's size, not zero.
            canvas = page.locator(f"[data-chart={name}] canvas").first.bounding_box()
            assert canvas["width"] > 0 and canvas["height"] > 0, name
        # The forecast tables (six columns) are in the page: they must scroll in their box, not the page.
        assert page.locator(".table-wrap table").count() == 2
        expect(page.locator("#campaign-map")).to_have_attribute("data-loaded", re.compile(r".*"))
        shot(page, "dashboard-campaign-phone")
        assert page_width(page) <= PHONE_WIDTH

        page.goto(
            f"{live_server.url}{reverse('reports:day', args=[scene.campaign.code, yesterday.isoformat()])}"
        )
        assert page.locator("table.report").count() >= 1
        assert page.locator("table.report a[data-figure]").count() > 0
        shot(page, "report-day-phone")
        assert page_width(page) <= PHONE_WIDTH
