"""End to end in headless Chromium: a unit liaison sees the unit's rank.

A running campaign with target premises; two units hold claims on four-category landlords and stand at
different completion: 教育局's one landlord is accepted (100 %), 住建局's landlord has one premises
accepted and one notified (50 %). The liaison of 住建局 signs in on a 360 px phone and at the desktop,
opens 本单位认领 from the menu and reads the rank (2 of 2), and the unit's landlord with each premises'
progress.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.browser import ARTIFACTS
from firegrid.campaigns import services
from firegrid.campaigns.models import CampaignTarget
from firegrid.inspections.choices import InspectionKind
from firegrid.rectification import services as plans
from firegrid.rectification.testing import inspect, plan_with_hazards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def accept(plan, officer) -> None:
    plans.start_rectification(plan, actor=officer)
    plans.request_recheck(plan, actor=officer)
    inspect(plan.premises, actor=officer, kind=InspectionKind.ACCEPTANCE)


@pytest.fixture
def two_units(checklist, district, personas, campaign):
    """住建局 (the liaison's unit) at 50 %, 教育局 at 100 %: 住建局 ranks second of two."""
    d, officer = district, personas.fire_officer
    landlord_c = t.make_landlord("王丽华", area=d.grid_b, is_official=True, employer_unit=d.other_unit)
    premises_c = t.make_premises(d.building_b, landlord_c, unit_label="3楼")
    for premises in (d.premises_a, d.shop_a, d.premises_b, premises_c):
        CampaignTarget.objects.create(campaign=campaign, premises=premises)
    services.claim(d.landlord_a, d.unit, campaign=campaign, actor=personas.liaison)
    services.claim(landlord_c, d.other_unit, campaign=campaign, actor=personas.commander)
    accept(plans.notify_plan(plan_with_hazards(d.premises_a, actor=officer), actor=officer), officer)
    plans.notify_plan(plan_with_hazards(d.shop_a, actor=officer), actor=officer)
    accept(plans.notify_plan(plan_with_hazards(premises_c, actor=officer), actor=officer), officer)
    return campaign


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_unit_liaison_sees_the_units_rank(two_units, district, personas, page_for, live_server, phone):
    page = page_for(personas.liaison, phone=phone)
    if phone:
        # The menu sits behind the top bar's button on a phone.
        page.click(".menu-toggle")
    page.locator("#sidebar").get_by_role("link", name="本单位认领").click()
    page.wait_for_url(f"{live_server.url}{reverse('campaigns:unit_page', args=[two_units.pk])}")

    assert page.locator("h1").inner_text() == "衢江区住建局"
    rank = page.locator("[data-figure=rank]")
    assert rank.locator(".label").inner_text() == "本单位今日排名"
    assert rank.locator(".value").inner_text() == "2 / 2"
    figures = page.locator("section.figures .figure")
    assert figures.nth(1).locator(".value").inner_text() == "50.0%"
    assert figures.nth(2).locator(".value").inner_text() == "1 / 2"
    # The ranking table marks the unit's own row, below the unit that finished.
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 2
    assert "衢江区教育局" in rows.nth(0).inner_text()
    assert "衢江区住建局" in rows.nth(1).inner_text()
    assert rows.nth(1).get_attribute("class") == "current"

    # The unit's landlord with each premises' progress; other units' landlords are not listed.
    cards = page.locator(".card.unit-landlord")
    assert cards.count() == 1
    card = cards.first
    assert card.locator(".title").inner_text() == "张建国"
    items = {
        item.locator("a").inner_text(): item.locator(".tag").inner_text() for item in card.locator("li").all()
    }
    assert items == {"樟潭街道樟树潭村12号 整幢": "已验收", "樟潭街道樟树潭村12号 1楼店面": "已下发通知"}
    assert "王丽华" not in page.locator("main").inner_text()

    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, f"campaign-unit-rank-{'phone' if phone else 'desktop'}")
