"""Reminders and misses: who owes a self-inspection (in use, the landlord with a portal account), one reminder
per landlord per period in the last days of it (inbox and SMS; a second run sends nothing), and at the
start of the next period one miss per premises that owed and had none, with the signal points listen to,
sent once."""

from __future__ import annotations

import datetime as dt

import pytest

from firegrid import testing as t
from firegrid.core import sms
from firegrid.core.models import AuditAction, AuditEntry, Notification
from firegrid.jobs.services import enqueue
from firegrid.longterm import services
from firegrid.longterm.models import SelfInspection, SelfInspectionMiss
from firegrid.longterm.signals import self_inspection_missed
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Premises

from .self_checks import make_self_inspection

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2026, 3, 1)
NEXT = dt.date(2026, 4, 1)


@pytest.fixture
def outbox(settings):
    settings.FIREGRID_SMS_BACKEND = "firegrid.core.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def scene(district, personas, checklist):
    """landlord_a (with a portal account) owes premises_a and shop_a, and submitted shop_a's; landlord_b has
    no account, so premises_b owes none."""
    make_self_inspection(district.shop_a, PERIOD, submitted_by=personas.landlord)
    return district


@pytest.fixture
def missed_signals():
    received = []

    def listener(sender, **kwargs):
        received.append((sender, kwargs))

    self_inspection_missed.connect(listener, dispatch_uid="test-missed")
    yield received
    self_inspection_missed.disconnect(dispatch_uid="test-missed")


def remind(day: dt.date, callbacks) -> None:
    with callbacks(execute=True):
        run = enqueue("longterm.remind_self_inspections", key=day.isoformat(), inline=True)
    assert run.status == "done", run.error


def test_no_reminder_before_the_last_days_of_the_period(scene, outbox, django_capture_on_commit_callbacks):
    remind(dt.date(2026, 3, 25), django_capture_on_commit_callbacks)  # 6 days left, the default is 5
    assert not Notification.objects.exists() and not outbox


def test_one_reminder_per_landlord_per_period_listing_what_is_owed(
    scene, personas, outbox, django_capture_on_commit_callbacks
):
    scene.landlord_a.mobile = "13800001111"
    scene.landlord_a.save()
    for day in (dt.date(2026, 3, 26), dt.date(2026, 3, 27), dt.date(2026, 3, 31)):
        remind(day, django_capture_on_commit_callbacks)
    # A retry by hand of a day already run sends nothing either.
    assert services.remind_self_inspections(dt.date(2026, 3, 26)) == 0
    note = Notification.objects.get()
    assert (note.kind, note.key, note.recipient) == (
        services.REMINDER_KIND,
        services.reminder_key(scene.landlord_a.pk, PERIOD),
        personas.landlord,
    )
    assert [m.mobile for m in outbox] == ["13800001111"]
    text = outbox[0].text
    assert scene.premises_a.building.address in text and scene.premises_a.unit_label in text
    assert scene.shop_a.unit_label not in text  # submitted already
    assert "2026-03" in text and "2026-03-31" in text and "/portal/self-inspection/" in text


def test_a_landlord_owing_many_premises_gets_one_message(
    scene, personas, outbox, django_capture_on_commit_callbacks
):
    for n in range(4):
        t.make_premises(scene.building_a, scene.landlord_a, unit_label=f"{n + 3}楼")
    remind(dt.date(2026, 3, 31), django_capture_on_commit_callbacks)
    assert len(outbox) == 1 and "等 5 处" in outbox[0].text


def test_landlords_without_an_account_and_premises_not_in_use_owe_nothing(scene, outbox):
    scene.premises_a.status = PremisesStatus.VACANT
    scene.premises_a.save()
    assert services.remind_self_inspections(dt.date(2026, 3, 31)) == 0
    assert services.record_missed_self_inspections(PERIOD, today=NEXT) == []


def test_misses_are_recorded_once_at_the_start_of_the_next_period_with_the_signal_once(
    scene, personas, missed_signals, django_capture_on_commit_callbacks
):
    remind(dt.date(2026, 3, 28), django_capture_on_commit_callbacks)
    run = enqueue("longterm.record_missed_self_inspections", key=NEXT.isoformat(), inline=True)
    assert run.status == "done", run.error
    assert run.result == {"period": "2026-03-01", "missed": 1, "pending_photos_discarded": 0}
    miss = SelfInspectionMiss.objects.get()
    reminder = Notification.objects.get()
    assert (miss.premises, miss.landlord, miss.period, miss.reminded_at) == (
        scene.premises_a,
        scene.landlord_a,
        PERIOD,
        reminder.created_at,
    )
    assert missed_signals == [
        (
            SelfInspection,
            {
                "signal": self_inspection_missed,
                "premises": scene.premises_a,
                "landlord": scene.landlord_a,
                "period": PERIOD,
                "miss": miss,
                "actor": None,
            },
        )
    ]
    entry = AuditEntry.objects.for_object(miss).get()
    assert (entry.action, entry.actor, entry.premises_id) == (AuditAction.CREATE, None, scene.premises_a.pk)
    # Run again (a retry by hand): nothing more, no second signal.
    assert services.record_missed_self_inspections(PERIOD, today=NEXT) == []
    assert SelfInspectionMiss.objects.count() == 1 and len(missed_signals) == 1


def test_a_miss_without_a_reminder_says_so(scene, missed_signals):
    services.record_missed_self_inspections(PERIOD, today=NEXT)
    assert SelfInspectionMiss.objects.get().reminded_at is None


def test_misses_wait_for_the_period_to_end(scene):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.record_missed_self_inspections(PERIOD, today=dt.date(2026, 3, 31))
    assert enqueue("longterm.record_missed_self_inspections", key="2026-04-02", inline=True).result == {
        "missed": 0,
        "period": None,
    }
    assert not SelfInspectionMiss.objects.exists()


def test_a_submission_made_in_the_period_is_no_miss(scene, personas):
    make_self_inspection(scene.premises_a, PERIOD, submitted_by=personas.landlord)
    assert services.record_missed_self_inspections(PERIOD, today=NEXT) == []
    # The owing premises of the next period are not touched.
    assert Premises.objects.count() == 3
