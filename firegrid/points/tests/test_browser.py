"""我的积分 and the officers' 手动加减分 form at 360 px in headless Chromium: the landlord opens their points
from the portal home and reads each entry's reason; an officer records a training on the phone. Nothing
overflows the screen, nothing breaks the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from firegrid.points.choices import PointsRule
from firegrid.points.models import PointsEntry

from .scene import give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
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
    return context, page


def test_a_landlord_reads_their_points_and_an_officer_records_a_training_on_the_phone(
    browser, live_server, personas, district
):
    give(
        district.landlord_a,
        -5,
        rule=PointsRule.OVERDUE,
        reason="整改期限 2026-11-30 已过仍未整改完毕（樟树潭村12号）",
    )
    errors: list[str] = []
    context, page = phone(browser, live_server, personas.landlord)
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/portal/")
        page.click("a:has-text('我的积分')")
        page.wait_for_url(f"{live_server.url}/portal/points/")
        body = page.locator("body").inner_text()
        assert "95" in body and "整改期限 2026-11-30 已过仍未整改完毕" in body and "按时自查" in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    context, page = phone(browser, live_server, personas.community_officer)
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/points/landlords/{district.landlord_a.pk}/")
        page.click("a:has-text('手动加减分')")
        page.check("input[value='training_attendance']")
        page.fill("#id_note", "樟潭街道消防安全培训")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.click("button:has-text('保存')")
        page.wait_for_url(f"{live_server.url}/points/landlords/{district.landlord_a.pk}/")
        assert "樟潭街道消防安全培训" in page.locator("body").inner_text()
    finally:
        context.close()
    assert PointsEntry.objects.filter(
        rule=PointsRule.TRAINING_ATTENDANCE, landlord=district.landlord_a
    ).exists()
    assert not [e for e in errors if "Content Security Policy" in e]
