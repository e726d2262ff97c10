"""帮助 in Chromium on a 390×844 phone: a grid worker opens their own guide from the top bar, a landlord
opens theirs from the portal's bar; every screenshot loads, nothing scrolls sideways, and the
Content-Security-Policy refuses nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from firegrid.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def csp_watch(page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def assert_guide_shown(page) -> None:
    page.wait_for_selector("#guide h1")
    page.wait_for_load_state("load")
    shots = page.locator("#guide img")
    assert shots.count() >= 2
    for i in range(shots.count()):
        shots.nth(i).scroll_into_view_if_needed()
        assert shots.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"image {i} did not load"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("window.scrollTo(0, 0)")


def test_a_grid_worker_opens_their_guide_from_the_top_bar(page_for, live_server, district, personas):
    page = page_for(personas.grid_worker, phone=True)
    page.set_viewport_size(PHONE)
    refused = csp_watch(page)
    page.click(".topbar a.help-link")
    page.wait_for_url(f"{live_server.url}/help/grid-worker/")
    assert page.locator("#guide h1").inner_text() == "网格员使用指南"
    assert_guide_shown(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "help-grid-worker-phone.png"))
    assert refused == []


def test_a_landlord_opens_their_guide_inside_the_portal(browser, live_server, district, personas):
    client = Client()
    client.force_login(personas.landlord)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    try:
        host = live_server.url.split("//", 1)[1].split(":")[0]
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        refused = csp_watch(page)
        page.goto(f"{live_server.url}/portal/")
        page.click(".portal-bar a:has-text('帮助')")
        page.wait_for_url(f"{live_server.url}/portal/help/")
        assert page.locator("#guide h1").inner_text() == "房东使用指南"
        assert_guide_shown(page)
        assert page.locator(".sidebar").count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "help-landlord-phone.png"))
        assert refused == []
    finally:
        context.close()
