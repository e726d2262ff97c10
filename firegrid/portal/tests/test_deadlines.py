"""The landlord's countdown runs to the nearest deadline still open across all their plans' items, counted
on the local date: an item due today says 今天到期 even when its plan's own deadline is 30 days away, an
item past its deadline says 已逾期 N 天, otherwise 还剩 N 天; fixed hazards, drafts and plans awaiting the
recheck do not count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid.inspections.choices import HazardStatus
from firegrid.portal.deadlines import nearest_deadline
from firegrid.portal.views import plan_url
from firegrid.rectification import services as rectification
from firegrid.rectification.models import PlanItem
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(checklist, district, personas):
    """Two served plans of 张建国: premises_a (SEP-01, EXIT-03) and the shop (SEP-01), each due in 30 days."""
    gw = personas.grid_worker
    a = rectification.notify_plan(plan_with_hazards(district.premises_a, actor=gw), actor=gw)
    shop = rectification.notify_plan(plan_with_hazards(district.shop_a, actor=gw, fail=["SEP-01"]), actor=gw)
    today = timezone.localdate()
    for plan in (a, shop):
        plan.items.update(deadline=today + dt.timedelta(days=30))
        plan.deadline = today + dt.timedelta(days=30)
        plan.save(update_fields=["deadline"])
    return a, shop


def due(plan, code: str, days: int) -> PlanItem:
    """The item of `plan` for checklist item `code`, now due `days` from today (negative: past)."""
    item = plan.items.get(hazard__item__code=code)
    item.deadline = timezone.localdate() + dt.timedelta(days=days)
    item.save(update_fields=["deadline"])
    return item


def banner(page: str) -> str:
    start = page.index('id="nearest-deadline"')
    return page[start : page.index("</a>", start)]


def card(page: str, plan) -> str:
    start = page.index(f'id="plan-{plan.pk}"')
    return page[start : page.index("查看整改方案", start)]


def test_an_item_due_today_says_so_on_the_home_page_and_its_plan(plans, personas, login):
    a, shop = plans
    item = due(shop, "SEP-01", 0)
    due(a, "EXIT-03", 4)
    client = login(personas.landlord)
    page = client.get("/portal/").content.decode()
    nearest = banner(page)
    assert "今天到期" in nearest and item.hazard.item.title in nearest
    assert "樟潭街道樟树潭村12号 1楼店面" in nearest
    assert f'href="{plan_url(shop)}#item-{item.pk}"' in nearest
    # Each plan card counts to its own nearest open item, never to the plan's 30 days.
    assert "今天到期" in card(page, shop) and "还剩 30 天" not in card(page, shop)
    assert "还剩 4 天" in card(page, a)
    # Beside the plan's own deadline, the date the countdown counts to.
    assert f"最近一项 {timezone.localdate():%Y-%m-%d} 到期" in card(page, shop)
    plan_page = client.get(plan_url(shop)).content.decode()
    assert 'id="countdown">今天到期<' in plan_page
    assert (
        f"<dd>{timezone.localdate():%Y-%m-%d}</dd>" in plan_page[plan_page.index('id="earlier-deadline"') :]
    )


def test_an_overdue_item_says_how_many_days_late(plans, personas, login):
    a, _shop = plans
    item = due(a, "SEP-01", -3)
    page = login(personas.landlord).get("/portal/").content.decode()
    assert "已逾期 3 天" in banner(page) and item.hazard.item.title in banner(page)
    assert "tone-late" in banner(page)


def test_otherwise_the_days_left_to_the_nearest(plans, personas, login):
    a, shop = plans
    due(a, "EXIT-03", 12)
    item = due(shop, "SEP-01", 5)
    found = nearest_deadline(personas.landlord)
    assert found["item"] == item and found["text"] == "还剩 5 天" and found["tone"] == "ok"
    assert "还剩 5 天" in banner(login(personas.landlord).get("/portal/").content.decode())


def test_fixed_hazards_drafts_and_plans_awaiting_the_recheck_do_not_count(
    plans, personas, district, checklist
):
    a, shop = plans
    fixed = due(a, "SEP-01", -1)
    fixed.hazard.status = HazardStatus.ACCEPTED
    fixed.hazard.save(update_fields=["status"])
    due(a, "EXIT-03", 9)
    due(shop, "SEP-01", 2)
    rectification.start_rectification(shop, actor=personas.landlord)
    rectification.request_recheck(shop, actor=personas.landlord)
    found = nearest_deadline(personas.landlord)
    assert found["item"] == a.items.get(hazard__item__code="EXIT-03") and found["text"] == "还剩 9 天"
    a.state = "accepted"
    a.save(update_fields=["state"])
    assert nearest_deadline(personas.landlord) is None


def test_counted_on_the_local_date(plans, personas, time_machine):
    a, _shop = plans
    # 01:30 in Shanghai on 8 December is still 7 December in UTC: the item due on the 8th is due today.
    time_machine.move_to(dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC), tick=False)
    for item in a.items.all():
        item.deadline = dt.date(2026, 12, 8) if item.hazard.item.code == "SEP-01" else dt.date(2026, 12, 20)
        item.save(update_fields=["deadline"])
    PlanItem.objects.filter(plan=plans[1]).update(deadline=dt.date(2026, 12, 30))
    assert nearest_deadline(personas.landlord)["text"] == "今天到期"


def test_another_landlords_items_never_count(plans, district, personas):
    from firegrid import testing as t
    from firegrid.areas.choices import Role

    gw = personas.outsider  # grid B's worker
    other = rectification.notify_plan(plan_with_hazards(district.premises_b, actor=gw), actor=gw)
    other.items.update(deadline=timezone.localdate() - dt.timedelta(days=10))
    user_b = t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b)
    assert nearest_deadline(user_b)["text"] == "已逾期 10 天"
    assert nearest_deadline(personas.landlord)["text"] == "还剩 30 天"
