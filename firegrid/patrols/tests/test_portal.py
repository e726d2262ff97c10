"""房东自治巡查队 in the portal (firegrid/portal/patrols.py): a landlord volunteer's patrols, the phone page
under the portal's frame, scans and findings (followed up in the grid worker's work queue), and the
staff URLs sending landlords to the portal's."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import work_queue
from firegrid.patrols.choices import PatrolStatus
from firegrid.patrols.models import PatrolFinding, PatrolScan

from .scene import make_patrol

pytestmark = pytest.mark.django_db


def test_a_volunteer_sees_their_teams_patrols_only(patrol_scene, personas, login):
    s = patrol_scene
    client = login(personas.landlord)
    page = client.get("/portal/patrols/")
    assert_status(page, 200)
    assert [p.pk for p in page.context["running"]] == [s.volunteer_patrol.pk]
    assert "房东服务" in page.content.decode()  # the portal's frame
    assert_status(client.get(f"/portal/patrols/{s.volunteer_patrol.pk}/"), 200)
    assert_status(client.get(f"/portal/patrols/{s.patrol.pk}/"), 404)  # the grid workers' team
    assert_status(client.get(f"/portal/patrols/{s.patrol_b.pk}/"), 404)
    assert_status(login(personas.grid_worker).get("/portal/patrols/"), 403)
    other = t.make_user("qian", Role.LANDLORD, landlord=t.make_landlord("钱多", area=s.d.grid_a))
    assert login(other).get("/portal/patrols/").context["running"] == []
    assert_status(login(other).get(f"/portal/patrols/{s.volunteer_patrol.pk}/"), 404)


def test_a_volunteer_scans_and_notes_a_finding_a_grid_worker_follows_up(
    patrol_scene, personas, login, checklist
):
    s = patrol_scene
    client = login(personas.landlord)
    run = f"/portal/patrols/{s.volunteer_patrol.pk}/"
    scanned = client.post(run, {"code": str(s.d.building_a.pk), "client_uuid": str(uuid.uuid4())})
    assert scanned["Location"] == f"{run}?b={s.d.building_a.pk}"
    assert_status(client.post(run, {"code": str(s.d.building_b.pk), "client_uuid": str(uuid.uuid4())}), 404)
    assert PatrolScan.objects.get().scanned_by == personas.landlord
    form = client.get(
        f"/portal/patrols/{s.volunteer_patrol.pk}/findings/new/", {"building": s.d.building_a.pk}
    )
    labels = [label for _value, label in form.context["form"].fields["premises"].choices]
    assert "1楼店面" in labels and not any("张建国" in str(label) for label in labels)  # door labels only
    saved = client.post(
        f"/portal/patrols/{s.volunteer_patrol.pk}/findings/new/",
        {
            "building": s.d.building_a.pk,
            "premises": s.d.shop_a.pk,
            "kind": "hazard",
            "note": "店面门口堆放纸箱",
            "client_uuid": str(uuid.uuid4()),
        },
    )
    assert saved["Location"] == f"{run}?b={s.d.building_a.pk}"
    finding = PatrolFinding.objects.get()
    queue = work_queue(personas.grid_worker, today=timezone.localdate())
    item = next(i for i in queue.items if i.premises.pk == s.d.shop_a.pk)
    assert item.kind == QueueKind.PATROL_FINDING and "店面门口堆放纸箱" in item.reason
    assert item.inspection_kind == "patrol"
    finished = client.post(
        f"/portal/patrols/{s.volunteer_patrol.pk}/move/finish/",
        {"version": s.volunteer_patrol.version, "next": run},
    )
    assert finished["Location"] == run
    s.volunteer_patrol.refresh_from_db()
    assert s.volunteer_patrol.status == PatrolStatus.FINISHED
    assert finding.status == "open"


def test_the_plate_and_staff_pages_send_a_landlord_to_the_portal(patrol_scene, personas, login):
    s = patrol_scene
    client = login(personas.landlord)
    assert (
        client.get(f"/patrols/{s.volunteer_patrol.pk}/run/")["Location"]
        == f"/portal/patrols/{s.volunteer_patrol.pk}/"
    )
    page = client.get(f"/portal/patrols/b/{s.building_a1.pk}/")
    assert_status(page, 200)
    assert page.context["patrol"] == s.volunteer_patrol and page.context["on_route"] is False
    response = client.post(
        f"/portal/patrols/b/{s.building_a1.pk}/",
        {"patrol": s.volunteer_patrol.pk, "client_uuid": str(uuid.uuid4())},
    )
    assert response["Location"] == f"/portal/patrols/{s.volunteer_patrol.pk}/?b={s.building_a1.pk}"
    assert PatrolScan.objects.get().on_route is False
    assert_status(client.get(f"/portal/patrols/b/{s.d.building_b.pk}/"), 404)


def test_the_portal_home_offers_patrols_to_team_members(patrol_scene, personas, login):
    s = patrol_scene
    home = login(personas.landlord).get("/portal/").content.decode()
    assert "/portal/patrols/" in home and "志愿巡查" in home
    make_patrol(s.volunteers, [s.d.building_a], status=PatrolStatus.PLANNED)
    other = t.make_user("qian", Role.LANDLORD, landlord=t.make_landlord("钱多", area=s.d.grid_a))
    assert "志愿巡查" not in login(other).get("/portal/").content.decode()
