"""流管通 at 360 px in headless Chromium: a landlord registers a tenant moving in on the phone form — a
mistyped ID number is refused on its field, what was typed stays — and sees the household 待核实."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from firegrid import testing as t
from firegrid.registry.models import TenantHousehold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landlord_registers_a_move_in_on_the_phone(browser, live_server, personas, district):
    client = Client()
    client.force_login(personas.landlord)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    errors: list[str] = []
    try:
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        # A CSP violation (an inline script or style) is reported on the console.
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/portal/")
        page.click("a:has-text('租户登记')")
        page.wait_for_url(f"{live_server.url}/portal/tenants/")
        page.click("a:has-text('登记入住') >> nth=0")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        good = t.valid_id_number(921, born="19900202")
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        page.fill("#id_head_name", "陈新来")
        page.fill("#id_id_number", bad)
        page.fill("#id_mobile", "13712345678")
        page.fill("#id_people", "2")
        page.click("button:has-text('提交登记')")
        page.wait_for_selector(".form-field.has-error")
        assert "身份证号码" in page.locator(".field-errors").inner_text()
        assert page.input_value("#id_head_name") == "陈新来"
        page.fill("#id_id_number", good)
        page.click("button:has-text('提交登记')")
        page.wait_for_url(f"{live_server.url}/portal/tenants/")
        assert "待核实" in page.locator("body").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    assert TenantHousehold.objects.get(head_name="陈新来").awaiting_confirmation
    assert not [e for e in errors if "Content Security Policy" in e]
