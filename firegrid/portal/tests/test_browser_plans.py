"""End to end in headless Chromium: a landlord signs in with the code from the console backend, uploads
proof and asks for the recheck, and an officer accepts.

The landlord is on a 360 px phone in 长辈模式 and arrives as from the QR code on the notice (the plan
page, then the sign-in, then back). The code is read from what the development ConsoleBackend prints:
the backend is the real one, pointed at a buffer instead of the server's stdout (the live server runs
in a thread of this process, so the test reads the same buffer). The officer uses the desktop pages:
the plan page's 开始验收, the checklist, 提交检查.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from firegrid.browser import ARTIFACTS
from firegrid.core.sms import ConsoleBackend
from firegrid.rectification import services as rectification
from firegrid.rectification.choices import DocumentKind, PlanState
from firegrid.rectification.models import Plan, ProofPhoto
from firegrid.rectification.testing import plan_with_hazards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSOLE = io.StringIO()


class BufferedConsoleBackend(ConsoleBackend):
    """The development console backend, printing into CONSOLE rather than stdout."""

    def __init__(self):
        super().__init__(stream=CONSOLE)


def code_from_console(mobile: str) -> str:
    lines = [line for line in CONSOLE.getvalue().splitlines() if line.startswith("[SMS ") and mobile in line]
    assert lines, f"no SMS to {mobile} printed: {CONSOLE.getvalue()!r}"
    return re.search(r"\d{6}", lines[-1].split(": ", 1)[1]).group()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def jpeg(path, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_landlord_uploads_proof_asks_for_the_recheck_and_an_officer_accepts(
    browser, page_for, live_server, checklist, district, personas, settings, tmp_path
):
    settings.FIREGRID_SMS_BACKEND = f"{__name__}.BufferedConsoleBackend"
    CONSOLE.seek(0)
    CONSOLE.truncate()
    gw = personas.grid_worker
    plan = rectification.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    items = list(plan.items.select_related("hazard__item").order_by("deadline", "pk"))
    plan_path = f"/portal/plans/{plan.public_key}/"
    mobile = district.landlord_a.mobile

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    try:
        phone = context.new_page()
        phone.set_default_timeout(15000)
        # 长辈模式 on before anything (its toggle is on the sign-in page too): every page must still fit.
        phone.goto(f"{live_server.url}/portal/login/")
        phone.click("#elder-toggle")
        phone.wait_for_selector("html.elder")

        # As from the QR code on the notice: the plan page asks to sign in first, then comes back.
        phone.goto(f"{live_server.url}{plan_path}")
        phone.wait_for_url(re.compile(r"/portal/login/\?next=/portal/plans/"))
        phone.fill("#id_mobile", mobile)
        phone.click("button:has-text('获取验证码')")
        phone.wait_for_selector("#sent-message")
        phone.fill("#id_code", code_from_console(mobile))
        phone.click("button.login-submit")
        phone.wait_for_url(f"{live_server.url}{plan_path}")
        assert phone.evaluate("document.documentElement.classList.contains('elder')")
        assert phone.locator("#plan-state").inner_text() == "已送达通知"
        assert "还剩" in phone.locator("#countdown").inner_text()
        assert fits_the_phone(phone)
        shot(phone, "portal-plan-notified-phone")

        # The pledge: a wrong name is named on the field; the right one signs.
        phone.fill("#id_signed_name", "张三")
        phone.click("button:has-text('签署承诺书')")
        phone.wait_for_selector("#signed-name-errors")
        assert "签名须与房东姓名一致" in phone.locator("#signed-name-errors").inner_text()
        phone.fill("#id_signed_name", "张建国")
        phone.click("button:has-text('签署承诺书')")
        phone.wait_for_selector("#pledge-signed")
        assert phone.locator("#plan-state").inner_text() == "整改中"

        # A photo for each hazard, with the phone's camera input; each button is a big tap target.
        for n, item in enumerate(items):
            card = phone.locator(f"#item-{item.pk}")
            upload = card.locator("button:has-text('上传整改照片')")
            assert upload.bounding_box()["height"] >= 44
            assert card.locator("input[type=file]").get_attribute("capture") == "environment"
            card.locator("input[type=file]").set_input_files(
                jpeg(tmp_path / f"after-{n}.jpg", (40, 160, 60 + n))
            )
            upload.click()
            phone.wait_for_selector(f"#item-{item.pk} .proofs img")
        assert ProofPhoto.objects.filter(item__plan=plan).count() == len(items)
        assert fits_the_phone(phone)
        shot(phone, "portal-plan-proof-uploaded-phone")

        phone.click("#request-recheck")
        phone.wait_for_selector(".msg.success:has-text('已申请复查')")
        assert phone.locator("#plan-state").inner_text() == "待复查"
        assert phone.locator("#countdown").inner_text() == "等待复查"
        shot(phone, "portal-plan-recheck-requested-phone")

        # Home: the premises with its plan card; the card's button leads back to the plan.
        phone.goto(f"{live_server.url}/portal/")
        card = phone.locator(f"#plan-{plan.pk}")
        assert "等待复查" in card.inner_text() and "2 项隐患" in card.inner_text()
        assert fits_the_phone(phone)
        shot(phone, "portal-home-plan-card-phone")
        card.locator("a:has-text('查看整改方案')").click()
        phone.wait_for_url(f"{live_server.url}{plan_path}")

        # The officer, on the desktop: the plan page offers the acceptance; every item passes.
        desk = page_for(gw)
        desk.goto(f"{live_server.url}/rectification/plans/{plan.pk}/")
        desk.click("button:has-text('开始验收')")
        desk.wait_for_selector("form.checklist")
        desk.eval_on_selector_all(
            "input[type=radio][value=pass]", "els => els.forEach(e => e.checked = true)"
        )
        desk.click("button:has-text('提交检查')")
        desk.wait_for_url("**/inspections/*/")
        assert desk.locator(".messages").inner_text().strip() == "检查已提交。"

        plan.refresh_from_db()
        assert plan.state == PlanState.ACCEPTED
        phone.reload()
        assert phone.locator("#plan-state").inner_text() == "已验收"
        assert "整改已验收合格" in phone.locator(".plan-summary").inner_text()
        record = plan.documents.get(kind=DocumentKind.ACCEPTANCE)
        link = phone.locator(f"#documents a[href='/portal/documents/{record.pk}.pdf']")
        assert "整改验收单" in link.inner_text()
        assert phone.locator("input[type=file]").count() == 0
        assert fits_the_phone(phone)
        shot(phone, "portal-plan-accepted-phone")

        # Home: the plan has ended and is listed below the premises.
        phone.goto(f"{live_server.url}/portal/")
        assert plan_path in phone.locator("section:has-text('已结束的整改')").inner_html()
        assert Plan.objects.get(pk=plan.pk).state == PlanState.ACCEPTED
    finally:
        context.close()
