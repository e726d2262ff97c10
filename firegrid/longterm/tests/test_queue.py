"""The work queue's logic: each source, scope for every persona, merging, the walking route, counts and
pages, and items leaving the queue as soon as an inspection covers them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import fresh
from firegrid.conftest import EVERY_PERSONA
from firegrid.inspections.choices import InspectionKind, VisitOutcome
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import (
    grid_rows,
    kind_counts,
    may_view_queue,
    queue_count,
    walking_route,
    work_queue,
)
from firegrid.rectification import services as plans
from firegrid.rectification.testing import inspect, plan_with_hazards
from firegrid.risk.choices import RiskGrade

from .scene import RED_LINES, grade, place, visit

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def items(user, **kw) -> dict[int, list[str]]:
    """premises id → its kinds, over every page."""
    found: dict[int, list[str]] = {}
    page = 1
    while True:
        result = work_queue(user, today=today(), page=page, **kw)
        found |= {item.id: item.kinds for item in result.items}
        if not result.has_next:
            return found
        page += 1


@pytest.fixture
def scene(district, personas, checklist):
    """Grid A: an overdue red rental and a shop due today (building_a), a locked door owed a return visit,
    a plan whose landlord asked for a recheck; grid B: an overdue yellow rental."""
    d = district
    grade(d.premises_a, RiskGrade.RED, overdue=12, reasons=[RED_LINES])
    grade(d.shop_a, RiskGrade.GREEN, overdue=0)
    grade(d.premises_b, RiskGrade.YELLOW, overdue=3)
    other = t.make_building(d.grid_a, "樟潭街道樟树潭村14号")
    locked = t.make_premises(other, d.landlord_a, unit_label="1楼")
    visit(locked, VisitOutcome.LOCKED, days_ago=4)
    asked = t.make_premises(other, d.landlord_a, unit_label="2楼")
    plan = plans.notify_plan(plan_with_hazards(asked, actor=personas.grid_worker), actor=personas.grid_worker)
    plans.start_rectification(plan, actor=personas.grid_worker)
    plans.request_recheck(plan, actor=personas.landlord)
    not_yet = t.make_premises(other, d.landlord_a, unit_label="3楼")
    grade(not_yet, RiskGrade.YELLOW, overdue=-5)  # due in five days: not today's work
    return SimpleNamespace(district=d, other=other, locked=locked, asked=asked, plan=plan, not_yet=not_yet)


def test_grid_worker_sees_every_source_of_grid_a(scene, personas):
    d = scene.district
    assert items(personas.grid_worker) == {
        d.premises_a.pk: [QueueKind.OVERDUE],
        d.shop_a.pk: [QueueKind.DUE],
        scene.locked.pk: [QueueKind.RETURN_VISIT],
        scene.asked.pk: [QueueKind.RECHECK_REQUESTED],
    }


def test_scope_for_every_persona(scene, personas):
    d = scene.district
    grid_a = {d.premises_a.pk, d.shop_a.pk, scene.locked.pk, scene.asked.pk}
    expected = {
        "admin": grid_a | {d.premises_b.pk},
        "commander": grid_a | {d.premises_b.pk},
        "fire_officer": grid_a | {d.premises_b.pk},
        "subdistrict_officer": grid_a,
        "community_officer": grid_a,
        "grid_worker": grid_a,
        "outsider": {d.premises_b.pk},
        "liaison": set(),
        "other_liaison": set(),
        "landlord": set(),
    }
    seen = {name: set(items(getattr(personas, name))) for name in EVERY_PERSONA}
    assert seen == expected
    assert {name for name in EVERY_PERSONA if may_view_queue(getattr(personas, name))} == {
        "admin",
        "commander",
        "fire_officer",
        "subdistrict_officer",
        "community_officer",
        "grid_worker",
        "outsider",
    }


def test_each_item_says_why_and_which_inspection_to_start(scene, personas):
    by_id = {i.id: i for i in work_queue(personas.grid_worker, today=today()).items}
    red = by_id[scene.district.premises_a.pk]
    assert red.reason == "红 · 逾期 12 天 · 2 项红线隐患未消除"
    assert (red.inspection_kind, red.grade, red.days_overdue) == (InspectionKind.SURVEY, RiskGrade.RED, 12)
    assert by_id[scene.district.shop_a.pk].reason == "绿 · 今日到期"
    locked = by_id[scene.locked.pk]
    assert locked.reason.startswith("上次锁门（") and locked.reason.endswith("），应回访")
    assert locked.days_overdue == 1
    asked = by_id[scene.asked.pk]
    assert asked.reason == f"房东已申请复查（{today():%Y-%m-%d}）"
    assert asked.inspection_kind == InspectionKind.ACCEPTANCE


def test_a_premises_with_two_reasons_is_one_item_led_by_the_higher_one(scene, personas):
    visit(scene.district.premises_a, VisitOutcome.NOT_FOUND, days_ago=5)  # after its last covering visit
    item = next(
        i
        for i in work_queue(personas.grid_worker, today=today()).items
        if i.id == scene.district.premises_a.pk
    )
    assert item.kinds == [QueueKind.RETURN_VISIT, QueueKind.OVERDUE]
    assert len(item.reasons) == 2
    counts = kind_counts(personas.grid_worker, today=today())
    assert counts["total"] == 4 and counts[QueueKind.RETURN_VISIT] == 2 and counts[QueueKind.OVERDUE] == 1


def test_a_covering_inspection_takes_the_item_out_before_its_grade_is_recomputed(scene, personas):
    inspect(scene.district.premises_a, actor=personas.grid_worker)  # the grade still says overdue
    assert scene.district.premises_a.pk not in items(personas.grid_worker)
    assert scene.district.premises_a.pk not in items(personas.community_officer)


def test_a_return_visit_is_owed_until_the_next_visit_whatever_it_found(scene, personas):
    visit(scene.locked, VisitOutcome.LOCKED, days_ago=0)  # locked again: its own return visit in 3 days
    assert scene.locked.pk not in items(personas.grid_worker)
    fresh = t.make_premises(scene.other, scene.district.landlord_a, unit_label="4楼")
    visit(fresh, VisitOutcome.RENOVATING, days_ago=2)  # return day not come yet
    assert fresh.pk not in items(personas.grid_worker)


def test_an_acceptance_inspection_settles_a_requested_recheck(scene, personas):
    inspect(scene.asked, actor=personas.grid_worker, kind=InspectionKind.ACCEPTANCE)
    scene.plan.refresh_from_db()
    assert scene.asked.pk not in items(personas.grid_worker)


def test_walking_route_is_nearest_neighbour_from_the_start():
    # Four points on a line running east (about 100 m apart) and one far north-east.
    points = {1: (28.9700, 118.8700), 2: (28.9700, 118.8710), 3: (28.9700, 118.8730), 4: (28.9700, 118.8720)}
    points[5] = (28.9800, 118.8740)
    assert walking_route(points, (28.9700, 118.8695)) == [1, 2, 4, 3, 5]
    assert walking_route(points, (28.9799, 118.8741)) == [5, 3, 4, 2, 1]


def test_buildings_follow_the_route_from_the_position_or_the_grid_centre(district, personas, checklist):
    landlord = district.landlord_a
    west = place(district.building_a, "28.970000", "118.870000")
    middle = place(t.make_building(district.grid_a, "樟树潭村20号"), "28.970000", "118.871000")
    east = place(t.make_building(district.grid_a, "樟树潭村30号"), "28.970000", "118.874000")
    nowhere = t.make_building(district.grid_a, "樟树潭村40号")  # no coordinates: last
    grade(district.premises_a, overdue=1)
    for building in (middle, east, nowhere):
        grade(t.make_premises(building, landlord, unit_label="1楼"), overdue=1)

    def order(**kw):
        return [stop.building.pk for stop in work_queue(personas.grid_worker, today=today(), **kw).stops]

    assert order(origin=(28.97, 118.8745)) == [east.pk, middle.pk, west.pk, nowhere.pk]
    assert order(origin=(28.97, 118.8695)) == [west.pk, middle.pk, east.pk, nowhere.pk]
    # The grid's centre (mean of its placed buildings: 118.871667) is nearest the middle one.
    assert order() == [middle.pk, west.pk, east.pk, nowhere.pk]
    # Pages of two buildings continue the same route, numbered across pages.
    second = work_queue(personas.grid_worker, today=today(), per_page=2, page=2)
    assert [(s.building.pk, s.number) for s in second.stops] == [(east.pk, 3), (nowhere.pk, 4)]
    assert (second.num_pages, second.buildings, second.has_next) == (2, 4, False)


def test_inside_a_building_red_first_then_longest_overdue(district, personas, checklist):
    landlord, building = district.landlord_a, district.building_a
    yellow_long = t.make_premises(building, landlord, unit_label="5楼")
    red_short = t.make_premises(building, landlord, unit_label="6楼")
    red_long = t.make_premises(building, landlord, unit_label="7楼")
    grade(yellow_long, RiskGrade.YELLOW, overdue=40)
    grade(red_short, RiskGrade.RED, overdue=2)
    grade(red_long, RiskGrade.RED, overdue=9)
    (stop,) = work_queue(personas.grid_worker, today=today()).stops
    assert [i.id for i in stop.items] == [red_long.pk, red_short.pk, yellow_long.pk]


def test_officers_see_every_grid_with_its_counts_in_code_order(scene, personas):
    rows = grid_rows(personas.community_officer, today=today())
    d = scene.district
    assert [r.grid for r in rows] == [d.grid_a, d.grid_a2]
    assert rows[0].counts == {
        "total": 4,
        QueueKind.RECHECK_REQUESTED: 1,
        QueueKind.ALARM: 0,
        QueueKind.ALARM_FOLLOW_UP: 0,
        QueueKind.RETURN_VISIT: 1,
        QueueKind.OVERDUE: 1,
        QueueKind.DUE: 1,
        QueueKind.VERIFICATION: 0,
        QueueKind.TENANT_MOVE: 0,
        QueueKind.PATROL_FINDING: 0,
        QueueKind.TO_VERIFY: 0,
    }
    assert rows[1].total == 0
    assert queue_count(personas.grid_worker, today=today()) == 4
    assert queue_count(personas.outsider, today=today()) == 1


def test_the_queue_costs_the_same_queries_however_many_items(scene, personas):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert work_queue(fresh(personas.grid_worker), today=today()).items
        return len(queries)

    few = measure()
    for i in range(8):
        building = t.make_building(scene.district.grid_a, f"樟树潭村{100 + i}号")
        grade(t.make_premises(building, scene.district.landlord_a, unit_label="1楼"), overdue=i)
        visit(
            t.make_premises(building, scene.district.landlord_a, unit_label="2楼"),
            VisitOutcome.LOCKED,
            days_ago=5,
        )
    assert measure() == few


def test_a_tenant_move_the_landlord_reported_waits_in_the_queue_until_confirmed(scene, personas):
    from firegrid.registry.services import confirm_move, register_move_in

    d = scene.district
    household = register_move_in(
        d.shop_a,
        head_name="陈小红",
        id_number=t.valid_id_number(904, born="19920303"),
        people=2,
        moved_in=today(),
        actor=personas.landlord,
    )
    assert items(personas.grid_worker)[d.shop_a.pk] == [QueueKind.DUE, QueueKind.TENANT_MOVE]
    assert d.shop_a.pk not in items(personas.outsider)
    entry = next(
        e
        for item in work_queue(personas.grid_worker, today=today()).items
        for e in item.entries
        if e.kind == QueueKind.TENANT_MOVE
    )
    assert entry.reason == "租户变动待核实（1 户）"
    confirm_move(household, actor=personas.grid_worker)
    assert items(personas.grid_worker)[d.shop_a.pk] == [QueueKind.DUE]
