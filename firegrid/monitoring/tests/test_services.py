"""Moving an alert case: who may, in what order, with an outcome and a note, and a concurrent move
detected — never silently overwritten."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.services import ConcurrentEditError
from firegrid.monitoring import services
from firegrid.monitoring.choices import CaseOutcome, CaseState, EventKind
from firegrid.monitoring.models import AlertCase, DeviceEvent
from firegrid.monitoring.signals import alert_case_closed

pytestmark = pytest.mark.django_db


def test_open_acknowledge_visit_close_each_move_is_audited_with_time_and_actor(monitoring_scene, personas):
    case = monitoring_scene.case_a
    worker = personas.grid_worker
    case = services.acknowledge_case(case, actor=worker, expected_version=1)
    case = services.visit_case(case, actor=worker, expected_version=2)
    closed = []
    alert_case_closed.connect(lambda sender, case, actor, **kw: closed.append((case.pk, actor)), weak=False)
    try:
        case = services.close_case(
            case, outcome=CaseOutcome.COOKING_SMOKE, note="厨房炒菜油烟", actor=worker, expected_version=3
        )
    finally:
        alert_case_closed.receivers.clear()
    assert case.state == CaseState.CLOSED
    assert (case.acknowledged_by, case.visited_by, case.closed_by) == (worker, worker, worker)
    assert case.acknowledged_at <= case.visited_at <= case.closed_at
    entries = AuditEntry.objects.for_object(case).order_by("pk")
    assert [e.action for e in entries] == [AuditAction.CREATE] + [AuditAction.UPDATE] * 3
    assert [e.reason for e in entries][1:] == ["响应", "到场核查", "办结"]
    assert entries.last().premises_id == monitoring_scene.d.premises_a.pk
    assert closed == [(case.pk, worker)]


def test_close_needs_an_outcome_and_a_note(monitoring_scene, personas):
    case = services.acknowledge_case(monitoring_scene.case_a, actor=personas.grid_worker)
    with pytest.raises(ValidationError) as exc:
        services.close_case(case, outcome="", note=" ", actor=personas.grid_worker)
    assert set(exc.value.message_dict) == {"outcome", "note"}


def test_an_illegal_move_names_the_state(monitoring_scene, personas):
    with pytest.raises(ValidationError, match="待响应"):
        services.close_case(
            monitoring_scene.case_a, outcome=CaseOutcome.FALSE_ALARM, note="误报", actor=personas.grid_worker
        )


def test_a_concurrent_move_is_detected_and_the_second_is_told(monitoring_scene, personas):
    case = monitoring_scene.case_a
    services.acknowledge_case(case, actor=personas.grid_worker, expected_version=1)
    with pytest.raises(ConcurrentEditError) as exc:
        services.acknowledge_case(case, actor=personas.community_officer, expected_version=1)
    assert exc.value.current.state == CaseState.ACKNOWLEDGED
    stored = AlertCase.objects.get(pk=case.pk)
    assert (stored.acknowledged_by, stored.version) == (personas.grid_worker, 2)


def test_a_second_move_without_a_version_is_refused_by_the_state_check(monitoring_scene, personas):
    case = monitoring_scene.case_a
    services.acknowledge_case(case, actor=personas.grid_worker)
    with pytest.raises(ValidationError, match="已响应"):
        services.acknowledge_case(case, actor=personas.community_officer)


def test_moves_out_of_scope_or_without_the_right_are_refused(monitoring_scene, personas):
    case = monitoring_scene.case_a
    for user in (personas.outsider, personas.landlord, personas.fire_officer, personas.liaison):
        with pytest.raises(PermissionDenied):
            services.acknowledge_case(case, actor=user)
    assert AlertCase.objects.get(pk=case.pk).state == CaseState.OPEN


def test_a_case_is_notified_once_per_recipient(monitoring_scene, personas):
    case = monitoring_scene.case_a
    assert services.notify_case(case) == 0  # already sent when it opened
    inbox = personas.grid_worker.notifications.get()
    assert "报警" in inbox.title and inbox.link.endswith(f"/monitoring/cases/{case.pk}/")
    assert personas.landlord.notifications.count() == 1


def test_a_case_is_named_by_its_local_alarm_time(district):
    """Found trying the demo: the page title showed the UTC time (16:30) of a 00:30 alarm in Shanghai."""
    import datetime as dt

    from .scene import make_case, make_device

    device = make_device(district.premises_a, serial="SD-TITLE-1")
    case = make_case(device, dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC))
    assert str(case).endswith("· 2026-12-08 00:30")
    at = dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC)
    event = DeviceEvent.objects.create(device=device, kind=EventKind.ALARM, ts=at, received_at=at)
    assert str(event).endswith("2026-12-08 00:30:00")
