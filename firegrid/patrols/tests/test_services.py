"""Patrol services: teams, planning, moves, scans (the bad inputs kept as tests: a scan off the route is
recorded and flagged, not refused; a replayed scan is one; a scan outside the window is flagged; a
building out of scope is refused), findings and the review of a flag."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.services import ConcurrentEditError
from firegrid.patrols import services
from firegrid.patrols.choices import (
    FindingKind,
    FindingStatus,
    FlagKind,
    FlagStatus,
    PatrolKind,
    PatrolStatus,
    TeamKind,
)
from firegrid.patrols.models import FabricationFlag, PatrolFinding, PatrolScan, PatrolTeam
from firegrid.patrols.signals import patrol_completed
from firegrid.rectification.testing import inspect

from .scene import make_flag, make_patrol, make_scan

pytestmark = pytest.mark.django_db


def scan(patrol, building, user, **kw):
    return services.record_scan(
        patrol, building, actor=user, client_uuid=kw.pop("client_uuid", uuid.uuid4()), **kw
    )


# --- teams ---------------------------------------------------------------------------------------------


def test_a_grid_worker_makes_a_landlord_volunteer_team_of_their_grid(district, personas):
    team = services.create_team(
        name="樟树潭房东巡查队",
        kind=TeamKind.LANDLORDS,
        area=district.grid_a,
        members=[personas.landlord],
        leader=personas.landlord,
        actor=personas.grid_worker,
    )
    assert list(team.members.all()) == [personas.landlord]
    entry = AuditEntry.objects.for_object(team).get()
    assert (entry.action, entry.after["members"]) == (AuditAction.CREATE, [personas.landlord.pk])


def test_team_members_must_fit_the_area_and_kind(district, personas):
    with pytest.raises(ValidationError) as exc:
        services.create_team(
            name="错队",
            kind=TeamKind.GRID_WORKERS,
            area=district.grid_a,
            members=[personas.outsider],
            actor=personas.community_officer,
        )
    assert set(exc.value.message_dict) == {"members"}
    with pytest.raises(ValidationError) as exc:
        services.create_team(
            name="错队",
            kind=TeamKind.LANDLORDS,
            area=district.grid_a,
            members=[personas.grid_worker],
            leader=personas.outsider,
            actor=personas.community_officer,
        )
    assert set(exc.value.message_dict) == {"members", "leader"}
    assert not PatrolTeam.objects.exists()


def test_a_team_in_another_grid_is_refused_and_a_landlord_may_not_make_one(district, personas):
    with pytest.raises(ValidationError) as exc:
        services.create_team(
            name="外队",
            kind=TeamKind.GRID_WORKERS,
            area=district.grid_b,
            members=[],
            actor=personas.grid_worker,
        )
    assert set(exc.value.message_dict) == {"area"}
    with pytest.raises(PermissionDenied):
        services.create_team(
            name="房东队", kind=TeamKind.LANDLORDS, area=district.grid_a, members=[], actor=personas.landlord
        )


def test_a_team_changes_with_the_version_read(patrol_scene, personas):
    team = patrol_scene.workers
    services.update_team(team, {"name": "一网格夜巡组"}, actor=personas.community_officer, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.update_team(team, {"name": "又改"}, actor=personas.community_officer, expected_version=1)
    with pytest.raises(PermissionDenied):  # out of scope
        services.update_team(
            patrol_scene.team_b, {"name": "x"}, actor=personas.grid_worker, expected_version=1
        )


# --- planning and moves ---------------------------------------------------------------------------------


def window(hours=4):
    start = timezone.now() - dt.timedelta(minutes=10)
    return {"window_start": start, "window_end": start + dt.timedelta(hours=hours)}


def test_planning_keeps_the_route_order_and_refuses_buildings_outside_the_area(patrol_scene, personas):
    s = patrol_scene
    patrol = services.plan_patrol(
        team=s.workers,
        kind=PatrolKind.NIGHT,
        buildings=[s.building_a1, s.d.building_a],
        actor=personas.grid_worker,
        **window(),
    )
    assert [stop.building for stop in patrol.stops.order_by("position")] == [s.building_a1, s.d.building_a]
    assert patrol.status == PatrolStatus.PLANNED
    with pytest.raises(ValidationError) as exc:
        services.plan_patrol(
            team=s.workers,
            kind=PatrolKind.DAY,
            buildings=[s.d.building_b],
            actor=personas.community_officer,
            **window(),
        )
    assert set(exc.value.message_dict) == {"buildings"}
    with pytest.raises(ValidationError) as exc:
        services.plan_patrol(
            team=s.workers,
            kind=PatrolKind.DAY,
            buildings=[s.d.building_a],
            actor=personas.grid_worker,
            **window(hours=30),
        )
    assert set(exc.value.message_dict) == {"window_end"}
    with pytest.raises(PermissionDenied):
        services.plan_patrol(
            team=s.volunteers,
            kind=PatrolKind.DAY,
            buildings=[s.d.building_a],
            actor=personas.landlord,
            **window(),
        )


def test_a_route_from_the_area_skips_buildings_patrolled_this_week_and_walks_nearest_first(
    patrol_scene, personas
):
    s = patrol_scene
    far = t.make_building(s.d.grid_a, "樟树潭村99号", latitude="28.980000", longitude="118.880000")
    near = t.make_building(s.d.grid_a, "樟树潭村20号", latitude="28.970100", longitude="118.870100")
    make_scan(s.patrol, s.building_a1, personas.grid_worker)
    route = services.route_from_area(s.d.grid_a, actor=personas.grid_worker, origin=(28.97, 118.87))
    assert route[:2] == [near, far]  # then the buildings without coordinates, by address
    assert s.building_a1 not in route and s.d.building_a in route
    everything = services.route_from_area(s.d.grid_a, actor=personas.grid_worker, unpatrolled_only=False)
    assert s.building_a1 in everything


def test_a_member_starts_and_finishes_and_the_signal_names_who_scanned(patrol_scene, personas):
    s = patrol_scene
    patrol = make_patrol(s.workers, [s.d.building_a], status=PatrolStatus.PLANNED)
    with pytest.raises(PermissionDenied):
        services.start_patrol(patrol, actor=personas.community_officer)  # not on the team
    services.start_patrol(patrol, actor=personas.grid_worker, expected_version=1)
    scan(patrol, s.d.building_a, personas.grid_worker)
    heard = []

    def listener(sender, patrol, participants, actor, **kwargs):
        heard.append((patrol.pk, [u.pk for u in participants], actor.pk))

    patrol_completed.connect(listener)
    try:
        patrol = services.finish_patrol(patrol, actor=personas.grid_worker)
    finally:
        patrol_completed.disconnect(listener)
    assert heard == [(patrol.pk, [personas.grid_worker.pk], personas.grid_worker.pk)]
    assert patrol.status == PatrolStatus.FINISHED and patrol.finished_at is not None
    assert list(patrol.participants.all()) == [personas.grid_worker]
    reasons = list(AuditEntry.objects.for_object(patrol).values_list("reason", flat=True))
    assert reasons == ["结束巡查", "开始巡查"]


def test_illegal_moves_and_stale_versions_are_refused(patrol_scene, personas):
    s = patrol_scene
    with pytest.raises(ValidationError) as exc:
        services.start_patrol(s.patrol, actor=personas.grid_worker)  # already under way
    assert "进行中" in exc.value.message_dict["status"][0]
    with pytest.raises(ConcurrentEditError):
        services.finish_patrol(s.patrol, actor=personas.grid_worker, expected_version=99)
    planned = make_patrol(s.volunteers, [s.d.building_a], status=PatrolStatus.PLANNED)
    with pytest.raises(PermissionDenied):
        services.cancel_patrol(planned, actor=personas.landlord, reason="下雨")
    with pytest.raises(ValidationError):
        services.cancel_patrol(planned, actor=personas.grid_worker, reason="")
    assert (
        services.cancel_patrol(planned, actor=personas.grid_worker, reason="台风").status
        == PatrolStatus.CANCELLED
    )


def test_an_officer_finishes_a_forgotten_patrol_but_a_landlord_outside_the_team_cannot(
    patrol_scene, personas
):
    s = patrol_scene
    other = t.make_user("landlord2", Role.LANDLORD, landlord=t.make_landlord("钱多", area=s.d.grid_a))
    with pytest.raises(PermissionDenied):
        services.finish_patrol(s.volunteer_patrol, actor=other)  # not in their scope either
    assert services.finish_patrol(s.volunteer_patrol, actor=personas.community_officer).status == "finished"


# --- scans ---------------------------------------------------------------------------------------------


def test_a_scan_on_the_route_in_the_window_raises_nothing(patrol_scene, personas):
    s = patrol_scene
    row = scan(s.patrol, s.d.building_a, personas.grid_worker, latitude="28.970000", longitude="118.870000")
    assert (row.on_route, row.in_window, str(row.latitude)) == (True, True, "28.970000")
    assert not FabricationFlag.objects.exists()
    assert list(s.patrol.participants.all()) == [personas.grid_worker]
    assert AuditEntry.objects.for_object(row).get().action == AuditAction.CREATE


def test_a_scan_off_the_route_is_recorded_and_flagged_not_refused(patrol_scene, personas):
    s = patrol_scene
    elsewhere = t.make_building(s.d.grid_a, "樟树潭村77号")
    row = scan(s.patrol, elsewhere, personas.grid_worker)
    assert PatrolScan.objects.filter(pk=row.pk, on_route=False).exists()
    flag = FabricationFlag.objects.get()
    assert (flag.kind, flag.scan, flag.user, flag.grid, flag.status) == (
        FlagKind.OFF_ROUTE,
        row,
        personas.grid_worker,
        s.d.grid_a,
        FlagStatus.OPEN,
    )


def test_a_replayed_scan_is_one_scan(patrol_scene, personas):
    s = patrol_scene
    key = uuid.uuid4()
    first = scan(s.patrol, s.d.building_a, personas.grid_worker, client_uuid=key)
    again = scan(s.patrol, s.d.building_a, personas.grid_worker, client_uuid=str(key))
    assert again.pk == first.pk and PatrolScan.objects.count() == 1
    with pytest.raises(ValidationError) as exc:  # the same id on another patrol is not a replay
        scan(s.patrol_b, s.d.building_b, personas.outsider, client_uuid=key)
    assert set(exc.value.message_dict) == {"client_uuid"}


def test_a_scan_outside_the_window_is_recorded_and_flagged(patrol_scene, personas):
    s = patrol_scene
    late = make_patrol(s.workers, [s.d.building_a], start=timezone.now() - dt.timedelta(hours=6), hours=2)
    row = scan(late, s.d.building_a, personas.grid_worker)
    assert (row.on_route, row.in_window) == (True, False)
    assert FabricationFlag.objects.get().kind == FlagKind.OUTSIDE_WINDOW


def test_a_building_out_of_the_users_scope_is_refused(patrol_scene, personas):
    s = patrol_scene
    with pytest.raises(PermissionDenied):
        scan(s.patrol, s.d.building_b, personas.grid_worker)
    # A landlord volunteer may scan the patrol's area (not only their own buildings), nothing beyond.
    assert scan(s.volunteer_patrol, s.building_a1, personas.landlord).on_route is False
    with pytest.raises(PermissionDenied):
        scan(s.volunteer_patrol, s.d.building_b, personas.landlord)
    assert PatrolScan.objects.count() == 1


def test_only_members_scan_and_only_on_a_patrol_under_way(patrol_scene, personas):
    s = patrol_scene
    with pytest.raises(PermissionDenied):
        scan(s.patrol, s.d.building_a, personas.community_officer)
    with pytest.raises(PermissionDenied):  # the landlord is not on the grid workers' team
        scan(s.patrol, s.d.building_a, personas.landlord)
    planned = make_patrol(s.workers, [s.d.building_a], status=PatrolStatus.PLANNED)
    with pytest.raises(ValidationError):
        scan(planned, s.d.building_a, personas.grid_worker)
    with pytest.raises(ValidationError) as exc:
        scan(
            s.patrol, s.d.building_a, personas.grid_worker, scanned_at=timezone.now() + dt.timedelta(hours=1)
        )
    assert set(exc.value.message_dict) == {"scanned_at"}
    assert not PatrolScan.objects.exists()


def test_a_premises_door_code_counts_for_its_building(patrol_scene, personas):
    s = patrol_scene
    row = scan(s.patrol, s.d.building_a, personas.grid_worker, premises=s.d.shop_a, source="premises_qr")
    assert (row.building, row.premises, row.on_route) == (s.d.building_a, s.d.shop_a, True)
    with pytest.raises(ValidationError):
        scan(s.patrol, s.building_a1, personas.grid_worker, premises=s.d.shop_a)


# --- findings ------------------------------------------------------------------------------------------


def test_a_volunteers_finding_waits_until_an_inspection_covers_its_premises(
    patrol_scene, personas, checklist
):
    s = patrol_scene
    finding = services.add_finding(
        s.volunteer_patrol,
        building=s.d.building_a,
        premises=s.d.premises_a,
        kind=FindingKind.HAZARD,
        note="三楼走廊电动车充电",
        actor=personas.landlord,
        client_uuid=uuid.uuid4(),
    )
    assert finding.status == FindingStatus.OPEN
    inspection = inspect(s.d.premises_a, actor=personas.grid_worker)
    finding.refresh_from_db()
    assert (finding.status, finding.inspection) == (FindingStatus.FOLLOWED_UP, inspection)
    assert finding.version == 2


def test_findings_are_refused_off_a_team_and_without_words(patrol_scene, personas):
    s = patrol_scene
    with pytest.raises(PermissionDenied):
        services.add_finding(
            s.patrol,
            building=s.d.building_a,
            kind=FindingKind.NOTE,
            note="x",
            actor=personas.landlord,
            client_uuid=uuid.uuid4(),
        )
    with pytest.raises(ValidationError) as exc:
        services.add_finding(
            s.patrol,
            building=s.d.building_a,
            premises=s.d.premises_b,
            kind="bogus",
            note=" ",
            actor=personas.grid_worker,
            client_uuid=uuid.uuid4(),
        )
    assert set(exc.value.message_dict) == {"kind", "note", "premises"}
    assert not PatrolFinding.objects.exists()


def test_an_area_role_closes_a_finding_with_a_note(patrol_scene, personas):
    s = patrol_scene
    finding = services.add_finding(
        s.volunteer_patrol,
        building=s.d.building_a,
        kind=FindingKind.NOTE,
        note="消防通道被占",
        actor=personas.landlord,
        client_uuid=uuid.uuid4(),
    )
    with pytest.raises(PermissionDenied):
        services.close_finding(finding, actor=personas.landlord, note="已清理")
    with pytest.raises(ValidationError):
        services.close_finding(finding, actor=personas.grid_worker, note="")
    closed = services.close_finding(
        finding, actor=personas.grid_worker, note="已现场清理", expected_version=1
    )
    assert (closed.status, closed.closed_by) == (FindingStatus.CLOSED, personas.grid_worker)
    with pytest.raises(ValidationError):
        services.close_finding(closed, actor=personas.grid_worker, note="再关")


# --- reviewing a flag ----------------------------------------------------------------------------------


def test_a_supervisor_clears_or_confirms_a_flag_with_a_note_never_their_own(district, personas):
    flag = make_flag(district.grid_a, personas.grid_worker)
    with pytest.raises(PermissionDenied):
        services.review_flag(flag, decision=FlagStatus.CLEARED, note="x", actor=personas.grid_worker)
    with pytest.raises(ValidationError) as exc:
        services.review_flag(flag, decision="open", note="", actor=personas.community_officer)
    assert set(exc.value.message_dict) == {"decision", "review_note"}
    reviewed = services.review_flag(
        flag,
        decision=FlagStatus.CLEARED,
        note="信号漂移",
        actor=personas.community_officer,
        expected_version=1,
    )
    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note) == (
        "cleared",
        personas.community_officer,
        "信号漂移",
    )
    with pytest.raises(ValidationError):
        services.review_flag(
            reviewed, decision=FlagStatus.CONFIRMED, note="改", actor=personas.subdistrict_officer
        )
    own = make_flag(district.grid_a, personas.community_officer)
    with pytest.raises(PermissionDenied):
        services.review_flag(own, decision=FlagStatus.CLEARED, note="本人", actor=personas.community_officer)
    with pytest.raises(PermissionDenied):  # out of scope
        services.review_flag(
            make_flag(district.grid_b, personas.outsider),
            decision="cleared",
            note="x",
            actor=personas.community_officer,
        )
