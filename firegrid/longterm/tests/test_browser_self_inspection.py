"""End to end at a 360 px phone viewport, the whole loop of 房东自查: a landlord self-inspects on the
portal (everything fine, with the photos the list asks for); the month's draw sends it to the grid
worker's queue; the worker's visit finds the escape route blocked, which contradicts the self-report;
the landlord's points show the deduction, and why."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from firegrid.browser import ARTIFACTS
from firegrid.longterm import services
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import PHOTO_CODES, period_of
from firegrid.points.models import PointsEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(colour: tuple[int, int, int]) -> dict[str, object]:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _portal_page(browser, live_server, user):
    """A phone page signed in as a landlord (the portal signs in by SMS code; the session is made here)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_self_inspection_verified_and_contradicted_costs_points(
    browser, page_for, live_server, district, personas, checklist
):
    d = district
    errors: list[str] = []
    context, page = _portal_page(browser, live_server, personas.landlord)
    try:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        # 1. The landlord: the portal home says this month's self-inspection is due.
        page.goto(f"{live_server.url}/portal/")
        page.click("a:has-text('自查')")
        page.wait_for_url("**/portal/self-inspection/")
        page.click(f"a[href$='/portal/self-inspection/{d.premises_a.pk}/']")
        page.wait_for_selector("button:has-text('提交自查')")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # Everything declared fine — the escape route too, with a photo of each item that asks for one.
        page.eval_on_selector_all(
            "input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)"
        )
        for i, code in enumerate(PHOTO_CODES):
            if page.locator(f"#photo-{code}").count():
                page.set_input_files(f"#photo-{code}", files=[_jpeg((40 * i, 120, 200))])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "self-inspection-phone.png"), full_page=True)
        page.click("button:has-text('提交自查')")
        page.wait_for_url("**/portal/self-inspection/")
        expect(page.locator("body")).to_contain_text("已提交")
        submitted = SelfInspection.objects.get(premises=d.premises_a)
        assert submitted.photos.count() >= 1
        # On time: +2 already.
        assert list(PointsEntry.objects.filter(landlord=d.landlord_a).values_list("amount", flat=True)) == [2]

        # 2. The month's draw (the job on the 1st; drawn by hand here, everything drawn).
        services.draw_verifications(period_of(timezone.localdate()), actor=None, rate=1)

        # 3. The grid worker: the verification is in today's queue; the visit finds the route blocked.
        worker = page_for(personas.grid_worker, phone=True)
        worker.goto(f"{live_server.url}/longterm/queue/")
        card = worker.locator(f"[data-queue-item='{d.premises_a.pk}']")
        expect(card).to_contain_text("自查抽检核实")
        card.locator("button:has-text('开始检查')").click()
        worker.wait_for_selector("form.checklist")
        worker.eval_on_selector_all(
            "input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)"
        )
        worker.click("#item-EXIT-01 .result-fail")
        worker.fill("input[name=note-EXIT-01]", "楼梯间堆放杂物")
        worker.click("button:has-text('提交检查')")
        worker.wait_for_url("**/inspections/*/")
        expect(worker.locator(".messages")).to_contain_text("检查已提交。")
        submitted.refresh_from_db()
        assert submitted.status == "contradicted"
        assert submitted.verification.contradicted_items == ["EXIT-01"]

        # 4. The landlord sees the deduction and why.
        page.goto(f"{live_server.url}/portal/")
        page.click("a.points-link")
        page.wait_for_url("**/portal/points/")
        body = page.locator("body")
        expect(body).to_contain_text("92")  # 100 + 2 − 10
        expect(body).to_contain_text("-10")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "portal-points-phone.png"), full_page=True)
    finally:
        context.close()
    amounts = sorted(PointsEntry.objects.filter(landlord=d.landlord_a).values_list("amount", flat=True))
    assert amounts == [-10, 2]
    assert not [e for e in errors if "Content Security Policy" in e]
