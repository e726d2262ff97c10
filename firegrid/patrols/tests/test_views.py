"""Patrol pages: who gets what (anonymous → sign-in, outsider 404, no right 403, allowed), the phone flow
(start, scan by typed number, a finding with a photo, finish), the building plate's URL, teams, the
supervisors' review of flags, printable plates, and the weekly coverage figures whose lists count the same."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firegrid import testing as t
from firegrid.conftest import PORTAL, assert_status
from firegrid.patrols.choices import FindingKind, FlagStatus, PatrolStatus, TeamKind
from firegrid.patrols.models import FabricationFlag, Patrol, PatrolFinding, PatrolScan, PatrolTeam

from .scene import jpeg, make_finding, make_flag, make_patrol, make_scan, picture

pytestmark = pytest.mark.django_db


def test_the_patrol_list_by_role(patrol_scene, personas, login, client):
    s = patrol_scene
    assert client.get("/patrols/").status_code == 302
    response = login(personas.grid_worker).get("/patrols/")
    assert_status(response, 200)
    shown = {obj.pk for obj, *_ in response.context["rows"]}
    assert shown == {s.patrol.pk, s.volunteer_patrol.pk}
    assert_status(login(personas.liaison).get("/patrols/"), 403)
    export = login(personas.community_officer).get("/patrols/", {"export": "xlsx"})
    assert_status(export, 200)
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_patrol_list_costs_the_same_queries_however_many_patrols(patrol_scene, personas, login):
    s = patrol_scene

    def measure() -> int:
        client = login(personas.grid_worker)
        with CaptureQueriesContext(connection) as queries:
            assert_status(client.get("/patrols/"), 200)
        return len(queries)

    few = measure()
    for _ in range(5):
        make_patrol(s.workers, [s.d.building_a, s.building_a1])
    assert measure() == few


def test_a_patrol_page_is_404_outside_the_scope(patrol_scene, personas, login):
    s = patrol_scene
    assert_status(login(personas.outsider).get(f"/patrols/{s.patrol.pk}/"), 404)
    page = login(personas.community_officer).get(f"/patrols/{s.patrol.pk}/")
    assert_status(page, 200)
    assert s.d.building_a.address in page.content.decode()


def test_planning_a_patrol_from_the_page(patrol_scene, personas, login):
    s = patrol_scene
    assert_status(login(personas.landlord).get("/patrols/new/"), PORTAL)
    client = login(personas.grid_worker)
    assert_status(client.get("/patrols/new/"), 200)
    form = {
        "team": s.workers.pk,
        "kind": "night",
        "window_start": "2030-05-01T19:00",
        "window_end": "2030-05-01T23:00",
        "route": "chosen",
    }
    loaded = client.post("/patrols/new/", {**form, "action": "load"})
    assert_status(loaded, 200)
    assert f'value="{s.building_a1.pk}"' in loaded.content.decode()
    missing = client.post("/patrols/new/", form)
    assert_status(missing, 200)
    assert "buildings" in missing.context["form"].errors
    response = client.post("/patrols/new/", {**form, "buildings": [s.building_a1.pk]})
    assert response.status_code == 302
    patrol = Patrol.objects.get(pk=int(re.search(r"/patrols/(\d+)/", response["Location"]).group(1)))
    assert [stop.building for stop in patrol.stops.all()] == [s.building_a1]
    assert (patrol.kind, patrol.status, patrol.created_by) == (
        "night",
        PatrolStatus.PLANNED,
        personas.grid_worker,
    )


def test_the_phone_flow_start_scan_find_and_finish(patrol_scene, personas, login):
    s = patrol_scene
    patrol = make_patrol(s.workers, [s.d.building_a, s.building_a1], status=PatrolStatus.PLANNED)
    client = login(personas.grid_worker)
    run = f"/patrols/{patrol.pk}/run/"
    assert "扫码打卡" not in client.get(run).content.decode()  # not started yet
    started = client.post(f"/patrols/{patrol.pk}/move/start/", {"version": 1, "next": run})
    assert started["Location"] == run
    page = client.get(run)
    assert_status(page, 200)
    assert "扫码打卡" in page.content.decode() and page.context["done"] == 0
    key = str(uuid.uuid4())
    scanned = client.post(
        run, {"code": str(s.building_a1.pk), "client_uuid": key, "latitude": "", "longitude": ""}
    )
    assert scanned["Location"] == f"{run}?b={s.building_a1.pk}"
    client.post(run, {"code": str(s.building_a1.pk), "client_uuid": key})  # a second tap
    assert PatrolScan.objects.filter(patrol=patrol).count() == 1
    assert client.get(run).context["done"] == 1
    assert_status(client.post(run, {"code": str(s.d.building_b.pk), "client_uuid": str(uuid.uuid4())}), 404)
    new = f"/patrols/{patrol.pk}/findings/new/"
    assert_status(client.get(new, {"building": s.d.building_b.pk}), 404)
    assert_status(client.get(new, {"building": s.d.building_a.pk}), 200)
    invalid = client.post(
        new, {"building": s.d.building_a.pk, "client_uuid": str(uuid.uuid4()), "kind": "hazard", "note": ""}
    )
    assert_status(invalid, 400)
    photo = SimpleUploadedFile("p.jpg", jpeg(picture(7)), content_type="image/jpeg")
    saved = client.post(
        new,
        {
            "building": s.d.building_a.pk,
            "premises": s.d.premises_a.pk,
            "client_uuid": str(uuid.uuid4()),
            "kind": FindingKind.HAZARD,
            "note": "卧室私拉电线给电动车充电",
            "photo": photo,
        },
    )
    finding = PatrolFinding.objects.get(patrol=patrol)
    assert saved["Location"] == f"/patrols/findings/{finding.pk}/"  # where the inspection starts
    detail = client.get(saved["Location"])
    assert 'action="/inspections/start/"' in detail.content.decode()
    assert detail.context["start"]["premises"] == s.d.premises_a.pk and finding.photos.count() == 1
    finished = client.post(f"/patrols/{patrol.pk}/move/finish/", {"version": 2, "next": run})
    assert finished["Location"] == run
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.FINISHED


def test_the_building_plate_records_a_scan_during_a_patrol_and_otherwise_shows_the_building(
    patrol_scene, personas, login, client
):
    s = patrol_scene
    plate = f"/patrols/b/{s.building_a1.pk}/"
    anonymous = client.get(plate)
    assert_status(anonymous, 200)
    assert "/portal/login/" in anonymous.content.decode()
    worker = login(personas.grid_worker)
    page = worker.get(plate)
    assert page.context["patrol"] == s.patrol and "data-auto-submit" in page.content.decode()
    response = worker.post(
        plate,
        {"patrol": s.patrol.pk, "client_uuid": str(uuid.uuid4()), "latitude": "28.97", "longitude": "118.87"},
    )
    assert response.status_code == 302
    scan = PatrolScan.objects.get()
    assert (scan.building, scan.source, str(scan.latitude)) == (s.building_a1, "building_qr", "28.970000")
    assert_status(worker.post(f"/patrols/b/{s.d.building_b.pk}/", {"patrol": s.patrol.pk}), 404)
    officer = login(personas.community_officer)  # on no team: the building and its premises
    shown = officer.get(f"/patrols/b/{s.d.building_a.pk}/")
    assert_status(shown, 200)
    assert [p.pk for p in shown.context["premises"]] == [s.d.shop_a.pk, s.d.premises_a.pk]  # by door label
    assert_status(login(personas.outsider).get(f"/patrols/b/{s.d.building_a.pk}/"), 404)
    landlord = login(personas.landlord).get(plate)
    assert landlord["Location"] == f"/portal/patrols/b/{s.building_a1.pk}/"


def test_teams_are_made_on_their_page(district, personas, login):
    client = login(personas.grid_worker)
    assert_status(client.get("/patrols/teams/new/"), 200)
    response = client.post(
        "/patrols/teams/new/",
        {
            "name": "樟树潭房东巡查队",
            "kind": TeamKind.LANDLORDS,
            "area": district.grid_a.pk,
            "members": [personas.landlord.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302
    team = PatrolTeam.objects.get()
    assert list(team.members.all()) == [personas.landlord]
    page = client.get(f"/patrols/teams/{team.pk}/")
    assert_status(page, 200)
    assert_status(login(personas.outsider).get(f"/patrols/teams/{team.pk}/"), 404)
    assert_status(login(personas.landlord).get("/patrols/teams/new/"), PORTAL)
    listed = client.get("/patrols/teams/")
    assert [row[0].member_count for row in listed.context["rows"]] == [1]
    edited = client.post(
        f"/patrols/teams/{team.pk}/edit/",
        {
            "name": "樟树潭夜巡队",
            "kind": TeamKind.LANDLORDS,
            "area": district.grid_a.pk,
            "members": [personas.landlord.pk],
            "leader": personas.landlord.pk,
            "active": "on",
            "version": 1,
        },
    )
    assert edited.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.leader, team.version) == ("樟树潭夜巡队", personas.landlord, 2)
    stale = client.post(
        f"/patrols/teams/{team.pk}/edit/",
        {
            "name": "又改",
            "kind": TeamKind.LANDLORDS,
            "area": district.grid_a.pk,
            "members": [personas.grid_worker.pk],
            "active": "on",
            "version": 2,
        },
    )
    assert_status(stale, 200)
    assert "members" in stale.context["form"].errors  # a grid worker is no landlord volunteer


def test_a_finding_is_closed_on_its_page(patrol_scene, personas, login):
    s = patrol_scene
    finding = make_finding(s.volunteer_patrol, s.d.building_a, personas.landlord)
    url = f"/patrols/findings/{finding.pk}/"
    assert_status(login(personas.outsider).get(url), 404)
    client = login(personas.grid_worker)
    assert client.get(url).context["close_form"] is not None
    client.post(f"{url}close/", {"version": 1, "close_note": "已清理"})
    finding.refresh_from_db()
    assert (finding.status, finding.close_note) == ("closed", "已清理")


def test_flags_are_reviewed_by_supervisors_on_their_page(patrol_scene, personas, login):
    s = patrol_scene
    flag = make_flag(
        s.d.grid_a, personas.grid_worker, scan=make_scan(s.patrol, s.d.building_a, personas.grid_worker)
    )
    assert_status(login(personas.grid_worker).get("/patrols/flags/"), 403)
    # A role that sees no flags at all finds none to open (the base views look up through visible_to).
    assert_status(login(personas.grid_worker).get(f"/patrols/flags/{flag.pk}/"), 404)
    assert_status(login(personas.outsider).get("/patrols/flags/"), 403)
    client = login(personas.community_officer)
    listed = client.get("/patrols/flags/", {"status": "open"})
    assert [row[0].pk for row in listed.context["rows"]] == [flag.pk]
    page = client.get(f"/patrols/flags/{flag.pk}/")
    assert page.context["review_form"] is not None
    assert f"/patrols/scans/{flag.scan_id}/" in page.content.decode()
    client.post(
        f"/patrols/flags/{flag.pk}/review/", {"version": 1, "decision": "cleared", "review_note": "定位漂移"}
    )
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by) == (FlagStatus.CLEARED, personas.community_officer)


def test_plates_print_for_a_grid_and_the_qr_names_the_building_url(patrol_scene, personas, login, settings):
    settings.FIREGRID_SITE_URL = "https://firegrid.example.gov.cn"
    s = patrol_scene
    client = login(personas.grid_worker)
    sheet = client.get("/patrols/plates/", {"area": s.d.grid_a.pk, "size": "a4"})
    assert_status(sheet, 200)
    html = sheet.content.decode()
    assert html.count("<svg") == 2 and f"建筑编号 {s.building_a1.pk}" in html
    assert "<script" not in html and "style=" not in html
    assert_status(client.get("/patrols/plates/", {"area": s.d.grid_b.pk}), 404)
    assert_status(login(personas.landlord).get("/patrols/plates/"), PORTAL)
    svg = client.get(f"/patrols/b/{s.building_a1.pk}.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert_status(login(personas.outsider).get(f"/patrols/b/{s.building_a1.pk}.svg"), 404)


def test_my_patrols_lists_the_users_teams_patrols(patrol_scene, personas, login):
    s = patrol_scene
    page = login(personas.grid_worker).get("/patrols/mine/")
    assert [p.pk for p in page.context["running"]] == [s.patrol.pk]
    assert login(personas.landlord).get("/patrols/mine/")["Location"] == "/portal/patrols/"
    finding = login(personas.landlord).get(
        f"/patrols/{s.volunteer_patrol.pk}/findings/new/?building={s.d.building_a.pk}"
    )
    assert (
        finding["Location"]
        == f"/portal/patrols/{s.volunteer_patrol.pk}/findings/new/?building={s.d.building_a.pk}"
    )


def test_every_coverage_figure_links_to_a_list_with_the_same_count(patrol_scene, personas, login):
    s = patrol_scene
    extra = t.make_building(s.d.grid_a2, "樟树潭二网格1号")
    make_scan(s.patrol, s.d.building_a, personas.grid_worker)
    make_scan(s.patrol, s.d.building_a, personas.grid_worker)
    make_scan(s.patrol_b, s.d.building_b, personas.outsider)
    confirmed = make_scan(s.volunteer_patrol, s.building_a1, personas.landlord)
    make_flag(s.d.grid_a, personas.landlord, scan=confirmed)
    FabricationFlag.objects.filter(scan=confirmed).update(
        status=FlagStatus.CONFIRMED
    )  # a fake scan does not count
    make_flag(s.d.grid_a, personas.grid_worker)
    make_finding(s.patrol, s.d.building_a, personas.grid_worker)
    make_finding(s.patrol_b, s.d.building_b, personas.outsider)
    assert extra
    for persona in ("community_officer", "commander", "grid_worker"):
        client = login(getattr(personas, persona))
        page = client.get("/patrols/coverage/")
        assert_status(page, 200)
        rows = page.context["rows"]
        assert rows
        for row in rows:
            for key, url in row.links.items():
                if key == "flags_open" and not page.context["show_flags"]:
                    continue
                listed = client.get(url)
                assert_status(listed, 200)
                assert listed.context["paginator"].count == row.figures[key], (persona, row.area.name, key)
    first = login(personas.community_officer).get("/patrols/coverage/").context["rows"][0]
    assert (first.figures["buildings"], first.figures["patrolled"], first.figures["scans"]) == (3, 1, 3)
    assert (first.figures["findings_open"], first.figures["flags_open"]) == (1, 1)
    assert_status(login(personas.landlord).get("/patrols/coverage/"), PORTAL)
