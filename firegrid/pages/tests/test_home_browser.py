"""The commander's home in Chromium at 390×844 and 1440×900: the campaign's status (its period and key
figures) and the 长效管理 strip come first, nothing scrolls sideways, and a figure opens its list of that
many premises. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS

from .test_home_campaign import build_campaign_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("name", "width", "height", "phone"), [("phone", 390, 844, True), ("desktop", 1440, 900, False)]
)
def test_the_command_home_carries_the_campaign_and_longterm_status(
    checklist, district, personas, page_for, live_server, name, width, height, phone
):
    build_campaign_scene(district, personas)
    page = page_for(personas.commander, phone=phone)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/")

    card = page.locator("#home-campaign")
    expect(card).to_be_visible()
    expect(page.locator("#home-campaign-period")).to_have_text("还剩 20 天")
    figures = page.locator(".campaign-figures a.figure")
    expect(figures).to_have_count(4)
    expect(page.locator(".campaign-figures")).to_contain_text("33.3%")
    expect(page.locator(".longterm-figures a.figure").first).to_be_visible()
    # The status opens the page: the campaign's figures start on the first screen.
    assert figures.first.bounding_box()["y"] < height
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-commander-{name}.png"), full_page=True)

    accepted = figures.filter(has_text="已验收")
    expect(accepted.locator(".value")).to_have_text("1")
    accepted.click()
    expect(page.locator("main")).to_contain_text("共 1 户")
