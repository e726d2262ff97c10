"""The monitoring API walked through the personas (ApiScopeMatrix), and the case moves: out of scope 404,
without the right 403, a stale version 409."""

from __future__ import annotations

import uuid

import pytest

from firegrid.api_testing import API, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.monitoring.choices import CaseState, DeviceKind
from firegrid.monitoring.models import AlertCase, Device

from .scene import make_case, make_device

pytestmark = pytest.mark.django_db


def device_a(district) -> Device:
    found = Device.objects.filter(serial="API-A").first()
    return found or make_device(district.premises_a, serial="API-A")


class TestDeviceApi(ApiScopeMatrix):
    prefix = "devices"

    def target(self, district):
        return device_a(district)

    def deletable(self, district):
        return make_device(district.premises_a)

    def create_payload(self, district):
        return {
            "kind": DeviceKind.SMOKE,
            "premises": district.premises_a.pk,
            "serial": f"N-{uuid.uuid4().hex[:8]}",
        }

    def change_payload(self, district):
        return {"installer": "衢江消防设备公司"}

    def add_rows(self, district, n):
        for _ in range(n):
            make_device(district.premises_a)


class TestAlertCaseApi(ApiScopeMatrix):
    prefix = "alert-cases"
    writes = frozenset()
    writer = non_deleter = deleter = None

    def target(self, district):
        case = AlertCase.objects.filter(device__serial="API-A").first()
        return case or make_case(device_a(district))

    def add_rows(self, district, n):
        for _ in range(n):
            make_case(make_device(district.premises_a))


def test_device_list_filters_by_state_and_kind(monitoring_scene, personas):
    client = api_client(personas.commander)
    rows = client.get(f"{API}/devices/", {"kind": DeviceKind.GAS}).data["results"]
    assert [r["serial"] for r in rows] == ["GS-B-1"]
    assert client.get(f"{API}/devices/", {"state": "alarm"}).data["count"] == 0
    assert client.get(f"{API}/devices/", {"area": monitoring_scene.d.grid_a.pk}).data["count"] == 1


def test_device_state_is_not_writable(monitoring_scene, personas):
    client = api_client(personas.grid_worker)
    device = monitoring_scene.device_a
    response = client.patch(f"{API}/devices/{device.pk}/", {"state": "online", "version": 1}, format="json")
    assert_status(response, 200)
    assert Device.objects.get(pk=device.pk).state == "offline"


def test_a_device_cannot_be_placed_outside_the_writer_scope(monitoring_scene, personas):
    client = api_client(personas.grid_worker)
    payload = {"kind": DeviceKind.SMOKE, "premises": monitoring_scene.d.premises_b.pk, "serial": "OUT-1"}
    response = client.post(f"{API}/devices/", payload, format="json")
    assert response.status_code == 400 and "premises" in response.data
    assert not Device.objects.filter(serial="OUT-1").exists()


def test_the_grid_worker_moves_a_case_through_the_api(monitoring_scene, personas):
    case = monitoring_scene.case_a
    client = api_client(personas.grid_worker)
    url = f"{API}/alert-cases/{case.pk}/"
    assert_status(client.post(url + "acknowledge/", {"version": 1}, format="json"), 200)
    assert_status(client.post(url + "visit/", {}, format="json"), 200)
    response = client.post(
        url + "close/", {"outcome": "ebike_indoors", "note": "楼道内充电", "version": 3}, format="json"
    )
    assert_status(response, 200)
    assert (response.data["state"], response.data["outcome_display"]) == (CaseState.CLOSED, "室内充电")
    assert AuditEntry.objects.for_object(case).filter(action=AuditAction.UPDATE).count() == 3


def test_case_moves_are_refused_out_of_scope_and_without_the_right(monitoring_scene, personas):
    case = monitoring_scene.case_a
    url = f"{API}/alert-cases/{case.pk}/acknowledge/"
    assert_status(api_client(personas.outsider).post(url, {}, format="json"), 404)
    assert_status(api_client(personas.landlord).post(url, {}, format="json"), 403)
    assert_status(api_client(personas.fire_officer).post(url, {}, format="json"), 403)
    assert AlertCase.objects.get(pk=case.pk).state == CaseState.OPEN


def test_a_stale_version_is_409_and_a_missing_outcome_400(monitoring_scene, personas):
    case = monitoring_scene.case_a
    url = f"{API}/alert-cases/{case.pk}/"
    assert_status(
        api_client(personas.grid_worker).post(url + "acknowledge/", {"version": 1}, format="json"), 200
    )
    response = api_client(personas.community_officer).post(
        url + "acknowledge/", {"version": 1}, format="json"
    )
    assert_status(response, 409)
    response = api_client(personas.community_officer).post(
        url + "close/", {"note": "x", "version": 2}, format="json"
    )
    assert_status(response, 400)
    assert "outcome" in response.data


def test_device_events_are_listed_newest_first(monitoring_scene, personas):
    from django.utils import timezone

    device = monitoring_scene.device_a
    now = timezone.now()
    device.events.create(kind="heartbeat", ts=now, received_at=now, seq=1)
    device.events.create(kind="alarm", ts=now + timezone.timedelta(seconds=5), received_at=now, seq=2)
    response = api_client(personas.grid_worker).get(f"{API}/devices/{device.pk}/events/")
    assert_status(response, 200)
    assert [r["seq"] for r in response.data["results"]] == [2, 1]
    assert_status(api_client(personas.outsider).get(f"{API}/devices/{device.pk}/events/"), 404)


def test_an_id_filter_out_of_range_is_refused_by_name_not_a_server_error(monitoring_scene, personas):
    """Found by the API fuzzing: premises=-1.85e149 reached SQLite as an integer (OverflowError, a 500)."""
    client = api_client(personas.grid_worker)
    response = client.get(f"{API}/alert-cases/", {"premises": "-1.8503765537733868e+149", "device": "0.5"})
    assert_status(response, 400)
    assert set(response.data) == {"premises", "device"}
    response = client.get(f"{API}/alert-cases/", {"premises": str(2**63)})
    assert_status(response, 400)
    found = client.get(f"{API}/alert-cases/", {"premises": monitoring_scene.d.premises_a.pk})
    assert [row["id"] for row in found.data["results"]] == [monitoring_scene.case_a.pk]
