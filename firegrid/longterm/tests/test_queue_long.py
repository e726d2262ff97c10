"""A queue longer than a walking route (more than `ROUTE_LIMIT` buildings): pages in grid and address order,
the first ones from the same read that finds the queue's buildings, the later ones by offset — the same
items either way, and the same as a routed queue holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid import testing as t
from firegrid.longterm import queue
from firegrid.risk.choices import RiskGrade

from .scene import grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_buildings(district):
    """Five buildings of grid A (addresses out of id order), each with an overdue premises."""
    d = district
    buildings = [t.make_building(d.grid_a, f"樟树潭村{n}号") for n in (5, 3, 9, 1, 7)]
    for building in buildings:
        grade(t.make_premises(building, d.landlord_a, unit_label="1楼"), RiskGrade.YELLOW, overdue=2)
    return sorted(buildings, key=lambda b: (b.address, b.pk))


def pages(user, per_page: int) -> list[queue.QueuePage]:
    found, number = [], 1
    while True:
        found.append(queue.work_queue(user, today=timezone.localdate(), page=number, per_page=per_page))
        if not found[-1].has_next:
            return found
        number += 1


def building_ids(result: list[queue.QueuePage]) -> list[int]:
    return [stop.building.pk for page in result for stop in page.stops]


def test_a_queue_longer_than_a_route_pages_in_address_order(five_buildings, personas, monkeypatch):
    monkeypatch.setattr(queue, "ROUTE_LIMIT", 3)
    # Two buildings a page: page 1 comes from the read that found the buildings, pages 2 and 3 by offset.
    result = pages(personas.grid_worker, per_page=2)
    assert [p.routed for p in result] == [False, False, False]
    assert {p.buildings for p in result} == {5} and result[0].num_pages == 3
    assert building_ids(result) == [b.pk for b in five_buildings]
    assert [stop.number for page in result for stop in page.stops] == [1, 2, 3, 4, 5]


def test_the_same_buildings_routed_or_not(five_buildings, personas, monkeypatch):
    routed = pages(personas.grid_worker, per_page=2)
    assert all(p.routed for p in routed) and routed[0].buildings == 5
    monkeypatch.setattr(queue, "ROUTE_LIMIT", 4)
    in_order = pages(personas.grid_worker, per_page=2)
    assert sorted(building_ids(routed)) == sorted(building_ids(in_order))


def test_a_routed_queue_reads_its_buildings_once(five_buildings, personas):
    """The queue's predicate is its costly part: a routed page evaluates it in one building query (no
    separate COUNT), then the page's premises."""
    with CaptureQueriesContext(connection) as captured:
        queue.work_queue(personas.grid_worker, today=timezone.localdate())
    building_reads = [
        q["sql"] for q in captured if 'FROM "registry_building"' in q["sql"].split(" WHERE ")[0]
    ]
    assert len([sql for sql in building_reads if "COUNT(" in sql]) == 0
