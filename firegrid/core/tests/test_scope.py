"""visible_to for core's records: the operation log and the login log are the system administrator's;
an inbox is its owner's alone, whatever the role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from firegrid.conftest import (
    EVERY_PERSONA,
    allowed,
    assert_allowed_actions_reach_the_rows_seen,
    assert_refused_actions_see_nothing,
    seen,
)
from firegrid.core.models import AuditEntry, LoginRecord, Notification, NotificationKind
from firegrid.core.services import update_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(district, personas):
    """For every persona: an audit entry of their own change, a sign-in and a message in their inbox."""
    rows = {}
    for name in EVERY_PERSONA:
        user = getattr(personas, name)
        rows[f"login_{name}"] = LoginRecord.objects.create(username=user.username, user=user, success=True)
        rows[f"message_{name}"] = Notification.objects.create(
            kind=NotificationKind.OVERDUE_DIGEST,
            key=f"2019-10-08:{name}",
            recipient=user,
            title="逾期方案日报",
        )
    update_record(district.building_a, {"floors": 5}, actor=personas.grid_worker, expected_version=1)
    update_record(district.building_b, {"floors": 4}, actor=personas.outsider, expected_version=1)
    return SimpleNamespace(**rows)


def test_only_the_admin_reads_the_operation_log_even_of_their_own_changes(scene, personas):
    everything = set(AuditEntry.objects.values_list("pk", flat=True))
    assert len(everything) == 2
    assert seen(AuditEntry, personas) == {
        name: everything if name == "admin" else set() for name in EVERY_PERSONA
    }


def test_only_the_admin_reads_the_login_log(scene, personas):
    everything = set(LoginRecord.objects.values_list("pk", flat=True))
    assert seen(LoginRecord, personas) == {
        name: everything if name == "admin" else set() for name in EVERY_PERSONA
    }


def test_an_inbox_is_its_owners_alone(scene, personas):
    # Not even the system administrator or the command reads another person's messages.
    assert seen(Notification, personas) == {
        name: {getattr(scene, f"message_{name}").pk} for name in EVERY_PERSONA
    }
    assert not Notification.objects.visible_to(AnonymousUser()).exists()


def test_actions_on_the_logs(scene, personas):
    # ACTION_LETTERS of conftest.py: view, add, change, delete, export, reveal, void.
    for model in (AuditEntry, LoginRecord):
        assert allowed(model, personas) == {
            name: "vacderx" if name == "admin" else "" for name in EVERY_PERSONA
        }
        assert_refused_actions_see_nothing(model, personas)
        assert_allowed_actions_reach_the_rows_seen(model, personas)
