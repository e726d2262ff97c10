"""End to end in headless Chromium at 360 px: a landlord asks for a code, reads it from the SMS file
(the file backend, as a development server would write it), signs in and sees their own premises."""

from __future__ import annotations

import json
import re

import pytest

from firegrid.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def code_from(path, mobile: str) -> str:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [line["text"] for line in lines if line["mobile"] == mobile]
    assert texts, f"no SMS to {mobile} in {path}"
    return re.search(r"\d{6}", texts[-1]).group()


def test_landlord_signs_in_with_the_code_from_the_sms_file(
    browser, live_server, district, settings, tmp_path
):
    sms_file = tmp_path / "sms.log"
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.FileBackend"
    settings.FIREGRID_SMS_FILE_PATH = str(sms_file)
    mobile = district.landlord_a.mobile

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.click("a:has-text('房东登录')")
        page.wait_for_url(f"{live_server.url}/portal/login/")
        # 长辈模式 on (the toggle on every portal page): the page still fits the phone.
        page.click("#elder-toggle")
        page.wait_for_selector("html.elder")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # A typo first: the error is on the field and what was typed stays.
        page.fill("#id_mobile", "1380013")
        page.click("button:has-text('获取验证码')")
        page.wait_for_selector(".form-field.has-error")
        assert page.input_value("#id_mobile") == "1380013"
        assert "11位数字" in page.locator("#mobile-errors").inner_text()

        # Typed as on a Chinese keyboard: full-width digits with a space.
        full_width = mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        page.fill("#id_mobile", f"{full_width[:3]} {full_width[3:]}")
        page.click("button:has-text('获取验证码')")
        page.wait_for_selector("#sent-message")
        send_button = page.locator("button.send-code")
        assert send_button.is_disabled() and "秒后重新获取" in send_button.inner_text()
        shot(page, "portal-login-code-sent-phone")

        page.fill("#id_code", code_from(sms_file, mobile))
        page.click("button.login-submit")
        page.wait_for_url(f"{live_server.url}/portal/")
        text = page.locator("main").inner_text()
        assert "张建国" in text
        assert district.building_a.address in text and "1楼店面" in text
        assert district.building_b.address not in text
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        tap = page.locator(".portal-premises").first.bounding_box()
        assert tap["height"] >= 44
        shot(page, "portal-home-phone")

        page.click(f"a[href='/portal/premises/{district.premises_a.pk}/']")
        page.wait_for_url(f"**/portal/premises/{district.premises_a.pk}/")
        response = page.goto(f"{live_server.url}/portal/premises/{district.premises_b.pk}/")
        assert response.status == 404
    finally:
        context.close()
