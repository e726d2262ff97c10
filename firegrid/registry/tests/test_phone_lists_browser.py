"""End to end at 390×844 in headless Chromium: long lists on a phone (issue 14 item 7).

A full page of the default size (50 rows) fits a few screens: each row a compact card, its link first as
the title; the filter panel is one column of full-width fields under 筛选, folded with the area tree until
tapped. On the desktop both stay open beside the full table. (One line per column made the premises list
of the demo 17,220 px tall at this width.)
"""

from __future__ import annotations

import pytest
from django.conf import settings

from firegrid import testing as t
from firegrid.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MAX_HEIGHT = 6000


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def long_lists(district):
    """60 more buildings in grid A, one rental each: more than a page of both lists."""
    landlord = t.make_landlord("钱多多", area=district.grid_a)
    for n in range(60):
        t.make_premises(
            t.make_building(district.grid_a, f"樟潭街道长街{n + 1}号"), landlord, unit_label="2楼"
        )
    return district


@pytest.mark.parametrize("path", ["/registry/premises/", "/registry/buildings/"])
def test_a_full_page_of_a_list_fits_a_few_phone_screens(long_lists, personas, page_for, live_server, path):
    page = page_for(personas.commander, phone=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    rows = page.locator("table[data-list] tbody tr")
    assert rows.count() == settings.FIREGRID_PAGE_SIZE
    assert page.evaluate("document.documentElement.scrollHeight") < MAX_HEIGHT
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # A card: the row's link is its title, on its first line.
    card = rows.first
    title = card.locator("td.cell-link").first.bounding_box()
    for cell in card.locator("td:visible").all():
        assert cell.bounding_box()["y"] >= title["y"] - 1
    shot(page, f"list-phone{path.rstrip('/').replace('/', '-')}")


def test_the_filter_panel_is_one_tidy_column_that_folds(long_lists, personas, page_for, live_server):
    page = page_for(personas.commander, phone=True)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/registry/premises/")
    # Folded: the area tree and the filters; the keyword field and the buttons stay.
    assert page.locator(".tree-fold").get_attribute("open") is None
    more = page.locator(".more-filters")
    assert more.get_attribute("open") is None
    assert page.locator("input[name=q]").is_visible()
    page.locator(".more-filters > summary").tap()
    assert more.get_attribute("open") is not None
    fields = page.locator(".search-form .field:visible").all()
    assert len(fields) > 3
    boxes = [field.bounding_box() for field in fields]
    # One column: every field starts at the same left edge and is as wide as the panel.
    assert max(b["x"] for b in boxes) - min(b["x"] for b in boxes) <= 1
    assert max(b["width"] for b in boxes) - min(b["width"] for b in boxes) <= 1
    form = page.locator(".search-form").bounding_box()
    assert boxes[0]["width"] > form["width"] - 40
    # Each select fills its field under its label.
    for select in page.locator(".search-form .field select:visible").all():
        box = select.bounding_box()
        assert box["width"] > form["width"] - 40
    search, reset = (page.locator(".search-form .buttons .btn").nth(i).bounding_box() for i in (0, 1))
    assert search["y"] == reset["y"] and abs(search["width"] - reset["width"]) <= 1
    shot(page, "list-phone-filters")
    page.locator(".tree-fold > summary").tap()
    assert page.locator(".tree-fold").get_attribute("open") is not None
    assert page.locator(".area-tree a[data-area]").first.is_visible()


def test_the_desktop_list_keeps_its_tree_filters_and_table(long_lists, personas, page_for, live_server):
    page = page_for(personas.commander)
    page.goto(live_server.url + "/registry/premises/")
    assert page.locator(".tree-fold").get_attribute("open") is not None
    assert page.locator(".more-filters").get_attribute("open") is not None
    assert not page.locator(".more-filters > summary").is_visible()
    assert page.locator("table[data-list] thead").is_visible()
