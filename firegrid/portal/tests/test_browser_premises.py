"""End to end in headless Chromium at 390×844 (a common phone): a landlord as the demo has them signs in,
sees the nearest deadline first, opens a premises from its home card and stays in the portal, turns
长辈模式 on and switches to English; both stay on the next page. The screenshots feed the user guide."""

from __future__ import annotations

import json
import re

import pytest

from firegrid.browser import ARTIFACTS

from .scene import landlord_scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def code_from(path, mobile: str) -> str:
    texts = [
        line["text"]
        for line in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if line["mobile"] == mobile
    ]
    assert texts, f"no SMS to {mobile} in {path}"
    return re.search(r"\d{6}", texts[-1]).group()


def test_landlord_opens_a_premises_in_the_portal_in_elder_mode_and_english(
    browser, live_server, checklist, district, personas, settings, tmp_path
):
    scene = landlord_scene(district, personas)
    sms_file = tmp_path / "sms.log"
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.FileBackend"
    settings.FIREGRID_SMS_FILE_PATH = str(sms_file)
    mobile = district.landlord_a.mobile
    portal = f"{live_server.url}/portal/"
    premises_url = f"{portal}premises/{district.premises_a.pk}/"

    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    visited: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on(
            "framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None
        )
        page.goto(f"{portal}login/")
        page.fill("#id_mobile", mobile)
        page.click("button:has-text('获取验证码')")
        page.wait_for_selector("#sent-message")
        page.fill("#id_code", code_from(sms_file, mobile))
        page.click("button.login-submit")
        page.wait_for_url(portal)

        # The nearest open deadline comes first, naming the hazard.
        nearest = page.locator("#nearest-deadline")
        assert re.search(r"还剩 \d+ 天|今天到期|已逾期 \d+ 天", nearest.inner_text())
        assert scene.item.hazard.item.title in nearest.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        shot(page, "portal-home-nearest-deadline-phone")

        # The home card opens the portal's own premises page, never the back office.
        page.click(f"a.portal-premises[href='/portal/premises/{district.premises_a.pk}/']")
        page.wait_for_url(premises_url)
        assert page.locator(".sidebar").count() == 0
        text = page.locator("main").inner_text()
        assert (
            "樟潭街道樟树潭村12号 整幢" in text
            and "王小明" in text
            and scene.plan.documents.first().serial in text
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        shot(page, "portal-premises-phone")

        # 长辈模式: 21 px text, tap targets of 60 px, still no sideways scrolling.
        page.click("#elder-toggle")
        page.wait_for_selector("html.elder")
        page.wait_for_url(premises_url)
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px"
        assert page.locator("#elder-toggle").get_attribute("aria-pressed") == "true"
        assert page.locator("#tenants .btn.block").first.bounding_box()["height"] >= 60
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        shot(page, "portal-premises-elder-phone")

        # English, on the same page; both choices stay on the next page.
        page.click("#language-switch")
        page.wait_for_selector("html[lang=en]")
        page.wait_for_url(premises_url)
        assert "My rental properties" in page.locator(".portal-back").inner_text()
        page.locator("#plans a.btn.primary").first.click()
        page.wait_for_url(re.compile(r"/portal/plans/"))
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.evaluate("document.documentElement.classList.contains('elder')")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.go_back()
        page.wait_for_url(premises_url)
        page.evaluate("window.scrollTo(0, 0)")  # back restores the scroll; the guide shows the top
        shot(page, "portal-premises-elder-en-phone")

        # Every page the landlord was on was the portal's.
        assert visited and all(url.startswith(portal) for url in visited), visited
    finally:
        context.close()
