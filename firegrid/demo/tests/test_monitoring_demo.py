"""The demo's monitoring phase (firegrid.demo.longterm.monitoring): the district's sensors as they stand on
the morning of the load, the last twelve months' alert cases, and today's two alarms.

The demo is loaded once for the module by the long-term demo tests' own fixture (`loaded`: `firegrid demo
--today 2026-12-07` on that morning, the clock travelled, rolled back at the end); every test runs in its
own savepoint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from firegrid.api_testing import api_client
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import AuditEntry, Notification, NotificationKind
from firegrid.demo.longterm import DEMO_STAFF, Context
from firegrid.demo.longterm import monitoring as phase
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import kind_counts, work_queue
from firegrid.monitoring.choices import CaseOutcome, CaseState, DeviceKind, DeviceState, EventKind
from firegrid.monitoring.figures import figure_rows
from firegrid.monitoring.models import AlertCase, Device, DeviceEvent
from firegrid.monitoring.services import offline_intervals
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Premises

from .test_longterm_demo import DAY, SEED, at, loaded, wanggy

__all__ = ["loaded"]  # the module-scoped fixture, shared with the long-term demo tests

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def is_grid_worker_of(user_id: int, premises: Premises) -> bool:
    return User.objects.filter(pk=user_id, role=Role.GRID_WORKER, areas=premises.building.grid_id).exists()


def test_sensors_of_each_kind_in_their_share_of_the_premises(loaded):
    total = Premises.objects.count()
    by_kind = Counter(Device.objects.values_list("kind", flat=True))
    assert 0.07 * total <= by_kind[DeviceKind.SMOKE] <= 0.09 * total
    assert 0.015 * total <= by_kind[DeviceKind.EBIKE_CHARGING] <= 0.025 * total
    assert 0.007 * total <= by_kind[DeviceKind.ELECTRICAL_FIRE] <= 0.013 * total
    assert 0.007 * total <= by_kind[DeviceKind.GAS] <= 0.013 * total
    devices = Device.objects.select_related("premises")
    # Smoke detectors more often in shared rentals than the district's share of them.
    shared = Premises.objects.filter(is_shared_rental=True).count() / total
    smoke = devices.filter(kind=DeviceKind.SMOKE)
    assert smoke.filter(premises__is_shared_rental=True).count() > 1.5 * shared * smoke.count()
    shops = (PremisesKind.SHOP, PremisesKind.MIXED_USE)
    assert not devices.filter(kind=DeviceKind.ELECTRICAL_FIRE).exclude(premises__kind__in=shops).exists()
    # One kind of sensor at most once per premises.
    assert not Device.objects.values("premises", "kind").annotate(n=Count("pk")).filter(n__gt=1).exists()
    last_month_end = DAY.replace(day=1) - dt.timedelta(days=1)
    for device in devices:
        prefix = {"smoke": "SD", "ebike_charging": "EB", "electrical_fire": "EF", "gas": "GD"}[device.kind]
        assert re.fullmatch(rf"{prefix}-330803-\d{{6}}", device.serial), device.serial
        assert device.device_model and device.installer
        assert dt.date(2020, 1, 1) <= device.installed_on <= last_month_end
        if device.room_id is not None:
            assert device.room.premises_id == device.premises_id


def test_most_sensors_are_online_some_offline_low_on_battery_or_broken(loaded):
    devices = Device.objects.all()
    n = devices.count()
    states = Counter(devices.values_list("state", flat=True))
    assert 0.90 * n <= states[DeviceState.ONLINE] <= 0.97 * n
    assert 0.02 * n <= states[DeviceState.OFFLINE] <= 0.04 * n
    assert 0.01 * n <= states[DeviceState.LOW_BATTERY] <= 0.03 * n
    assert 0.005 * n <= states[DeviceState.FAULT] <= 0.02 * n
    assert states[DeviceState.ALARM] == 2
    assert (
        not devices.filter(state=DeviceState.LOW_BATTERY)
        .exclude(kind__in=[DeviceKind.SMOKE, DeviceKind.GAS])
        .exists()
    )
    # Alive: heard within one heartbeat interval before the load (the clock at 09:00 that morning), with
    # the silence deadline the ingester sets; the offline ones silent for days.
    loaded_at, now = at(DAY, 9), timezone.now()
    silence = offline_intervals()
    for device in devices.exclude(state=DeviceState.OFFLINE):
        interval = dt.timedelta(seconds=device.heartbeat_interval)
        assert loaded_at - interval <= device.last_heartbeat_at <= now
        assert device.offline_after == device.last_heartbeat_at + silence * interval
    for device in devices.filter(state=DeviceState.OFFLINE):
        assert device.last_heartbeat_at < loaded_at - dt.timedelta(days=1)
        assert device.offline_after < loaded_at
    # One event per device tells its state (the alarms aside: one per case).
    last = Counter(DeviceEvent.objects.exclude(kind=EventKind.ALARM).values_list("device_id", flat=True))
    told = {
        DeviceState.ONLINE: EventKind.HEARTBEAT,
        DeviceState.OFFLINE: EventKind.OFFLINE,
        DeviceState.LOW_BATTERY: EventKind.LOW_BATTERY,
        DeviceState.FAULT: EventKind.FAULT,
    }
    for device in devices.prefetch_related("events"):
        told_by = [e for e in device.events.all() if e.kind != EventKind.ALARM]
        if device.state == DeviceState.ALARM:
            assert not told_by
            continue
        assert [e.kind for e in told_by] == [told[device.state]] and last[device.pk] == 1
        if device.state == DeviceState.ONLINE:  # its last heartbeat
            assert told_by[0].received_at == device.last_heartbeat_at
            assert told_by[0].ts == device.last_event_at
    # Seqs are the device's counter: unique per device (the constraint), none for the system's events.
    assert not DeviceEvent.objects.filter(kind=EventKind.OFFLINE, seq__isnull=False).exists()
    assert not DeviceEvent.objects.exclude(kind=EventKind.OFFLINE).filter(seq__isnull=True).exists()


def test_wanggy_has_one_alarm_to_check_today_and_nothing_else_there(loaded, login):
    worker = wanggy()
    counts = kind_counts(worker, today=DAY)
    assert counts[QueueKind.ALARM] == 1
    page = work_queue(worker, today=DAY, kind=QueueKind.ALARM, per_page=50)
    assert len(page.items) == 1
    item = page.items[0]
    assert item.kinds == [QueueKind.ALARM]  # no other reason to go there today
    assert "烟感报警" in item.reason and "3 次" in item.reason and "待响应" in item.reason
    case = AlertCase.objects.get(premises=item.premises, state=CaseState.OPEN)
    assert case.kind == DeviceKind.SMOKE and case.alarm_count == 3
    assert at(DAY) < case.opened_at <= case.last_alarm_at < at(DAY, 2)  # this morning, before the horizon
    assert case.acknowledged_at is None and case.device.state == DeviceState.ALARM
    assert DeviceEvent.objects.filter(device=case.device, kind=EventKind.ALARM, ts__gte=at(DAY)).count() == 3
    # Elsewhere in the district, last night's alarm was acknowledged by its grid's worker, not yet visited.
    grid = worker.areas.get()
    acknowledged = AlertCase.objects.select_related("premises__building", "device").get(
        state=CaseState.ACKNOWLEDGED
    )
    assert acknowledged.premises.building.grid_id != grid.pk
    assert acknowledged.device.state == DeviceState.ALARM
    assert acknowledged.acknowledged_by_id is not None
    assert is_grid_worker_of(acknowledged.acknowledged_by_id, acknowledged.premises)
    assert acknowledged.opened_at + 2 * MINUTE <= acknowledged.acknowledged_at < at(DAY, 2)
    assert AlertCase.objects.exclude(state=CaseState.CLOSED).count() == 2
    # His pages: the queue shows it, the case and its device open.
    client = login(worker)
    assert "报警待核查" in client.get(reverse("longterm:queue")).content.decode()
    for url in (
        reverse("monitoring:alertcase_detail", args=[case.pk]),
        reverse("monitoring:device_detail", args=[case.device_id]),
        reverse("monitoring:device_list"),
        reverse("monitoring:figures"),
    ):
        assert client.get(url).status_code == 200, url


def test_last_years_cases_are_closed_in_order_with_outcomes_by_the_grids_worker(loaded):
    closed = AlertCase.objects.filter(state=CaseState.CLOSED).select_related("premises__building")
    weeks = 52
    assert weeks <= closed.count() <= 3 * weeks
    assert closed.filter(opened_at__lt=at(DAY - dt.timedelta(days=365))).count() == 0
    for case in closed:
        assert case.outcome and case.note
        assert case.opened_at <= case.last_alarm_at
        assert case.opened_at + 2 * MINUTE <= case.acknowledged_at <= case.opened_at + 30 * MINUTE
        settled = case.visited_at or case.acknowledged_at
        if case.visited_at is not None:
            assert case.acknowledged_at < case.visited_at <= case.acknowledged_at + dt.timedelta(hours=3)
        else:
            assert case.outcome == CaseOutcome.FALSE_ALARM  # settled by telephone
        assert settled < case.closed_at < at(DAY)
        assert (local(case.closed_at).date() - local(case.opened_at).date()).days <= 1
        assert 1 <= case.alarm_count <= 6
        worker = case.acknowledged_by_id
        assert worker is not None and case.closed_by_id == worker
        assert case.visited_by_id in (None, worker)
        assert is_grid_worker_of(worker, case.premises)
        assert case.version == 3 + (case.visited_at is not None)
    # The outcomes' mix: false alarms the most, real fires the fewest.
    mix = Counter(closed.values_list("outcome", flat=True))
    assert mix.most_common(1)[0][0] == CaseOutcome.FALSE_ALARM
    assert 0.25 <= mix[CaseOutcome.FALSE_ALARM] / closed.count() <= 0.55
    assert mix[CaseOutcome.REAL_FIRE] <= mix[CaseOutcome.DEVICE_FAULT] + 3
    # An alarm event of its device at each case's opening; history as a data load: no audit, no messages.
    alarms = set(DeviceEvent.objects.filter(kind=EventKind.ALARM).values_list("device_id", "ts"))
    for device_id, opened in AlertCase.objects.values_list("device_id", "opened_at"):
        assert (device_id, opened) in alarms
    assert not AuditEntry.objects.filter(content_type__model="alertcase").exists()
    assert not Notification.objects.filter(kind=NotificationKind.ALERT_CASE).exists()


def api_count(user: User, link: str) -> int:
    path, _, query = link.partition("?")
    api_path = "/api/v1/devices/" if "/devices/" in path else "/api/v1/alert-cases/"
    response = api_client(user).get(f"{api_path}?{query}")
    assert response.status_code == 200, response.data
    return int(response.data["count"])


def test_the_figures_equal_their_lists(loaded):
    commander = User.objects.get(username="commander")
    rows = figure_rows(commander)
    top = rows[0]
    assert top.figures["devices_offline"] == Device.objects.filter(state=DeviceState.OFFLINE).count() > 0
    assert top.figures["cases_open"] == 2
    assert top.figures["cases"] >= 3 and top.figures["closed"] >= 1
    assert top.medians["ack"] is not None and top.medians["close"] is not None
    for row in rows:
        links = row.links
        for key in ("devices_offline", "cases_open", "cases", "acknowledged", "closed"):
            assert api_count(commander, links[key]) == row.figures.get(key, 0), (row.area.name, key)
        for label, n, link in row.outcome_cells:
            assert api_count(commander, link) == n, (row.area.name, label)


def identity() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    devices = Device.objects.order_by("pk").values_list(
        "pk", "serial", "kind", "premises_id", "room_id", "device_model", "installer", "installed_on"
    )
    cases = AlertCase.objects.filter(state=CaseState.CLOSED).order_by("pk")
    fields = ("pk", "device__serial", "premises_id", "opened_at", "closed_at", "outcome", "note", "closed_by")
    return list(devices), list(cases.values_list(*fields))


def test_the_same_seed_on_the_same_day_installs_the_same_sensors(loaded):
    """The phase played again on the loaded district (its own rows removed): the same sensors and the same
    history of cases."""
    before = identity()
    AlertCase.objects.all().delete()
    DeviceEvent.objects.all().delete()
    Device.objects.all().delete()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_STAFF).prefetch_related("areas")}
    with translation.override("zh-hans"):
        written = phase.run(Context(seed=SEED, today=DAY, users=users))
    assert written > 400
    assert identity() == before


def test_the_2018_incident_record_shows_553_alarms_with_284_in_zhangtan(loaded):
    """The seed's own starting point (issue 15 part 5): 553 fire alarms in 2018, 284 (51.4 %) in 樟潭街道,
    most matched to the registry's premises — exactly or after normalising — some proposed for an officer
    (fuzzy, with their score), the rest somewhere that is no rental."""
    from firegrid.incidents.choices import MatchMethod, MatchState
    from firegrid.incidents.figures import hotspots
    from firegrid.incidents.models import FireIncident

    rows, total = hotspots(User.objects.get(username="commander"), 2018)
    assert total == FireIncident.objects.count() == 553
    assert (rows[0].area.name, rows[0].total, str(rows[0].share)) == ("樟潭街道", 284, "51.4")
    states = Counter(FireIncident.objects.values_list("match_state", flat=True))
    methods = Counter(FireIncident.objects.values_list("match_method", flat=True))
    assert (
        states[MatchState.MATCHED] > 0.7 * total
        and states[MatchState.PROPOSED]
        and states[MatchState.UNMATCHED]
    )
    assert methods[MatchMethod.EXACT] and methods[MatchMethod.NORMALISED] and methods[MatchMethod.FUZZY]
    matched = FireIncident.objects.filter(match_state=MatchState.MATCHED).select_related("premises__building")
    assert all(i.area_id == i.premises.building.grid_id for i in matched)
