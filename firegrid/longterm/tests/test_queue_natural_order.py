"""The work queue (今日任务) in natural order (issue 14, item 3): buildings without a position, and pages of
a queue too long to route, follow the address as people read it (1号, 2号, 10号 — not 10号…19号 before
1号); inside a building, premises of the same urgency follow their door labels (2-1, 2-2, 2-10)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.longterm import queue
from firegrid.risk.choices import RiskGrade

from .scene import grade

pytestmark = pytest.mark.django_db

NUMBERS = (10, 2, 19, 1, 11)  # made in this order: ids are not the answer
IN_ORDER = [f"樟树潭村{n}号" for n in sorted(NUMBERS)]


@pytest.fixture
def numbered(district):
    """Buildings 樟树潭村10号, 2号, 19号, 1号, 11号 in grid A (no positions), each with an overdue premises."""
    d = district
    for n in NUMBERS:
        building = t.make_building(d.grid_a, f"樟树潭村{n}号")
        grade(t.make_premises(building, d.landlord_a, unit_label="1楼"), RiskGrade.YELLOW, overdue=2)


def addresses(pages: list[queue.QueuePage]) -> list[str]:
    found = [stop.building.address for page in pages for stop in page.stops]
    return [a for a in found if a.startswith("樟树潭村")]


def test_buildings_without_a_position_follow_the_natural_address_order(numbered, personas):
    page = queue.work_queue(personas.grid_worker, today=timezone.localdate())
    assert page.routed
    assert addresses([page]) == IN_ORDER


def test_a_queue_too_long_to_route_pages_in_natural_address_order(numbered, personas, monkeypatch):
    monkeypatch.setattr(queue, "ROUTE_LIMIT", 3)
    pages, number = [], 1
    while True:
        pages.append(
            queue.work_queue(personas.grid_worker, today=timezone.localdate(), page=number, per_page=2)
        )
        if not pages[-1].has_next:
            break
        number += 1
    assert not pages[0].routed
    assert addresses(pages) == IN_ORDER


def test_premises_of_the_same_urgency_follow_their_door_labels(district, personas, login):
    building = t.make_building(district.grid_a, "樟树潭村3号")
    made = {
        label: t.make_premises(building, district.landlord_a, unit_label=label)
        for label in ("2-10", "10-1", "2-2", "2-1")
    }
    for premises in made.values():
        grade(premises, RiskGrade.YELLOW, overdue=2)
    in_order = [made[label].pk for label in ("2-1", "2-2", "2-10", "10-1")]
    stops = queue.work_queue(personas.grid_worker, today=timezone.localdate()).stops
    (stop,) = [s for s in stops if s.building == building]
    assert [item.premises.unit_label for item in stop.items] == ["2-1", "2-2", "2-10", "10-1"]
    # The page and the API show the same order.
    response = login(personas.grid_worker).get(reverse("longterm:queue"))
    assert_status(response, 200)
    shown = [int(pk) for pk in re.findall(r'data-queue-item="(\d+)"', response.content.decode())]
    assert [pk for pk in shown if pk in in_order] == in_order
    response = api_client(personas.grid_worker).get(f"{API}/queue/")
    assert_status(response, 200)
    assert [item["id"] for item in response.data["results"] if item["building"] == building.pk] == in_order
