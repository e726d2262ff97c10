"""End to end at a 1440×900 desktop (issue 14, item 6): the hazard list fits without sideways scrolling with
整改期限 in view and 隐患 marked in the menu; two hazards of one premises ticked, 起草整改方案, then 送达通知 on
the plan page issues the notice. Ticking hazards of two premises is refused in place, the ticks kept."""

import pytest

from firegrid import testing as t
from firegrid.browser import ARTIFACTS
from firegrid.inspections.models import Hazard
from firegrid.rectification.choices import DocumentKind, PlanState
from firegrid.rectification.models import Document, Plan
from firegrid.rectification.testing import inspect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "樟潭街道樟树潭村樟树潭自然村后山脚下沿溪小路东侧第三排自建房屋108号"

FITS = """() => {
  const head = [...document.querySelectorAll('th')].find(th => th.textContent.trim().startsWith('整改期限'));
  const box = head.getBoundingClientRect();
  return {scroll: document.scrollingElement.scrollWidth, width: innerWidth,
          deadline: box.width > 0 && box.left >= 0 && box.right <= innerWidth};
}"""


def test_hazard_list_at_1440_drafts_a_plan_and_issues_the_notice(
    page_for, live_server, checklist, district, personas
):
    gw = personas.grid_worker
    inspect(district.premises_a, actor=gw, fail=("SEP-01", "EXIT-03"))
    inspect(district.shop_a, actor=gw, fail=("ELEC-01",))
    long_one = t.make_premises(t.make_building(district.grid_a, LONG), district.landlord_a, unit_label="2楼")
    inspect(long_one, actor=gw, fail=("SEP-01",))
    mine = list(Hazard.objects.filter(premises=district.premises_a).values_list("pk", flat=True))
    shop = Hazard.objects.get(premises=district.shop_a).pk

    page = page_for(gw)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/inspections/hazards/")
    fits = page.evaluate(FITS)
    assert fits["scroll"] <= fits["width"], fits
    assert fits["deadline"], fits
    assert page.locator("#sidebar a[aria-current=page]").inner_text() == "隐患"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hazard-list-1440.png"))

    # Two premises: refused in place, nothing made, the ticks still there.
    page.check(f"input[name=selected][value='{mine[0]}']")
    page.check(f"input[name=selected][value='{shop}']")
    page.click("#bulk-form button:has-text('起草整改方案')")
    page.wait_for_selector("#bulk-errors .errors")
    assert "所选隐患分属 2 个出租户" in page.locator("#bulk-errors").inner_text()
    assert page.is_checked(f"input[name=selected][value='{mine[0]}']")
    assert not Plan.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "hazard-list-refused-1440.png"))

    page.uncheck(f"input[name=selected][value='{shop}']")
    page.check(f"input[name=selected][value='{mine[1]}']")
    page.click("#bulk-form button:has-text('起草整改方案')")
    page.wait_for_url("**/rectification/plans/*/")
    plan = Plan.objects.get()
    assert set(plan.items.values_list("hazard_id", flat=True)) == set(mine)
    assert page.locator("#sidebar a[aria-current=page]").inner_text() == "整改方案"
    notify = page.locator("#move-notify")
    assert notify.get_attribute("open") is not None
    assert page.locator(".messages").inner_text().startswith("已起草")
    page.screenshot(path=str(ARTIFACTS / "plan-drafted-1440.png"))
    notify.locator("button[type=submit]").click()
    page.wait_for_selector("#documents .document")
    plan.refresh_from_db()
    assert plan.state == PlanState.NOTIFIED
    assert Document.objects.filter(plan=plan, kind=DocumentKind.NOTICE).count() == 1
    page.screenshot(path=str(ARTIFACTS / "plan-notice-issued-1440.png"), full_page=True)
