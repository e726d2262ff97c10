"""End to end at 360 px in headless Chromium: a grid worker's building list reads house numbers as people
read them (issue 14 item 3) — 1号, 2号, 10号 and 2-1, 2-2, 2-10, 10-1 — whatever order they were
registered in, because the list orders by the stored natural sort key."""

from __future__ import annotations

import pytest

from firegrid import testing as t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("street", "registered", "expected"),
    [
        ("乙街", ["10号", "1号", "2号"], ["1号", "2号", "10号"]),
        ("甲巷", ["2-10号", "10-1号", "2-1号", "2-2号"], ["2-1号", "2-2号", "2-10号", "10-1号"]),
    ],
)
def test_house_numbers_sort_as_people_read_them_on_a_phone(
    district, personas, page_for, live_server, street, registered, expected
):
    for number in registered:
        t.make_building(district.grid_a, f"樟潭街道{street}{number}")
    page = page_for(personas.grid_worker, phone=True)
    page.goto(f"{live_server.url}/registry/buildings/?q={street}")
    links = page.locator("table[data-list] tbody tr td.cell-link a")
    shown = [text.strip() for text in links.all_inner_texts()]
    assert shown == [f"樟潭街道{street}{number}" for number in expected]
