"""The rectification API: plans walked through the personas, making and editing a plan, every move of
the state machine through `POST plans/{id}/moves/` (illegal moves, stale versions, roles), the landlord's
pledge and proof photos, and the schema. Documents and enforcement: `test_api_enforcement`; the ladder:
`test_ladder`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import ApiScopeMatrix, api_client, audit_actions, list_ids
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.inspections.choices import HazardStatus, InspectionKind
from firegrid.inspections.models import Hazard
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentKind, MoveName, PlanState
from firegrid.rectification.models import (
    Document,
    EnforcementAction,
    Plan,
    PlanMove,
    ProofPhoto,
)
from firegrid.rectification.testing import FAILING, inspect
from firegrid.rectification.tests.scenes import (
    in_days,
    jpeg,
    move,
    plan_of,
    scene_actor,
    scene_plan,
    state_of,
    url,
)

pytestmark = pytest.mark.django_db

# --- the walk: anonymous → outsider → in scope without the right → allowed ---------------------------------


class TestPlanApi(ApiScopeMatrix):
    prefix = "plans"
    outsider = "outsider"
    reader = "commander"  # sees every plan, may change none
    writer = "grid_worker"
    non_deleter = None  # plans are never deleted (cancelled instead): DELETE is 405 for everyone
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return plan_of(district)

    def create_payload(self, district):
        if not hasattr(district, "premises_new"):
            district.premises_new = t.make_premises(
                district.building_a, district.landlord_a, unit_label="3楼"
            )
            inspect(district.premises_new, actor=scene_actor(), fail=["SEP-01"])
        return {"premises": district.premises_new.pk}

    def change_payload(self, district):
        return {"note": "房东在外务工，联系其子"}

    def add_rows(self, district, n):
        for i in range(n):
            premises = t.make_premises(district.building_a, district.landlord_a, unit_label=f"{i + 5}楼")
            Plan.objects.create(
                premises=premises,
                landlord=premises.landlord,
                officer=scene_actor(),
                deadline=timezone.localdate(),
            )

    # Plans have no DELETE (405); the outsider and reader walks cover every other write instead.

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        client = api_client(personas.outsider)
        plan = self.target(district)
        before = AuditEntry.objects.count()
        assert plan.pk not in list_ids(client.get(url("plans"), {"page_size": 500}))
        for suffix in ("", "history/", "moves/", "allowed-moves/"):
            assert_status(client.get(url("plans", plan, suffix)), 404)
        assert_status(client.patch(url("plans", plan), {"note": "x", "version": 1}, format="json"), 404)
        assert_status(move(client, plan, "notify"), 404)
        assert_status(
            client.post(url("plans", plan, "pledge/"), {"signed_name": "张建国"}, format="json"), 404
        )
        # Making a plan for a premises out of scope: the id is refused as unknown.
        response = client.post(url("plans"), {"premises": district.premises_a.pk}, format="json")
        assert_status(response, 400)
        assert set(response.data) == {"premises"}
        assert state_of(plan) == PlanState.DRAFT and AuditEntry.objects.count() == before

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        client = api_client(personas.commander)
        plan = self.target(district)
        assert_status(client.get(url("plans", plan)), 200)
        assert [m["name"] for m in client.get(url("plans", plan, "allowed-moves/")).data] == []
        payload = self.create_payload(district)
        before, plans = AuditEntry.objects.count(), Plan.objects.count()
        assert_status(client.post(url("plans"), payload, format="json"), 403)
        assert_status(
            client.patch(url("plans", plan), {"note": "x", "version": plan.version}, format="json"), 403
        )
        assert_status(move(client, plan, "notify"), 403)
        assert_status(move(client, plan, "cancel", reason="已拆除"), 403)
        assert Plan.objects.count() == plans and AuditEntry.objects.count() == before
        assert state_of(plan) == PlanState.DRAFT

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)  # the prefetches run once there is a row
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


def test_put_and_delete_of_a_plan_are_405(district, personas, checklist):
    client = api_client(personas.admin)
    plan = plan_of(district)
    assert_status(client.put(url("plans", plan), {"note": "x", "version": 1}, format="json"), 405)
    assert_status(client.delete(url("plans", plan)), 405)
    assert Plan.objects.filter(pk=plan.pk, version=plan.version).exists()


def test_plan_list_filters(district, personas, checklist):
    plan_a = plan_of(district)
    plan_b = scene_plan(district.premises_b)
    Plan.objects.filter(pk=plan_b.pk).update(
        state=PlanState.RECTIFYING, deadline=timezone.localdate() - dt.timedelta(days=2)
    )
    client = api_client(personas.commander)
    assert list_ids(client.get(url("plans"))) == {plan_a.pk, plan_b.pk}
    assert list_ids(client.get(url("plans"), {"area": district.s1.pk})) == {plan_a.pk}  # descendants included
    assert list_ids(client.get(url("plans"), {"state": PlanState.RECTIFYING})) == {plan_b.pk}
    assert list_ids(client.get(url("plans"), {"overdue": "true"})) == {plan_b.pk}
    assert list_ids(client.get(url("plans"), {"overdue": "false"})) == {plan_a.pk}
    assert list_ids(client.get(url("plans"), {"premises": district.premises_b.pk})) == {plan_b.pk}
    row = next(r for r in client.get(url("plans")).data["results"] if r["id"] == plan_b.pk)
    assert row["overdue"] is True and row["days_left"] == -2 and row["hazard_count"] == len(FAILING)


def test_plan_detail_carries_items_history_documents_and_enforcement(district, personas, checklist):
    gw = personas.grid_worker
    plan = plan_of(district)
    s.notify_plan(plan, actor=gw)
    data = api_client(gw).get(url("plans", plan)).data
    assert {i["hazard_code"] for i in data["items"]} == set(FAILING)
    assert all(
        i["measure"] and i["deadline"] and i["hazard_status"] == HazardStatus.IN_RECTIFICATION
        for i in data["items"]
    )
    assert [m["name"] for m in data["moves"]] == [MoveName.CREATE, MoveName.NOTIFY]
    assert [d["kind"] for d in data["documents"]] == [DocumentKind.NOTICE]
    assert data["documents"][0]["pdf"].endswith(f"/api/v1/plan-documents/{data['documents'][0]['id']}/pdf/")
    assert data["enforcement_actions"] == []
    assert data["landlord_url"].endswith(f"/portal/plans/{plan.public_key}/")
    assert data["state"] == PlanState.NOTIFIED and data["state_display"] == "已送达通知"
    # A unit liaison follows the plan but is not granted its documents or enforcement.
    EnforcementAction.objects.create(
        premises=district.premises_a,
        plan=plan,
        kind="no_entry",
        department=district.fire,
        date=timezone.localdate(),
        recorded_by=scene_actor(),
    )
    assert len(api_client(gw).get(url("plans", plan)).data["enforcement_actions"]) == 1
    liaison = api_client(personas.liaison).get(url("plans", plan))
    assert_status(liaison, 200)
    assert liaison.data["documents"] == [] and liaison.data["enforcement_actions"] == []
    assert {i["hazard_code"] for i in liaison.data["items"]} == set(FAILING)
    assert len(api_client(personas.landlord).get(url("plans", plan)).data["documents"]) == 1


# --- making and editing a plan -------------------------------------------------------------------------------


def test_create_takes_chosen_hazards_deadline_and_officer(district, personas, checklist):
    gw = personas.grid_worker
    inspect(district.premises_a, actor=scene_actor(), fail=FAILING)
    sep = Hazard.objects.get(premises=district.premises_a, item__code="SEP-01")
    response = api_client(gw).post(
        url("plans"),
        {
            "premises": district.premises_a.pk,
            "hazards": [sep.pk],
            "deadline": in_days(20),
            "officer": personas.community_officer.pk,
            "note": "先整改电动车",
        },
        format="json",
    )
    assert_status(response, 201)
    assert [i["hazard"] for i in response.data["items"]] == [sep.pk]
    assert response.data["deadline"] == in_days(20)
    assert response.data["officer"] == personas.community_officer.pk
    assert response.data["state"] == PlanState.DRAFT and response.data["version"] == 1
    plan = Plan.objects.get(pk=response.data["id"])
    assert audit_actions(plan) == [AuditAction.CREATE]


def test_create_refuses_with_field_errors(district, personas, checklist):
    client = api_client(personas.grid_worker)
    # No open hazards: nothing to rectify.
    response = client.post(url("plans"), {"premises": district.shop_a.pk}, format="json")
    assert_status(response, 400)
    assert "hazards" in response.data
    # An officer whose scope does not cover the premises.
    inspect(district.premises_a, actor=scene_actor(), fail=FAILING)
    response = client.post(
        url("plans"), {"premises": district.premises_a.pk, "officer": personas.outsider.pk}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"officer"}
    # A deadline in the past.
    response = client.post(
        url("plans"), {"premises": district.premises_a.pk, "deadline": in_days(-1)}, format="json"
    )
    assert_status(response, 400)
    assert "deadline" in response.data
    assert not Plan.objects.exists()


def test_edit_items_and_stale_version_is_409(district, personas, checklist):
    client = api_client(personas.grid_worker)
    plan = plan_of(district)
    item = plan.items.order_by("pk").first()
    response = client.patch(
        url("plans", plan),
        {
            "version": 1,
            "items": [{"id": item.pk, "measure": "拆除隔间，恢复原状", "deadline": in_days(10)}],
            "reason": "现场核实",
        },
        format="json",
    )
    assert_status(response, 200)
    changed = next(i for i in response.data["items"] if i["id"] == item.pk)
    assert changed["measure"] == "拆除隔间，恢复原状" and changed["deadline"] == in_days(10)
    assert response.data["version"] == 2
    # Somebody else read version 1 too: their save is refused, nothing overwritten.
    stale = client.patch(url("plans", plan), {"version": 1, "note": "覆盖"}, format="json")
    assert_status(stale, 409)
    assert set(stale.data) == {"version"}
    assert Plan.objects.get(pk=plan.pk).note == ""
    # An item deadline after the plan's; an item of another plan.
    late = client.patch(
        url("plans", plan), {"version": 2, "items": [{"id": item.pk, "deadline": in_days(99)}]}, format="json"
    )
    assert_status(late, 400)
    assert set(late.data) == {f"item-{item.pk}-deadline"}
    foreign = client.patch(
        url("plans", plan), {"version": 2, "items": [{"id": 999999, "measure": "x"}]}, format="json"
    )
    assert_status(foreign, 400)
    assert set(foreign.data) == {"items"}
    missing = client.patch(url("plans", plan), {"note": "没有版本号"}, format="json")
    assert_status(missing, 400)
    assert set(missing.data) == {"version"}


# --- every move through the API ---------------------------------------------------------------------------


def test_illegal_move_names_the_state_and_the_allowed_moves(district, personas, checklist):
    client = api_client(personas.community_officer)
    plan = plan_of(district)
    response = move(client, plan, "start")
    assert_status(response, 400)
    assert set(response.data) == {"move"}
    (message,) = response.data["move"]
    assert message == "方案当前状态为“草稿”，不能开始整改。当前可以：送达通知、撤销。"
    # A move the API does not take: marking overdue is the daily job's.
    response = move(client, plan, "mark_overdue")
    assert_status(response, 400)
    assert set(response.data) == {"move"}
    assert Plan.objects.get(pk=plan.pk).version == plan.version and state_of(plan) == PlanState.DRAFT
    assert list(plan.moves.values_list("name", flat=True)) == [MoveName.CREATE]


def test_stale_version_on_a_move_is_409_and_nothing_moves(district, personas, checklist):
    gw = api_client(personas.grid_worker)
    plan = plan_of(district)
    read = gw.get(url("plans", plan)).data["version"]
    assert_status(gw.patch(url("plans", plan), {"version": read, "note": "先电话联系"}, format="json"), 200)
    response = move(gw, plan, "notify", version=read)
    assert_status(response, 409)
    assert set(response.data) == {"version"} and "已被" in response.data["version"][0]
    assert state_of(plan) == PlanState.DRAFT and not plan.documents.exists()


def test_the_whole_way_to_acceptance_through_the_api(district, personas, checklist):
    gw, landlord = api_client(personas.grid_worker), api_client(personas.landlord)
    created = gw.post(url("plans"), {"premises": district.premises_a.pk}, format="json")
    assert_status(created, 400)  # no hazards yet
    inspect(district.premises_a, actor=personas.grid_worker, fail=FAILING)
    created = gw.post(url("plans"), {"premises": district.premises_a.pk}, format="json")
    assert_status(created, 201)
    plan = Plan.objects.get(pk=created.data["id"])
    assert [m["name"] for m in gw.get(url("plans", plan, "allowed-moves/")).data] == [MoveName.NOTIFY]
    assert landlord.get(url("plans", plan, "allowed-moves/")).data == []

    response = move(gw, plan, "notify", order=True)
    assert_status(response, 200)
    assert response.data["state"] == PlanState.NOTIFIED
    assert [d["kind"] for d in response.data["documents"]] == [DocumentKind.ORDER]

    assert [m["name"] for m in landlord.get(url("plans", plan, "allowed-moves/")).data] == [MoveName.START]
    pledge = landlord.post(
        url("plans", plan, "pledge/"), {"signed_name": "张建国"}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert_status(pledge, 201)
    assert pledge.data["kind"] == DocumentKind.PLEDGE and pledge.data["signed_ip"] == "10.1.2.3"
    assert state_of(plan) == PlanState.RECTIFYING
    again = landlord.post(url("plans", plan, "pledge/"), {"signed_name": "张建国"}, format="json")
    assert_status(again, 400)
    assert "不能重复签署" in again.data["non_field_errors"][0]
    assert plan.documents.filter(kind=DocumentKind.PLEDGE).count() == 1

    # The acceptance visit finds everything fixed while the plan is still rectifying; the landlord then asks
    # for the recheck, and the officer accepts on that inspection.
    acceptance = inspect(district.premises_a, actor=personas.grid_worker, kind=InspectionKind.ACCEPTANCE)
    assert state_of(plan) == PlanState.RECTIFYING
    assert_status(move(landlord, plan, "request_recheck", reason="已全部整改"), 200)
    assert state_of(plan) == PlanState.RECHECK_REQUESTED
    assert_status(move(landlord, plan, "accept", inspection=acceptance.pk), 403)  # not the landlord's move
    response = move(gw, plan, "accept")
    assert_status(response, 400)
    assert set(response.data) == {"inspection"}
    survey = plan.items.first().hazard.inspection
    response = move(gw, plan, "accept", inspection=survey.pk)
    assert_status(response, 400)
    assert "验收检查" in response.data["inspection"][0]
    response = move(gw, plan, "accept", inspection=acceptance.pk)
    assert_status(response, 200)
    assert response.data["state"] == PlanState.ACCEPTED and response.data["closed_at"]
    assert DocumentKind.ACCEPTANCE in {d["kind"] for d in response.data["documents"]}
    assert [m["to_state"] for m in gw.get(url("plans", plan, "moves/")).data["results"]] == [
        PlanState.DRAFT,
        PlanState.NOTIFIED,
        PlanState.RECTIFYING,
        PlanState.RECHECK_REQUESTED,
        PlanState.ACCEPTED,
    ]
    response = move(gw, plan, "cancel", reason="x")
    assert_status(response, 400)
    assert "无（方案已结束）" in response.data["move"][0]


def test_failed_recheck_overdue_extend_escalate_enforce_resume_cancel(district, personas, checklist):
    gw, supervisor = api_client(personas.grid_worker), api_client(personas.community_officer)
    fire = api_client(personas.fire_officer)
    plan = plan_of(district)
    for name in ("notify", "start", "request_recheck"):
        assert_status(move(gw, plan, name), 200)

    response = move(gw, plan, "fail_recheck", reason="隔间未拆除")
    assert_status(response, 400)
    assert set(response.data) == {"deadline"}
    response = move(gw, plan, "fail_recheck", reason="隔间未拆除", deadline=in_days(7))
    assert_status(response, 200)
    assert response.data["state"] == PlanState.RECTIFYING and response.data["deadline"] == in_days(7)
    assert {i["deadline"] for i in response.data["items"]} == {in_days(7)}

    assert s.mark_overdue(timezone.localdate() + dt.timedelta(days=8)) == 1
    assert_status(move(gw, plan, "extend", reason="房东住院", deadline=in_days(20)), 403)  # supervisors only
    response = move(supervisor, plan, "extend", reason="房东住院", deadline=in_days(20))
    assert_status(response, 200)
    assert response.data["state"] == PlanState.RECTIFYING and response.data["deadline"] == in_days(20)

    assert s.mark_overdue(timezone.localdate() + dt.timedelta(days=21)) == 1
    response = move(supervisor, plan, "escalate", departments=[district.fire.pk])
    assert_status(response, 400)
    assert set(response.data) == {"reason"}
    response = move(supervisor, plan, "escalate", reason="拒不整改", departments=[district.fire.pk])
    assert_status(response, 200)
    assert response.data["state"] == PlanState.ESCALATED and response.data["escalated_to"] == [
        district.fire.pk
    ]

    recorded = fire.post(
        url("enforcement-actions"),
        {
            "plan": plan.pk,
            "kind": "fine",
            "fine_amount": "500.00",
            "legal_basis": "消防法第六十条",
            "date": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert_status(recorded, 201)
    assert (
        recorded.data["premises"] == district.premises_a.pk
        and recorded.data["department"] == district.fire.pk
    )
    assert state_of(plan) == PlanState.ENFORCEMENT

    assert_status(move(supervisor, plan, "resume", reason="罚款后限期整改", deadline=in_days(5)), 403)
    response = move(fire, plan, "resume", reason="罚款后限期整改", deadline=in_days(5))
    assert_status(response, 200)
    assert response.data["state"] == PlanState.RECTIFYING
    assert [e["kind"] for e in response.data["enforcement_actions"]] == ["fine"]

    assert_status(move(gw, plan, "cancel", reason="房屋已拆除"), 403)
    response = move(supervisor, plan, "cancel", reason="房屋已拆除")
    assert_status(response, 200)
    assert response.data["state"] == PlanState.CANCELLED and response.data["cancel_reason"] == "房屋已拆除"
    names = list(PlanMove.objects.filter(plan=plan).values_list("name", flat=True))
    assert names == [
        MoveName.CREATE,
        MoveName.NOTIFY,
        MoveName.START,
        MoveName.REQUEST_RECHECK,
        MoveName.FAIL_RECHECK,
        MoveName.MARK_OVERDUE,
        MoveName.EXTEND,
        MoveName.MARK_OVERDUE,
        MoveName.ESCALATE,
        MoveName.ENFORCE,
        MoveName.RESUME,
        MoveName.CANCEL,
    ]


# --- the landlord -------------------------------------------------------------------------------------------


def test_landlord_sees_only_their_own_plans(district, personas, checklist):
    own = plan_of(district)
    theirs = scene_plan(district.premises_b)
    other = t.make_user("landlord-b", Role.LANDLORD, landlord=district.landlord_b)
    client = api_client(personas.landlord)
    assert list_ids(client.get(url("plans"))) == {own.pk}
    assert_status(client.get(url("plans", theirs)), 404)
    assert_status(client.post(url("plans", theirs, "pledge/"), {"signed_name": "张建国"}, format="json"), 404)
    assert_status(move(client, theirs, "request_recheck"), 404)
    other_client = api_client(other)
    assert list_ids(other_client.get(url("plans"))) == {theirs.pk}
    assert_status(other_client.get(url("plans", own)), 404)
    item = own.items.first()
    assert_status(other_client.get(url("plan-items", item, "proof-photos/")), 404)
    assert_status(other_client.post(url("plan-items", item, "proof-photos/"), {"image": jpeg()}), 404)
    # The landlord reads; editing or making plans is for officers.
    assert_status(client.patch(url("plans", own), {"note": "x", "version": own.version}, format="json"), 403)
    assert_status(client.post(url("plans"), {"premises": district.premises_a.pk}, format="json"), 403)


def test_pledge_needs_the_landlords_own_name_and_a_served_notice(district, personas, checklist):
    client = api_client(personas.landlord)
    plan = plan_of(district)
    response = client.post(url("plans", plan, "pledge/"), {"signed_name": "张建国"}, format="json")
    assert_status(response, 400)  # still a draft: nothing served yet
    assert "通知送达后" in response.data["non_field_errors"][0]
    s.notify_plan(plan, actor=personas.grid_worker)
    response = client.post(url("plans", plan, "pledge/"), {"signed_name": "张三"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"signed_name"}
    assert_status(client.post(url("plans", plan, "pledge/"), {}, format="json"), 400)
    # An officer cannot sign for the landlord.
    response = api_client(personas.grid_worker).post(
        url("plans", plan, "pledge/"), {"signed_name": "张建国"}, format="json"
    )
    assert_status(response, 403)
    assert not plan.documents.filter(kind=DocumentKind.PLEDGE).exists()


def test_proof_photos_upload_list_file_and_closed_plan(district, personas, checklist):
    landlord = api_client(personas.landlord)
    plan = s.notify_plan(plan_of(district), actor=personas.grid_worker)
    item = plan.items.order_by("pk").first()
    path = url("plan-items", item, "proof-photos/")
    response = landlord.post(path, {"image": jpeg()})
    assert_status(response, 201)
    assert response.data["item"] == item.pk and response.data["uploaded_by_name"] == "landlord"
    photo = ProofPhoto.objects.get(pk=response.data["id"])
    assert audit_actions(photo) == [AuditAction.CREATE]
    listed = api_client(personas.grid_worker).get(path)
    assert_status(listed, 200)
    assert [p["id"] for p in listed.data["results"]] == [photo.pk]
    image = landlord.get(response.data["thumbnail"], HTTP_ACCEPT="image/jpeg")
    assert_status(image, 200)
    assert image["Content-Type"] == "image/jpeg" and b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert_status(api_client(personas.outsider).get(response.data["image"]), 404)
    # Not a photo at all: an error on the field.
    response = landlord.post(
        path, {"image": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")}
    )
    assert_status(response, 400)
    assert set(response.data) == {"image"}
    # Roles that read plans but may not add proof.
    assert_status(api_client(personas.commander).post(path, {"image": jpeg()}), 403)
    assert_status(api_client(personas.liaison).get(path), 403)  # proof photos are not a liaison's
    # A closed plan takes no more proof.
    s.cancel_plan(plan, actor=personas.community_officer, reason="房屋已拆除")
    response = landlord.post(path, {"image": jpeg()})
    assert_status(response, 400)
    assert set(response.data) == {"image"} and "已撤销" in response.data["image"][0]
    assert ProofPhoto.objects.count() == 1


def test_proof_photo_to_an_accepted_plan_is_refused(district, personas, checklist):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_of(district), actor=gw)
    s.start_rectification(plan, actor=gw)
    s.request_recheck(plan, actor=gw)
    inspect(district.premises_a, actor=gw, kind=InspectionKind.ACCEPTANCE)
    assert state_of(plan) == PlanState.ACCEPTED
    response = api_client(personas.landlord).post(
        url("plan-items", plan.items.first(), "proof-photos/"), {"image": jpeg()}
    )
    assert_status(response, 400)
    assert set(response.data) == {"image"} and "已验收" in response.data["image"][0]
    assert not ProofPhoto.objects.exists()


# --- the schema --------------------------------------------------------------------------------------------


def test_schema_documents_every_rectification_endpoint(db):
    import yaml

    client = api_client(User(username="reader", role=Role.GRID_WORKER))
    response = client.get("/api/schema/")
    assert_status(response, 200)
    paths = yaml.safe_load(response.content)["paths"]
    assert set(paths["/api/v1/plans/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/plans/"]) == {"get", "post"}
    assert set(paths["/api/v1/plans/{id}/moves/"]) == {"get", "post"}
    assert set(paths["/api/v1/plan-documents/{id}/"]) == {"get"}
    assert set(paths["/api/v1/plan-items/{id}/proof-photos/"]) == {"get", "post"}
    assert set(paths["/api/v1/enforcement-actions/{id}/"]) == {"get"}
    assert set(paths["/api/v1/escalation-steps/{id}/"]) == {"get", "put", "patch", "delete"}
    assert (
        "application/pdf" in paths["/api/v1/plan-documents/{id}/pdf/"]["get"]["responses"]["200"]["content"]
    )
    names = {p["name"] for p in paths["/api/v1/plans/"]["get"]["parameters"]}
    assert {"area", "state", "overdue", "campaign", "premises", "sort", "page"} <= names
    move_request = paths["/api/v1/plans/{id}/moves/"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert move_request == {"$ref": "#/components/schemas/MoveRequestRequest"}


# --- the walks of documents and plan items --------------------------------------------------------------


def notice_of(district) -> Document:
    """The notice served on plan_a (issued by the scene's administrator)."""
    if not hasattr(district, "notice_a"):
        plan = s.notify_plan(plan_of(district), actor=scene_actor())
        district.notice_a = plan.documents.get(kind=DocumentKind.NOTICE)
    return district.notice_a


class TestDocumentApi(ApiScopeMatrix):
    """Documents are issued by plan moves and never edited: list, page, history, PDF and reissue."""

    prefix = "plan-documents"
    writes = frozenset()
    outsider = "outsider"
    forbidden = "liaison"  # documents are not a liaison's
    reader = "landlord"  # reads the notice served on them; reissuing is the officers'
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return notice_of(district)

    def add_rows(self, district, n):
        plan = notice_of(district).plan
        for i in range(n):
            Document.objects.create(
                plan=plan,
                kind=DocumentKind.ORDER,
                serial=f"衢江消责〔2019〕第{i + 900:04d}号",
                content={},
                issued_at=timezone.now(),
            )

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        super().test_reader_sees_it_but_gets_403_on_every_write(district, personas)
        notice = self.target(district)
        response = api_client(personas.landlord).post(
            self.detail_url(notice, "reissue/"), {"reason": "地址更正"}, format="json"
        )
        assert_status(response, 403)
        assert list(notice.plan.documents.values_list("pk", flat=True)) == [notice.pk]


class TestPlanItemApi(ApiScopeMatrix):
    """A plan item has no list or page of its own (it is read with its plan): its proof photos are."""

    prefix = "plan-items"
    has_list = False
    has_history = False
    writes = frozenset()  # a proof photo is uploaded to the item's proof-photos/, walked below
    outsider = "outsider"
    forbidden = "liaison"  # proof photos are not a liaison's
    reader = "commander"  # sees every plan's proof, adds none
    writer = None
    non_deleter = None
    deleter = None

    def target(self, district):
        return notice_of(district).plan.items.order_by("pk").first()

    def detail_url(self, obj, suffix=""):
        return super().detail_url(obj, suffix or "proof-photos/")

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        super().test_outsider_gets_404_and_does_not_see_it_in_the_list(district, personas)
        item = self.target(district)
        response = api_client(personas.outsider).post(self.detail_url(item), {"image": jpeg()})
        assert_status(response, 404)
        assert not ProofPhoto.objects.exists()

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        super().test_reader_sees_it_but_gets_403_on_every_write(district, personas)
        item = self.target(district)
        assert_status(api_client(personas.commander).post(self.detail_url(item), {"image": jpeg()}), 403)
        assert not ProofPhoto.objects.exists()

    def test_landlord_adds_proof_and_the_addition_is_audited(self, district, personas):
        item = self.target(district)
        response = api_client(personas.landlord).post(self.detail_url(item), {"image": jpeg()})
        assert_status(response, 201)
        photo = ProofPhoto.objects.get(pk=response.data["id"])
        entry = AuditEntry.objects.for_object(photo).get()
        assert (entry.action, entry.actor) == (AuditAction.CREATE, personas.landlord)
        listed = api_client(personas.grid_worker).get(self.detail_url(item))
        assert [row["id"] for row in listed.data["results"]] == [photo.pk]
