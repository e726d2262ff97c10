"""Issue 14, item 11 in a browser: a grid worker who chose English answers the checklist on a 390 px phone in
English — category headings, item titles and requirements from the template's English texts, the review
listing the failed item by its English title — and the plan page on a 1440 px desktop shows the measures in
English."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS
from firegrid.inspections.models import ChecklistItem
from firegrid.rectification import services as plans
from firegrid.rectification.testing import plan_with_hazards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_english(page, live_server) -> None:
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])


def test_the_phone_checklist_speaks_english(page_for, live_server, district, personas, checklist):
    page = page_for(personas.grid_worker, phone=True)
    page.set_viewport_size({"width": 390, "height": 844})
    in_english(page, live_server)
    page.goto(f"{live_server.url}/registry/premises/{district.premises_a.pk}/")
    page.click("button:has-text('Start inspection')")
    page.wait_for_selector("form.checklist[data-offline-ready]")
    item = ChecklistItem.objects.get(template__code="zj-2019.1", code="EXIT-01")

    group = page.locator("[data-group]", has=page.locator("#item-EXIT-01"))
    expect(group.locator(".group-toggle strong")).to_have_text("Escape routes and exits")
    expect(page.locator("#item-EXIT-01 .item-head strong")).to_have_text(item.title_en)
    page.click("#item-EXIT-01 details.requirement summary")
    expect(page.locator("#item-EXIT-01 details.requirement")).to_contain_text(item.requirement_en)
    assert page.locator("form.checklist").inner_text().count(item.title) == 0

    page.click("#item-EXIT-01 .result-fail")
    page.locator("#item-EXIT-01").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "checklist-english-phone.png"))


def test_the_plan_page_shows_english_measures_on_the_desktop(
    page_for, live_server, district, personas, checklist
):
    gw = personas.grid_worker
    plan = plans.notify_plan(plan_with_hazards(district.premises_a, actor=gw, fail=["EXIT-01"]), actor=gw)
    item = ChecklistItem.objects.get(template__code="zj-2019.1", code="EXIT-01")

    page = page_for(gw)
    page.set_viewport_size({"width": 1440, "height": 900})
    in_english(page, live_server)
    page.goto(f"{live_server.url}/rectification/plans/{plan.pk}/")
    items = page.locator("#items")
    expect(items).to_contain_text(item.title_en)
    expect(items).to_contain_text(item.measure_en)
    expect(items).to_contain_text(item.acceptance_en)
    assert item.measure not in items.inner_text()
    page.screenshot(path=str(ARTIFACTS / "plan-english-desktop.png"), full_page=False)
