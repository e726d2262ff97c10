"""End to end at a 360 px phone viewport: a grid worker opens the alarm case from the list, takes it
(响应), records the visit (到场核查) and closes it with an outcome and a note — every button full width and
tap-sized, nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from firegrid.monitoring.choices import CaseState
from firegrid.monitoring.models import AlertCase

from .scene import make_case, make_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_handles_an_alarm_on_the_phone(page_for, live_server, district, personas):
    case = make_case(make_device(district.premises_a, serial="PHONE-1"))
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/monitoring/cases/")
    page.click(f"a[href$='/monitoring/cases/{case.pk}/']")
    for move, label in (("acknowledge", "响应"), ("visit", "到场核查")):
        button = page.locator(f"button[data-move='{move}']")
        box = button.bounding_box()
        assert box is not None and box["width"] >= 300 and box["height"] >= 44, box
        button.click()
        expect(page.locator(".messages")).to_contain_text(f"{label}已记录")
    page.select_option("select[name='outcome']", "cooking_smoke")
    page.fill("textarea[name='note']", "厨房炒菜油烟，已提醒住户开窗")
    page.click("button[data-move='close']")
    expect(page.locator("body")).to_contain_text("已办结")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    stored = AlertCase.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome, stored.closed_by) == (
        CaseState.CLOSED,
        "cooking_smoke",
        personas.grid_worker,
    )
