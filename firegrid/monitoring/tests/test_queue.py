"""A case waiting for a visit is a work-queue item (报警待核查) for the grid workers of its grid only;
a visited or closed case leaves the queue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from firegrid.api_testing import API, api_client
from firegrid.longterm.choices import KIND_PRIORITY, QueueKind
from firegrid.longterm.queue import QUEUE_SOURCES, kind_counts, kind_qs, work_queue
from firegrid.monitoring import services
from firegrid.monitoring.choices import CaseOutcome
from firegrid.monitoring.tests.scene import plan_of
from firegrid.registry.models import Premises

pytestmark = pytest.mark.django_db


def items(user):
    return {item.premises.pk: item for item in work_queue(user, today=timezone.localdate()).items}


def test_the_alarm_source_is_registered_right_after_rechecks():
    assert "alarms" in QUEUE_SOURCES
    assert KIND_PRIORITY[QueueKind.ALARM] == KIND_PRIORITY[QueueKind.RECHECK_REQUESTED] + 1


def test_the_case_reaches_the_grid_worker_of_its_grid_only(monitoring_scene, personas):
    s = monitoring_scene
    mine = items(personas.grid_worker)
    assert set(mine) == {s.d.premises_a.pk}
    assert mine[s.d.premises_a.pk].kind == QueueKind.ALARM
    assert "烟感报警" in mine[s.d.premises_a.pk].reason
    assert set(items(personas.outsider)) == {s.d.premises_b.pk}
    assert kind_counts(personas.grid_worker, today=timezone.localdate())[QueueKind.ALARM] == 1


def test_the_queue_card_links_the_reason_to_its_case(monitoring_scene, personas, login):
    """The worker acknowledges the alarm on the case page, which the queue card opens from its reason."""
    case_url = reverse("monitoring:alertcase_detail", args=[monitoring_scene.case_a.pk])
    page = login(personas.grid_worker).get(reverse("longterm:queue")).content.decode()
    assert f'href="{case_url}"' in page
    api = api_client(personas.grid_worker).get(f"{API}/queue/").data["results"]
    assert [e["link"] for e in api[0]["entries"]] == [case_url]


def test_a_visited_case_leaves_the_queue(monitoring_scene, personas):
    s = monitoring_scene
    services.acknowledge_case(s.case_a, actor=personas.grid_worker)
    assert set(items(personas.grid_worker)) == {s.d.premises_a.pk}  # acknowledged: still to visit
    services.visit_case(s.case_a, actor=personas.grid_worker)
    assert items(personas.grid_worker) == {}
    services.close_case(s.case_a, outcome=CaseOutcome.FALSE_ALARM, note="误报", actor=personas.grid_worker)
    assert items(personas.grid_worker) == {}


def test_the_candidate_set_is_a_subquery_on_the_partial_index(monitoring_scene):
    sql = str(Premises.objects.filter(kind_qs(timezone.localdate())[QueueKind.ALARM]).query)
    assert "IN (SELECT" in sql.upper().replace('"', "")
    if connection.vendor == "postgresql":
        plan = plan_of("SELECT premises_id FROM monitoring_alertcase WHERE state IN ('open', 'acknowledged')")
        assert "alertcase_awaiting_premises" in plan
