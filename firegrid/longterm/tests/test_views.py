"""The queue page (anonymous → 403 → allowed, scope, officers by grid), starting an inspection from an item
(with the notice when another visit covered it today), the scan page, the home page and the 任务 tab."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import PORTAL, assert_status
from firegrid.inspections.choices import InspectionKind, InspectionStatus, VisitOutcome
from firegrid.inspections.models import Inspection
from firegrid.rectification.testing import inspect
from firegrid.risk.choices import RiskGrade

from .scene import RED_LINES, grade, visit

pytestmark = pytest.mark.django_db

QUEUE = reverse("longterm:queue")
START = reverse("longterm:queue_start")
SCAN = reverse("longterm:scan")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def scene(district, checklist):
    grade(district.premises_a, RiskGrade.RED, overdue=12, reasons=[RED_LINES])
    grade(district.premises_b, RiskGrade.YELLOW, overdue=3)
    return district


def test_anonymous_is_sent_to_sign_in_and_roles_without_a_queue_get_403(scene, personas, client, login):
    for url in (QUEUE, SCAN):
        assert client.get(url).status_code == 302
        assert_status(login(personas.liaison).get(url), 403)
        assert_status(login(personas.landlord).get(url), PORTAL)
    assert_status(login(personas.liaison).post(START, {"premises": scene.premises_a.pk}), 403)


def test_grid_worker_sees_their_items_as_cards_and_the_outsider_none_of_them(scene, personas, login):
    page = login(personas.grid_worker).get(QUEUE)
    assert_status(page, 200)
    body = text(page)
    assert f'data-queue-item="{scene.premises_a.pk}"' in body
    assert "红 · 逾期 12 天 · 2 项红线隐患未消除" in body
    assert f'data-queue-item="{scene.premises_b.pk}"' not in body
    assert page.context["counts"]["total"] == 1
    outsider = text(login(personas.outsider).get(QUEUE, {"grid": scene.grid_a.pk}))
    assert f'data-queue-item="{scene.premises_a.pk}"' not in outsider
    assert f'data-queue-item="{scene.premises_b.pk}"' in outsider


def test_officers_see_their_grids_with_counts_and_open_one(scene, personas, login):
    client = login(personas.community_officer)
    page = client.get(QUEUE)
    assert_status(page, 200)
    rows = {row.grid.pk: row.total for row, _cells in page.context["grid_rows"]}
    assert rows == {scene.grid_a.pk: 1, scene.grid_a2.pk: 0}
    assert "data-queue-item" not in text(page)
    # Each count opens the grid's items, and their count equals it.
    one = client.get(QUEUE, {"grid": scene.grid_a.pk, "kind": "overdue"})
    assert len(one.context["queue"].items) == 1 == one.context["counts"]["overdue"]
    assert f'data-queue-item="{scene.premises_a.pk}"' in text(one)


def test_malformed_query_falls_back_to_the_plain_queue(scene, personas, login):
    page = login(personas.grid_worker).get(QUEUE, {"lat": "abc", "page": "-3", "kind": "nonsense"})
    assert_status(page, 200)
    assert len(page.context["queue"].items) == 1


def test_start_opens_the_inspection_the_item_asks_for(scene, personas, login):
    response = login(personas.grid_worker).post(
        START, {"premises": scene.premises_a.pk, "kind": InspectionKind.ACCEPTANCE}
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("inspections:inspection_detail", args=[inspection.pk])
    assert (inspection.premises, inspection.kind) == (scene.premises_a, InspectionKind.ACCEPTANCE)
    assert inspection.status == InspectionStatus.DRAFT


def test_outsider_cannot_start_from_someone_elses_item(scene, personas, login):
    assert_status(login(personas.outsider).post(START, {"premises": scene.premises_a.pk}), 404)
    assert_status(login(personas.outsider).post(START, {"premises": "x"}), 404)
    assert not Inspection.objects.exists()


def test_the_second_worker_is_told_the_premises_was_covered_today_but_may_go_on(scene, personas, login):
    colleague = t.make_user("lisi", Role.GRID_WORKER, [scene.grid_a], full_name="李四")
    page = login(colleague).get(QUEUE)  # both see the item …
    assert f'data-queue-item="{scene.premises_a.pk}"' in text(page)
    inspect(scene.premises_a, actor=personas.grid_worker)  # … the first one submits, and it leaves the queue
    assert f'data-queue-item="{scene.premises_a.pk}"' not in text(login(colleague).get(QUEUE))
    client = login(colleague)
    response = client.post(START, {"premises": scene.premises_a.pk}, follow=True)
    assert_status(response, 200)
    body = text(response)
    assert f"该户今天已由 {personas.grid_worker} 检查" in body
    assert Inspection.objects.filter(status=InspectionStatus.DRAFT, inspectors=colleague).count() == 1


def test_no_notice_when_only_an_earlier_day_covered_it(scene, personas, login):
    visit(scene.premises_a, VisitOutcome.INSPECTED, days_ago=1, by=personas.grid_worker)
    response = login(personas.grid_worker).post(START, {"premises": scene.premises_a.pk}, follow=True)
    assert "该户今天已由" not in text(response)


def test_scan_opens_the_premises_from_its_qr_code_or_typed_number(scene, personas, login):
    client = login(personas.grid_worker)
    assert_status(client.get(SCAN), 200)
    scanned = f"http://testserver/inspections/scan/{scene.premises_a.pk}/"
    target = reverse("inspections:premises_scan", args=[scene.premises_a.pk])
    assert client.get(SCAN, {"code": scanned})["Location"] == target
    assert client.get(SCAN, {"code": str(scene.premises_a.pk)})["Location"] == target
    refused = client.get(SCAN, {"code": "https://example.com/portal/plans/abc/"})
    assert_status(refused, 200)
    assert "无法识别" in text(refused)
    # The premises page itself answers 404 outside the scope.
    assert_status(login(personas.outsider).get(SCAN, {"code": scanned}, follow=True), 404)


def test_grid_workers_home_starts_with_todays_queue_and_the_tab_has_its_count(scene, personas, login):
    home = text(login(personas.grid_worker).get(reverse("pages:home")))
    assert home.index("今日任务") < home.index("我的辖区")
    assert f'data-queue-item="{scene.premises_a.pk}"' in home
    assert "data-queue-count>1<" in home.replace(" ", "")
    officer = text(login(personas.community_officer).get(reverse("pages:home")))
    assert "home-queue" not in officer and "data-queue-tab" in officer and "data-queue-count" not in officer
    assert "data-queue-tab" not in text(login(personas.liaison).get(reverse("pages:home")))


def test_queue_page_query_count_does_not_grow(scene, personas, login):
    def measure() -> int:
        client = login(personas.grid_worker)
        with CaptureQueriesContext(connection) as queries:
            assert_status(client.get(QUEUE), 200)
        return len(queries)

    few = measure()
    for i in range(6):
        building = t.make_building(scene.grid_a, f"樟树潭村{200 + i}号")
        grade(t.make_premises(building, scene.landlord_a, unit_label="1楼"), overdue=i)
    assert measure() == few


def test_the_overview_pages_its_grids_in_code_order(scene, personas, login, monkeypatch):
    monkeypatch.setattr("firegrid.longterm.views.GRID_PAGE", 1)
    client = login(personas.community_officer)
    first, second = client.get(QUEUE), client.get(QUEUE, {"page": 2})
    assert [row.grid for row, _cells in first.context["grid_rows"]] == [scene.grid_a]
    assert [row.grid for row, _cells in second.context["grid_rows"]] == [scene.grid_a2]
    assert "第 1 / 2 页" in text(first) and 'href="?page=2"' in text(first)
    # A page past the end shows the last one.
    assert [row.grid for row, _cells in client.get(QUEUE, {"page": 9}).context["grid_rows"]] == [
        scene.grid_a2
    ]


def test_the_queue_and_home_pages_give_the_tab_its_count_without_reading_the_queue_again(
    scene, personas, login, monkeypatch
):
    """The badge is the count the page has just made (the queue is read once less per page); other pages,
    and a page filtered to one grid, count it themselves."""
    client = login(personas.grid_worker)

    def no_second_read(*args, **kwargs):
        raise AssertionError("the queue was counted again for the tab")

    with monkeypatch.context() as patched:
        patched.setattr("firegrid.longterm.templatetags.longterm_links.queue_count", no_second_read)
        for url in (QUEUE, reverse("pages:home")):
            page = text(client.get(url))
            assert "data-queue-count>1<" in page.replace(" ", ""), url
    calls = []
    monkeypatch.setattr(
        "firegrid.longterm.templatetags.longterm_links.queue_count", lambda *a, **k: calls.append(1) or 1
    )
    assert "data-queue-count>1<" in text(client.get(QUEUE, {"grid": scene.grid_a.pk})).replace(" ", "")
    assert "data-queue-count>1<" in text(client.get(reverse("registry:premises_list"))).replace(" ", "")
    assert len(calls) == 2
