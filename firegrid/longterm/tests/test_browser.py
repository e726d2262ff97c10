"""End to end at a 360 px phone viewport: a grid worker works through three queue items — opens 今日任务
from the tab bar, taps 开始检查, passes the checklist, submits, and finds the item gone and the count down."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from firegrid import testing as t
from firegrid.browser import ARTIFACTS
from firegrid.inspections.models import Inspection
from firegrid.risk.choices import RiskGrade

from .scene import FAKE_CAMERA, RED_LINES, grade

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_works_through_three_queue_items(page_for, live_server, district, personas, checklist):
    d = district
    grade(d.premises_a, RiskGrade.RED, overdue=12, reasons=[RED_LINES])
    grade(d.shop_a, RiskGrade.GREEN, overdue=0)
    grade(t.make_premises(t.make_building(d.grid_a, "樟潭街道樟树潭村16号"), d.landlord_a), overdue=3)
    grade(d.premises_b, RiskGrade.YELLOW, overdue=3)  # grid B: never in this worker's queue

    page = page_for(personas.grid_worker, phone=True)
    # The phone home starts with today's queue.
    expect(page.locator(".home-queue .queue-total")).to_have_text("3")
    tab = page.locator("nav.tabbar a[data-queue-tab]")
    expect(tab.locator("[data-queue-count]")).to_have_text("3")
    done: list[str] = []
    for remaining in (2, 1, 0):
        tab.click()
        page.wait_for_url("**/longterm/queue/")
        cards = page.locator("[data-queue-item]")
        expect(cards).to_have_count(remaining + 1)
        card = cards.first
        item = card.get_attribute("data-queue-item")
        assert item not in done
        if not done:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "queue-phone.png"), full_page=True)
        card.locator("button:has-text('开始检查')").click()
        page.wait_for_selector("form.checklist")
        page.eval_on_selector_all(
            "input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)"
        )
        page.click("button:has-text('提交检查')")
        page.wait_for_url("**/inspections/*/")
        expect(page.locator(".messages")).to_contain_text("检查已提交。")
        done.append(item)
        if remaining:
            expect(tab.locator("[data-queue-count]")).to_have_text(str(remaining))
        else:
            expect(tab.locator("[data-queue-count]")).to_have_count(0)
    tab.click()
    page.wait_for_url("**/longterm/queue/")
    expect(page.locator("[data-queue-empty]")).to_be_visible()
    expect(page.locator("[data-queue-total]")).to_have_text("0")
    assert Inspection.objects.filter(inspectors=personas.grid_worker, status="submitted").count() == 3
    assert sorted(int(i) for i in done) == sorted(
        Inspection.objects.filter(status="submitted").values_list("premises_id", flat=True)
    )


def test_scan_page_opens_the_premises_from_a_typed_number(
    page_for, live_server, district, personas, checklist
):
    page = page_for(personas.grid_worker, phone=True)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/longterm/scan/")
    # Headless Chromium on Linux has no BarcodeDetector: the page says so and offers the typed number.
    expect(page.locator("[data-scan-status]")).not_to_be_empty()
    page.fill("#scan-code", str(district.premises_a.pk))
    page.click("button:has-text('打开出租户')")
    page.wait_for_url(re.compile(rf"/registry/premises/{district.premises_a.pk}/(#start)?$"))
    assert refused == []


def test_scan_page_opens_the_premises_the_camera_reads(page_for, live_server, district, personas, checklist):
    page = page_for(personas.grid_worker, phone=True)
    qr = f"{live_server.url}/inspections/scan/{district.premises_a.pk}/"
    page.add_init_script(FAKE_CAMERA.replace("CODE", qr))
    page.goto(f"{live_server.url}/longterm/scan/")
    # The camera is offered (scan.js) and its code goes to the server like a typed one.
    expect(page.locator("[data-scan-status]")).to_be_empty()
    page.click("[data-scan-start]")
    page.wait_for_url(re.compile(rf"/registry/premises/{district.premises_a.pk}/(#start)?$"))
