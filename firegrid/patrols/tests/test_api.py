"""API of patrols: a scope walk for every endpoint (anonymous 401 → outsider 404 → a role without the
right 403 → allowed, audited; list query counts), and the actions: plan, start / finish / cancel (409 on
a stale version), scan (replay 200, off the route 201 and flagged, out of scope 404), findings (replay,
photo, close) and the review of a flag."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, CREATE, ApiScopeMatrix, api_client
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.conftest import assert_status
from firegrid.patrols.choices import FlagKind, PatrolStatus, TeamKind
from firegrid.patrols.models import FabricationFlag, Patrol, PatrolFinding, PatrolScan, PatrolTeam

from .scene import jpeg, make_finding, make_flag, make_patrol, make_scan, make_team, picture

pytestmark = pytest.mark.django_db


def worker(district, name: str = "wanggy") -> User:
    """A persona's user when the walk step has the personas, else one made like it (the anonymous step
    builds the scene from `district` alone)."""
    found = User.objects.filter(username=name).first()
    grid = district.grid_a if name == "wanggy" else district.grid_b
    return found or t.make_user(name, Role.GRID_WORKER, [grid])


def grid_a_team(district) -> PatrolTeam:
    team = PatrolTeam.objects.filter(name="樟树潭巡查组").first()
    return team or make_team(district.grid_a, [worker(district)], name="樟树潭巡查组")


def grid_a_patrol(district) -> Patrol:
    patrol = Patrol.objects.filter(team__name="樟树潭巡查组").first()
    return patrol or make_patrol(grid_a_team(district), [district.building_a], created_by=worker(district))


class TestPatrolTeamApi(ApiScopeMatrix):
    prefix = "patrol-teams"
    forbidden = "liaison"

    def target(self, district):
        return grid_a_team(district)

    def create_payload(self, district):
        return {
            "name": "新巡查队",
            "kind": TeamKind.GRID_WORKERS,
            "area": district.grid_a.pk,
            "members": [worker(district).pk],
        }

    def change_payload(self, district):
        return {"name": "樟树潭夜巡组"}

    def add_rows(self, district, n):
        for i in range(n):
            make_team(district.grid_a, [worker(district)], name=f"第{i}组")


class TestPatrolApi(ApiScopeMatrix):
    prefix = "patrols"
    writes = frozenset({CREATE})
    non_deleter = deleter = None
    forbidden = "liaison"

    def target(self, district):
        return grid_a_patrol(district)

    def create_payload(self, district):
        start = timezone.now()
        return {
            "team": grid_a_team(district).pk,
            "kind": "night",
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=3)).isoformat(),
            "buildings": [district.building_a.pk],
        }

    def add_rows(self, district, n):
        for _ in range(n):
            make_patrol(grid_a_team(district), [district.building_a], created_by=worker(district))


class TestPatrolScanApi(ApiScopeMatrix):
    prefix = "patrol-scans"
    writes = frozenset()
    writer = non_deleter = deleter = None
    forbidden = "liaison"

    def target(self, district):
        return PatrolScan.objects.first() or make_scan(
            grid_a_patrol(district), district.building_a, worker(district)
        )

    def add_rows(self, district, n):
        for _ in range(n):
            make_scan(grid_a_patrol(district), district.building_a, worker(district))


class TestPatrolFindingApi(ApiScopeMatrix):
    prefix = "patrol-findings"
    writes = frozenset({CREATE})
    non_deleter = deleter = None
    forbidden = "liaison"

    def target(self, district):
        return PatrolFinding.objects.first() or make_finding(
            grid_a_patrol(district), district.building_a, worker(district)
        )

    def create_payload(self, district):
        return {
            "patrol": grid_a_patrol(district).pk,
            "building": district.building_a.pk,
            "kind": "hazard",
            "note": "楼道内电动车充电",
            "client_uuid": str(uuid.uuid4()),
        }

    def add_rows(self, district, n):
        for _ in range(n):
            make_finding(grid_a_patrol(district), district.building_a, worker(district))


class TestFabricationFlagApi(ApiScopeMatrix):
    """Flags are for supervisors: the target is grid B's, which the community officer of C1 does not see;
    a grid worker (a peer) may not see flags at all."""

    prefix = "fabrication-flags"
    writes = frozenset()
    writer = non_deleter = deleter = None
    outsider = "community_officer"
    reader = "commander"
    forbidden = "grid_worker"
    lister = "commander"

    def target(self, district):
        return FabricationFlag.objects.filter(grid=district.grid_b).first() or make_flag(
            district.grid_b, worker(district, "outsider")
        )

    def add_rows(self, district, n):
        for _ in range(n):
            make_flag(district.grid_a, worker(district))


# --- actions --------------------------------------------------------------------------------------------


def url(patrol, action):
    return f"{API}/patrols/{patrol.pk}/{action}/"


def test_a_scan_replay_answers_the_first_and_an_off_route_scan_is_flagged_not_refused(patrol_scene, personas):
    s = patrol_scene
    client = api_client(personas.grid_worker)
    body = {
        "building": s.d.building_a.pk,
        "client_uuid": str(uuid.uuid4()),
        "latitude": "28.97",
        "longitude": "118.87",
    }
    first = client.post(url(s.patrol, "scan"), body, format="json")
    assert_status(first, 201)
    assert (first.data["on_route"], first.data["latitude"]) == (True, "28.970000")
    again = client.post(url(s.patrol, "scan"), body, format="json")
    assert_status(again, 200)
    assert again.data["id"] == first.data["id"] and PatrolScan.objects.count() == 1
    off = t.make_building(s.d.grid_a, "樟树潭村88号")
    response = client.post(
        url(s.patrol, "scan"), {"building": off.pk, "client_uuid": str(uuid.uuid4())}, format="json"
    )
    assert_status(response, 201)
    assert response.data["on_route"] is False
    assert FabricationFlag.objects.get().kind == FlagKind.OFF_ROUTE


def test_a_scan_by_code_counts_a_premises_door_code_for_its_building(patrol_scene, personas):
    s = patrol_scene
    code = f"https://firegrid.example.gov.cn/inspections/scan/{s.d.shop_a.pk}/"
    response = api_client(personas.grid_worker).post(
        url(s.patrol, "scan"), {"code": code, "client_uuid": str(uuid.uuid4())}, format="json"
    )
    assert_status(response, 201)
    assert (response.data["building"], response.data["premises"], response.data["source"]) == (
        s.d.building_a.pk,
        s.d.shop_a.pk,
        "premises_qr",
    )
    bad = api_client(personas.grid_worker).post(
        url(s.patrol, "scan"), {"code": "hello", "client_uuid": str(uuid.uuid4())}, format="json"
    )
    assert_status(bad, 400)
    assert set(bad.data) == {"code"}


def test_scans_out_of_scope_off_the_team_or_on_another_patrol(patrol_scene, personas):
    s = patrol_scene
    body = {"building": s.d.building_b.pk, "client_uuid": str(uuid.uuid4())}
    assert_status(api_client(personas.grid_worker).post(url(s.patrol, "scan"), body, format="json"), 404)
    body = {"building": s.d.building_a.pk, "client_uuid": str(uuid.uuid4())}
    assert_status(
        api_client(personas.community_officer).post(url(s.patrol, "scan"), body, format="json"), 403
    )
    assert_status(api_client(personas.outsider).post(url(s.patrol, "scan"), body, format="json"), 404)
    assert_status(api_client(personas.landlord).post(url(s.patrol, "scan"), body, format="json"), 404)
    assert_status(
        api_client(personas.landlord).post(url(s.volunteer_patrol, "scan"), body, format="json"), 201
    )
    assert PatrolScan.objects.count() == 1


def test_moves_take_the_version_read(patrol_scene, personas):
    s = patrol_scene
    planned = make_patrol(s.workers, [s.d.building_a], status=PatrolStatus.PLANNED)
    client = api_client(personas.grid_worker)
    assert_status(client.post(url(planned, "start"), {"version": 7}, format="json"), 409)
    started = client.post(url(planned, "start"), {"version": 1}, format="json")
    assert_status(started, 200)
    assert (started.data["status"], started.data["version"]) == ("in_progress", 2)
    assert_status(client.post(url(planned, "start"), {}, format="json"), 400)
    assert_status(api_client(personas.fire_officer).post(url(planned, "finish"), {}, format="json"), 403)
    finished = client.post(url(planned, "finish"), {"version": 2}, format="json")
    assert_status(finished, 200)
    assert finished.data["status"] == "finished"
    other = make_patrol(s.workers, [s.d.building_a], status=PatrolStatus.PLANNED)
    response = client.post(url(other, "cancel"), {}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"reason"}
    assert_status(
        api_client(personas.landlord).post(url(s.volunteer_patrol, "finish"), {}, format="json"), 200
    )


def test_a_patrol_planned_with_an_automatic_route(patrol_scene, personas):
    s = patrol_scene
    start = timezone.now()
    response = api_client(personas.grid_worker).post(
        f"{API}/patrols/",
        {
            "team": s.workers.pk,
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=2)).isoformat(),
            "auto_route": "all",
        },
        format="json",
    )
    assert_status(response, 201)
    assert {stop["building"] for stop in response.data["route"]} == {s.d.building_a.pk, s.building_a1.pk}
    missing = api_client(personas.grid_worker).post(f"{API}/patrols/", {"team": s.workers.pk}, format="json")
    assert_status(missing, 400)


def test_findings_replay_carry_a_photo_and_close(patrol_scene, personas, checklist):
    s = patrol_scene
    client = api_client(personas.landlord)
    body = {
        "patrol": s.volunteer_patrol.pk,
        "building": s.d.building_a.pk,
        "premises": s.d.premises_a.pk,
        "kind": "hazard",
        "note": "二楼楼道电动车",
        "client_uuid": str(uuid.uuid4()),
        "photo": SimpleUploadedFile("a.jpg", jpeg(picture(5)), content_type="image/jpeg"),
    }
    first = client.post(f"{API}/patrol-findings/", body, format="multipart")
    assert_status(first, 201)
    assert len(first.data["photos"]) == 1
    photo_url = first.data["photos"][0]["thumbnail"]
    assert_status(client.get(photo_url), 200)
    api_photo = f"{API}/patrol-findings/{first.data['id']}/photos/{first.data['photos'][0]['id']}/image/"
    assert_status(client.get(api_photo), 200)
    assert_status(api_client(personas.outsider).get(api_photo), 404)
    body["photo"] = SimpleUploadedFile("a.jpg", jpeg(picture(5)), content_type="image/jpeg")
    assert_status(client.post(f"{API}/patrol-findings/", body, format="multipart"), 200)
    assert PatrolFinding.objects.count() == 1
    bad = client.post(
        f"{API}/patrol-findings/",
        {
            **body,
            "client_uuid": str(uuid.uuid4()),
            "photo": SimpleUploadedFile("x.jpg", b"<svg/>", content_type="image/jpeg"),
        },
        format="multipart",
    )
    assert_status(bad, 400)
    assert set(bad.data) == {"photo"}
    close = f"{API}/patrol-findings/{first.data['id']}/close/"
    assert_status(client.post(close, {"close_note": "已处理"}, format="json"), 403)
    closed = api_client(personas.grid_worker).post(
        close, {"close_note": "已现场核实", "version": 1}, format="json"
    )
    assert_status(closed, 200)
    assert closed.data["status"] == "closed"


def test_a_finding_for_a_building_out_of_scope_is_404(patrol_scene, personas):
    s = patrol_scene
    body = {
        "patrol": s.patrol.pk,
        "building": s.d.building_b.pk,
        "note": "x",
        "client_uuid": str(uuid.uuid4()),
    }
    assert_status(api_client(personas.grid_worker).post(f"{API}/patrol-findings/", body, format="json"), 404)
    body = {**body, "patrol": s.patrol_b.pk}
    response = api_client(personas.grid_worker).post(f"{API}/patrol-findings/", body, format="json")
    assert_status(response, 400)  # another grid's patrol: not one of the patrols the caller may name
    assert set(response.data) == {"patrol"}


def test_a_supervisor_reviews_a_flag_with_the_version_read(district, personas):
    flag = make_flag(district.grid_a, personas.grid_worker)
    review = f"{API}/fabrication-flags/{flag.pk}/review/"
    body = {"decision": "confirmed", "review_note": "现场核实照片为旧照", "version": 1}
    assert_status(api_client(personas.grid_worker).post(review, body, format="json"), 403)
    assert_status(api_client(personas.fire_officer).post(review, body, format="json"), 403)
    assert_status(
        api_client(personas.community_officer).post(review, {**body, "version": 3}, format="json"), 409
    )
    response = api_client(personas.community_officer).post(review, body, format="json")
    assert_status(response, 200)
    assert (response.data["status"], response.data["reviewed_by_name"]) == (
        "confirmed",
        str(personas.community_officer),
    )
    assert_status(
        api_client(personas.subdistrict_officer).post(review, {**body, "version": 2}, format="json"), 400
    )
