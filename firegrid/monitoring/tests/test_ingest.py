"""The ingest core without a broker: refusals counted by reason, unknown devices, duplicates, out of
order, clock skew, batching, alarm storms, and devices going offline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid.core.models import Notification, NotificationKind
from firegrid.monitoring import services
from firegrid.monitoring.choices import CaseState, DeviceState, EventKind
from firegrid.monitoring.ingest import IngestCore, Reason
from firegrid.monitoring.models import AlertCase, DeviceEvent

from .scene import body, make_device, send

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def core(**kw) -> IngestCore:
    kw.setdefault("batch_size", 1000)
    kw.setdefault("flush_ms", 60_000)
    return IngestCore(prefix="t", now=lambda: NOW, **kw)


@pytest.fixture
def device(district):
    return make_device(district.premises_a, serial="SD-1", heartbeat_interval=60)


def test_each_kind_of_malformed_message_is_counted_by_its_reason(device):
    c = core(max_payload=256)
    ok = body(NOW, 1)
    cases = {
        Reason.BAD_TOPIC: ("t/v1/devices/SD-1", ok),
        Reason.UNKNOWN_EVENT: ("t/v1/devices/SD-1/explode", ok),
        Reason.OVERSIZED: ("t/v1/devices/SD-1/heartbeat", body(NOW, 1, pad="x" * 300)),
        Reason.BAD_JSON: ("t/v1/devices/SD-1/heartbeat", b"{not json"),
        Reason.BAD_TS: ("t/v1/devices/SD-1/heartbeat", body("yesterday", 1)),
        Reason.BAD_SEQ: ("t/v1/devices/SD-1/heartbeat", body(NOW, "one")),
        Reason.BAD_VALUES: ("t/v1/devices/SD-1/reading", body(NOW, 1, values={"temp_c": "hot"})),
    }
    for reason, (topic, payload) in cases.items():
        assert c.submit(topic, payload) == reason
    # A naive time (no offset), a non-object payload and an out-of-range seq are refused too.
    assert c.submit("t/v1/devices/SD-1/heartbeat", body("2026-12-07T12:00:00", 2)) == Reason.BAD_TS
    assert c.submit("t/v1/devices/SD-1/heartbeat", b"[1, 2]") == Reason.BAD_JSON
    assert c.submit("t/v1/devices/SD-1/heartbeat", body(NOW, -1)) == Reason.BAD_SEQ
    assert c.buffer == []
    assert c.flush().tokens == []
    assert {r: c.stats[r] for r in cases} == {
        **dict.fromkeys(cases, 1),
        Reason.BAD_TS: 2,
        Reason.BAD_JSON: 2,
        Reason.BAD_SEQ: 2,
    }
    assert DeviceEvent.objects.count() == 0


def test_an_unknown_device_is_counted_and_acknowledged_without_a_write(device):
    c = core()
    assert send(c, "NOPE-1", "alarm", NOW, 1) is None  # known only at the flush
    send(c, "SD-1", "heartbeat", NOW, 1)
    result = c.flush()
    assert c.stats[Reason.UNKNOWN_DEVICE] == 1
    assert set(result.tokens) == {("NOPE-1", 1), ("SD-1", 1)}  # both acknowledged: nothing to redeliver
    assert DeviceEvent.objects.count() == 1
    assert AlertCase.objects.count() == 0


def test_a_duplicate_seq_is_applied_once_within_a_batch_and_across_batches(device):
    c = core()
    send(c, "SD-1", "alarm", NOW, 7)
    send(c, "SD-1", "alarm", NOW, 7)
    c.flush()
    send(c, "SD-1", "alarm", NOW + dt.timedelta(seconds=1), 7)
    c.flush()
    assert c.stats[Reason.DUPLICATE] == 2
    assert DeviceEvent.objects.filter(device=device).count() == 1
    assert AlertCase.objects.get(device=device).alarm_count == 1


def test_an_older_message_does_not_move_the_state_back(device):
    c = core()
    send(c, "SD-1", "alarm", NOW, 2)
    send(c, "SD-1", "clear", NOW - dt.timedelta(seconds=30), 1)  # sent before the alarm, arrived after
    c.flush()
    device.refresh_from_db()
    assert device.state == DeviceState.ALARM
    assert device.last_event_at == NOW
    assert c.stats[Reason.OUT_OF_ORDER] == 1
    late = DeviceEvent.objects.get(device=device, seq=1)
    assert late.applied is False  # kept in the trace, not applied
    send(c, "SD-1", "clear", NOW + dt.timedelta(seconds=30), 3)
    c.flush()
    device.refresh_from_db()
    assert device.state == DeviceState.ONLINE
    # A clear does not close the case: a person does.
    assert AlertCase.objects.get(device=device).state == CaseState.OPEN


def test_a_clock_skewed_device_is_accepted_with_the_receive_time_and_counted(device):
    c = core()
    send(c, "SD-1", "heartbeat", NOW + dt.timedelta(days=400), 1)
    c.flush()
    event = DeviceEvent.objects.get(device=device)
    assert (event.ts, event.clock_skewed) == (NOW, True)
    assert event.payload["device_ts"].startswith("2028-")
    assert c.stats[Reason.CLOCK_SKEW] == 1
    device.refresh_from_db()
    assert device.state == DeviceState.ONLINE  # a heartbeat brings a never-heard device online


def test_a_storm_of_500_alarms_from_one_device_is_one_case_with_500_alarms(device, personas):
    c = core(batch_size=100)
    flushes = 0
    for i in range(500):
        send(c, "SD-1", "alarm", NOW + dt.timedelta(milliseconds=i * 10), i + 1)
        if c.due():
            c.flush()
            flushes += 1
    c.flush()
    assert flushes == 5
    case = AlertCase.objects.get(device=device)
    assert (case.alarm_count, case.state, case.version) == (500, CaseState.OPEN, 1)
    assert case.last_alarm_at == NOW + dt.timedelta(milliseconds=4990)
    # One message per recipient and case: the landlord (account and mobile) and grid A's worker.
    sent = Notification.objects.filter(kind=NotificationKind.ALERT_CASE)
    assert sorted(sent.values_list("key", flat=True)) == [
        f"case:{case.pk}:landlord",
        f"case:{case.pk}:user:{personas.grid_worker.pk}",
    ]
    assert personas.outsider.notifications.count() == 0


def test_a_batch_of_n_messages_is_written_in_one_flush_with_a_fixed_number_of_queries(district):
    devices = [make_device(district.premises_a, serial=f"HB-{i}") for i in range(50)]

    def flush_of(n: int, round_: int) -> int:
        c = core(batch_size=n)
        for i, dev in enumerate(devices[:n]):
            send(c, dev.serial, "heartbeat", NOW + dt.timedelta(seconds=round_), round_ * 1000 + i)
        assert c.due()
        with CaptureQueriesContext(connection) as queries:
            result = c.flush()
        assert result.written == n and len(result.tokens) == n and c.buffer == []
        return len(queries)

    assert flush_of(10, 1) == flush_of(50, 2)
    assert DeviceEvent.objects.count() == 60


def test_the_buffer_is_due_after_the_flush_interval(device):
    ticks = [0.0]
    c = IngestCore(prefix="t", batch_size=100, flush_ms=500, now=lambda: NOW, clock=lambda: ticks[0])
    send(c, "SD-1", "heartbeat", NOW, 1)
    assert not c.due()
    ticks[0] = 0.6
    assert c.due()
    assert DeviceEvent.objects.count() == 0  # nothing written (nor acknowledged) before the flush
    assert c.flush().tokens == [("SD-1", 1)]


def test_a_device_silent_for_n_intervals_goes_offline_once(device, settings):
    settings.FIREGRID_DEVICE_OFFLINE_INTERVALS = 3
    c = core()
    send(c, "SD-1", "heartbeat", NOW, 1)
    c.flush()
    device.refresh_from_db()
    assert device.offline_after == NOW + dt.timedelta(seconds=180)
    assert services.mark_offline(NOW + dt.timedelta(seconds=179)) == 0
    assert services.mark_offline(NOW + dt.timedelta(seconds=181)) == 1
    assert services.mark_offline(NOW + dt.timedelta(seconds=500)) == 0  # idempotent
    device.refresh_from_db()
    assert device.state == DeviceState.OFFLINE
    assert DeviceEvent.objects.filter(device=device, kind=EventKind.OFFLINE).count() == 1
    # The next heartbeat brings it back.
    later = IngestCore(prefix="t", now=lambda: NOW + dt.timedelta(seconds=600))
    send(later, "SD-1", "heartbeat", NOW + dt.timedelta(seconds=600), 2)
    later.flush()
    device.refresh_from_db()
    assert device.state == DeviceState.ONLINE


def test_the_offline_job_is_registered_and_idempotent(device, settings):
    from firegrid.jobs.registry import registry

    job = registry.get("monitoring.mark_offline")
    assert job.schedule is not None
    device.offline_after = timezone.now() - dt.timedelta(minutes=1)
    device.state = DeviceState.ONLINE
    device.save()
    assert services.mark_offline() == 1
    assert services.mark_offline() == 0
