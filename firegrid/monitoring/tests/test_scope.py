"""Every persona sees only their area's devices, events and cases; a landlord only their own."""

from __future__ import annotations

import pytest

from firegrid.conftest import (
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    seen,
)
from firegrid.monitoring.models import AlertCase, Device, DeviceEvent

pytestmark = pytest.mark.django_db


def expected(a: int, b: int) -> dict[str, set[int]]:
    both = {a, b}
    return {
        "admin": both,
        "commander": both,
        "fire_officer": both,
        "subdistrict_officer": {a},
        "community_officer": {a},
        "grid_worker": {a},
        "outsider": {b},
        "liaison": {a},  # premises_a's landlord is employed by the liaison's unit
        "other_liaison": set(),
        "landlord": {a},
    }


def test_every_persona_sees_the_devices_of_their_scope(monitoring_scene, personas):
    s = monitoring_scene
    assert seen(Device, personas) == expected(s.device_a.pk, s.device_b.pk)


def test_every_persona_sees_the_cases_of_their_scope(monitoring_scene, personas):
    s = monitoring_scene
    assert seen(AlertCase, personas) == expected(s.case_a.pk, s.case_b.pk)


def test_device_events_follow_their_device(monitoring_scene, personas):
    s = monitoring_scene
    from django.utils import timezone

    a = DeviceEvent.objects.create(
        device=s.device_a, kind="heartbeat", ts=timezone.now(), received_at=timezone.now(), seq=1
    )
    b = DeviceEvent.objects.create(
        device=s.device_b, kind="heartbeat", ts=timezone.now(), received_at=timezone.now(), seq=1
    )
    assert seen(DeviceEvent, personas) == expected(a.pk, b.pk)


@pytest.mark.parametrize("model", [Device, DeviceEvent, AlertCase])
def test_refused_actions_see_nothing_and_allowed_ones_reach_the_rows_seen(monitoring_scene, personas, model):
    assert_refused_actions_see_nothing(model, personas)
    assert_allowed_actions_reach_the_rows_seen(model, personas)
