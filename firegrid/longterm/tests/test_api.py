"""API of the work queue: the scope walk (anonymous 401 → outsider absent → a role without a queue 403 →
grid worker), its query's errors per field, and the same items and order as the page."""

from __future__ import annotations

import pytest

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.longterm.choices import QueueKind
from firegrid.risk.choices import RiskGrade

from .scene import RED_LINES, grade, place

pytestmark = pytest.mark.django_db
QUEUE = f"{API}/queue/"


class TestQueueApi(ApiScopeMatrix):
    """The queue is computed: a list only, no object page, no history, no writes."""

    prefix = "queue"
    has_detail = False
    has_history = False
    writes = frozenset()
    outsider = "outsider"
    forbidden = "liaison"
    reader = None
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        # An item's id is its premises'.
        if not hasattr(district.premises_a, "risk_grade"):
            grade(district.premises_a, RiskGrade.RED, overdue=12, reasons=[RED_LINES])
        return district.premises_a

    def add_rows(self, district, n: int) -> None:
        for i in range(n):
            building = t.make_building(district.grid_a, f"樟树潭村{300 + i}号")
            grade(t.make_premises(building, district.landlord_a, unit_label="1楼"), overdue=i)


def test_items_carry_the_reason_the_kind_to_start_and_the_route(district, personas, checklist):
    grade(district.premises_a, RiskGrade.RED, overdue=12, reasons=[RED_LINES])
    place(district.building_a, "28.970000", "118.870000")
    east = place(t.make_building(district.grid_a, "樟树潭村50号"), "28.970000", "118.873000")
    grade(t.make_premises(east, district.landlord_a, unit_label="1楼"), RiskGrade.GREEN, overdue=0)
    client = api_client(personas.grid_worker)
    response = client.get(QUEUE, {"lat": "28.970000", "lng": "118.874000"})
    assert_status(response, 200)
    data = response.data
    assert (data["count"], data["buildings"], data["routed"]) == (2, 2, True)
    assert data["counts"] == {"total": 2, QueueKind.OVERDUE: 1, QueueKind.DUE: 1} | {
        QueueKind.RECHECK_REQUESTED: 0,
        QueueKind.ALARM: 0,
        QueueKind.ALARM_FOLLOW_UP: 0,
        QueueKind.RETURN_VISIT: 0,
        QueueKind.VERIFICATION: 0,
        QueueKind.TENANT_MOVE: 0,
        QueueKind.PATROL_FINDING: 0,
        QueueKind.TO_VERIFY: 0,
    }
    first, second = data["results"]
    assert (first["building"], first["stop"], first["kind"]) == (east.pk, 1, QueueKind.DUE)
    assert second["id"] == district.premises_a.pk
    assert second["reason"] == "红 · 逾期 12 天 · 2 项红线隐患未消除"
    assert (second["inspection_kind"], second["grade"], second["days_overdue"]) == ("survey", "red", 12)
    paged = client.get(QUEUE, {"page_size": 1, "page": 2}).data
    assert paged["num_pages"] == 2 and paged["previous"] and paged["next"] is None


def test_query_errors_come_back_per_field(district, personas):
    client = api_client(personas.grid_worker)
    assert set(client.get(QUEUE, {"lat": "28.97"}).data) == {"lng"}
    assert set(client.get(QUEUE, {"lat": "95", "lng": "118.8"}).data) == {"lat"}
    assert set(client.get(QUEUE, {"grid": district.grid_b.pk}).data) == {"grid"}  # not in scope
    assert set(client.get(QUEUE, {"kind": "everything"}).data) == {"kind"}
    assert set(client.get(QUEUE, {"page": "0"}).data) == {"page"}
