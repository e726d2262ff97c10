"""The inspections API: every endpoint walked through the personas, then the field flow (start →
autosave → submit, replayed), hazards through their lifecycle, void, coverage against its drill-down
lists, template versions, photos, and the writes that are not there (405)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client, audit_actions, fresh, list_ids
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.inspections import services as s
from firegrid.inspections.api.serializers import FIGURES
from firegrid.inspections.choices import (
    AnswerResult,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    VisitOutcome,
)
from firegrid.inspections.models import ChecklistTemplate, Hazard, Inspection, Photo
from firegrid.registry.choices import PremisesKind

pytestmark = pytest.mark.django_db

A = s.AnswerInput


# --- scenes (set through the services, by an administrator who is none of the personas) ---------------


def scene_actor() -> User:
    return User.objects.filter(username="scene").first() or t.make_user("scene", Role.SYSTEM_ADMIN)


def answers_for(inspection, fail=(), **overrides) -> list[A]:
    """Every applicable item passing, except the codes in `fail`, and `overrides` (code → AnswerInput)."""
    out = []
    for item in inspection.applicable_items():
        if item.code in overrides:
            out.append(overrides[item.code])
        else:
            out.append(A(item.code, AnswerResult.FAIL if item.code in fail else AnswerResult.PASS))
    return out


def payload_for(inspection, fail=(), **overrides) -> list[dict]:
    """The same as `answers_for`, as the API takes it."""
    return [
        {
            "item_code": a.item_code,
            "result": a.result,
            "measured_value": a.measured_value,
            "note": a.note,
            "fixed_on_spot": a.fixed_on_spot,
        }
        for a in answers_for(inspection, fail, **overrides)
    ]


def inspected(premises, fail=(), kind=InspectionKind.SURVEY, actor=None) -> Inspection:
    actor = actor or scene_actor()
    inspection = s.start_inspection(actor=actor, premises=premises, kind=kind)
    return s.submit_inspection(
        inspection, actor=actor, outcome=VisitOutcome.INSPECTED, answers=answers_for(inspection, fail)
    )


def visited(premises, outcome) -> Inspection:
    inspection = s.start_inspection(actor=scene_actor(), premises=premises)
    return s.submit_inspection(inspection, actor=scene_actor(), outcome=outcome)


def draft_of(district) -> Inspection:
    if not hasattr(district, "draft_a"):
        district.draft_a = s.start_inspection(actor=scene_actor(), premises=district.premises_a)
    return district.draft_a


def hazard_of(district) -> Hazard:
    if not hasattr(district, "hazard_a"):
        district.hazard_a = Hazard.objects.get(inspection=inspected(district.premises_a, fail=["ELEC-01"]))
    return district.hazard_a


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(prefix, obj=None, suffix="") -> str:
    return f"{API}/{prefix}/" + (f"{obj.pk}/{suffix}" if obj is not None else suffix)


# --- the walk: anonymous → outsider → in scope without the right → allowed ---------------------------------


class TestChecklistTemplateApi(ApiScopeMatrix):
    prefix = "checklist-templates"
    outsider = None  # every role that reads templates reads them all
    reader = None  # read-only here: the versioning actions are tested below
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return s.default_template()

    def add_rows(self, district, n):
        for i in range(n):
            ChecklistTemplate.objects.create(code=f"draft-{i}", name=f"草稿{i}")

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


class TestInspectionApi(ApiScopeMatrix):
    prefix = "inspections"
    reader = None  # writes are the service actions, walked below
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return draft_of(district)

    def add_rows(self, district, n):
        for _ in range(n):
            visited(district.premises_a, VisitOutcome.LOCKED)

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)  # the prefetches run once there is a row
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


class TestHazardApi(ApiScopeMatrix):
    prefix = "hazards"
    reader = None  # read-only but for void, walked below
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return hazard_of(district)

    def add_rows(self, district, n):
        premises = t.make_premises(district.building_a, district.landlord_b, unit_label="5楼")
        codes = [i.code for i in s.default_template().items.all() if i.applies_to_premises(premises)]
        codes = [c for c in codes if c.startswith(("ELEC", "EXIT", "GAS"))][:n]
        inspected(premises, fail=codes)

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


def test_coverage_walk(district, personas, checklist):
    assert_status(api_client().get(url("coverage")), 401)
    for persona in ("liaison", "landlord"):  # they see no areas
        assert_status(api_client(getattr(personas, persona)).get(url("coverage")), 403)
    response = api_client(personas.outsider).get(url("coverage"), {"area": district.grid_a.pk})
    assert_status(response, 400)
    assert set(response.data) == {"area"}
    response = api_client(personas.outsider).get(url("coverage"))
    assert_status(response, 200)
    assert [row["area"]["id"] for row in response.data] == [district.grid_b.pk]


ACTION_CALLS = [
    ("get", "inspections", "checklist/", None),
    ("put", "inspections", "answers/", []),
    ("post", "inspections", "submit/", {"outcome": "locked"}),
    ("get", "inspections", "photos/", None),
    ("post", "hazards", "void/", {"reason": "录入错误"}),
]


def call(client, method, path, body):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body, format="json")


def test_anonymous_gets_401_on_every_action(district, checklist):
    client = api_client()
    objects = {"inspections": draft_of(district), "hazards": hazard_of(district)}
    for method, prefix, suffix, body in ACTION_CALLS:
        assert_status(call(client, method, url(prefix, objects[prefix], suffix), body), 401)
    assert_status(client.post(url("inspections"), {"premises": district.premises_a.pk}, format="json"), 401)
    template = url("checklist-templates", checklist)
    assert_status(client.get(template + "items/"), 401)
    assert_status(client.post(template + "new-version/", {"code": "x"}, format="json"), 401)
    assert_status(client.patch(template + "parameters/", {"x": 1}, format="json"), 401)
    assert_status(client.post(template + "publish/"), 401)


def test_outsider_gets_404_on_every_action_and_nothing_changes(district, personas, checklist):
    client = api_client(personas.outsider)
    objects = {"inspections": draft_of(district), "hazards": hazard_of(district)}
    before = AuditEntry.objects.count()
    for method, prefix, suffix, body in ACTION_CALLS:
        assert_status(call(client, method, url(prefix, objects[prefix], suffix), body), 404)
    response = client.post(url("inspections", draft_of(district), "photos/"), {"file": jpeg()})
    assert_status(response, 404)
    assert AuditEntry.objects.count() == before
    # Starting an inspection of a premises out of scope: the id is refused as unknown.
    response = client.post(url("inspections"), {"premises": district.premises_a.pk}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"premises"}


@pytest.mark.parametrize("persona", ["commander", "landlord"])
def test_readers_of_inspections_get_403_on_every_inspection_write(district, personas, checklist, persona):
    client = api_client(getattr(personas, persona))
    draft = draft_of(district)
    assert_status(client.get(url("inspections", draft)), 200)
    assert_status(client.get(url("inspections", draft, "checklist/")), 200)
    assert_status(client.get(url("inspections", draft, "photos/")), 200)
    before = AuditEntry.objects.count()
    assert_status(client.post(url("inspections"), {"premises": district.premises_a.pk}, format="json"), 403)
    for method, _prefix, suffix, body in ACTION_CALLS[1:3]:
        assert_status(call(client, method, url("inspections", draft, suffix), body), 403)
    assert_status(client.post(url("inspections", draft, "photos/"), {"file": jpeg()}), 403)
    assert AuditEntry.objects.count() == before
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT


def test_liaison_reads_hazards_of_their_landlords_premises_but_not_inspections(district, personas, checklist):
    hazard = hazard_of(district)
    other = Hazard.objects.get(inspection=inspected(district.premises_b, fail=["ELEC-01"]))
    client = api_client(personas.liaison)
    assert list_ids(client.get(url("hazards"))) == {hazard.pk}
    assert_status(client.get(url("hazards", hazard)), 200)
    assert_status(client.get(url("hazards", other)), 404)
    assert_status(client.post(url("hazards", hazard, "void/"), {"reason": "x"}, format="json"), 403)
    assert_status(client.get(url("inspections")), 403)
    assert_status(client.get(url("inspections", hazard.inspection)), 403)
    assert_status(client.get(url("inspections", hazard.inspection, "checklist/")), 403)
    assert_status(client.get(url("checklist-templates")), 403)
    # Another unit's liaison sees none of it.
    assert list_ids(api_client(personas.other_liaison).get(url("hazards"))) == set()


def test_landlord_reads_their_own_hazards_and_inspections(district, personas, checklist):
    hazard = hazard_of(district)
    elsewhere = inspected(district.premises_b, fail=["ELEC-01"])
    client = api_client(personas.landlord)
    assert list_ids(client.get(url("hazards"))) == {hazard.pk}
    assert list_ids(client.get(url("inspections"))) == {hazard.inspection_id}
    assert_status(client.get(url("inspections", elsewhere)), 404)
    assert_status(client.post(url("hazards", hazard, "void/"), {"reason": "x"}, format="json"), 403)


def test_landlord_does_not_see_hazards_of_another_landlords_premises_in_the_same_building(
    district, personas, checklist
):
    neighbour = t.make_premises(district.building_a, district.landlord_b, unit_label="3楼")
    hazard = Hazard.objects.get(inspection=inspected(neighbour, fail=["ELEC-01"]))
    assert_status(api_client(personas.landlord).get(url("hazards", hazard)), 404)


def test_put_patch_delete_on_inspections_and_hazards_are_405(district, personas, checklist):
    client = api_client(personas.admin)
    for obj in (draft_of(district), hazard_of(district)):
        prefix = "inspections" if isinstance(obj, Inspection) else "hazards"
        path = url(prefix, obj)
        assert_status(client.put(path, {"note": "x", "version": 1}, format="json"), 405)
        assert_status(client.patch(path, {"note": "x", "version": 1}, format="json"), 405)
        assert_status(client.delete(path), 405)
        assert type(obj).objects.filter(pk=obj.pk, version=obj.version).exists()
    assert_status(client.post(url("hazards"), {"item": 1}, format="json"), 405)
    template = url("checklist-templates", s.default_template())
    assert_status(client.patch(template, {"name": "x"}, format="json"), 405)
    assert_status(client.delete(template), 405)


# --- the field flow ------------------------------------------------------------------------------------------


def test_start_autosave_submit_replayed_three_times_makes_one_inspection(district, personas, checklist):
    client = api_client(personas.grid_worker)
    client_uuid = str(uuid.uuid4())
    start = {"premises": district.premises_a.pk, "client_uuid": client_uuid, "latitude": "28.94"}
    first = client.post(url("inspections"), start, format="json")
    assert_status(first, 201)
    assert first.data["status"] == InspectionStatus.DRAFT
    assert first.data["template_code"] == "zj-2019.1"
    assert first.data["building"] == district.building_a.pk
    assert first.data["inspector_names"] == ["wanggy"]
    replay = client.post(url("inspections"), start, format="json")
    assert_status(replay, 200)
    assert replay.data["id"] == first.data["id"]
    inspection = Inspection.objects.get(pk=first.data["id"])
    assert audit_actions(inspection) == [AuditAction.CREATE]

    answers = payload_for(inspection, fail=["ELEC-01"])
    saved = client.put(url("inspections", inspection, "answers/"), answers[:5], format="json")
    assert_status(saved, 200)
    assert len(saved.data) == 5
    for _ in range(3):
        response = client.post(
            url("inspections", inspection, "submit/"),
            {"outcome": VisitOutcome.INSPECTED, "answers": answers, "rooms": [district.room_a.pk]},
            format="json",
        )
        assert_status(response, 200)
        assert response.data["status"] == InspectionStatus.SUBMITTED
        assert response.data["outcome"] == VisitOutcome.INSPECTED
        assert response.data["rooms_inspected"] == [district.room_a.pk]
        assert_status(client.post(url("inspections"), start, format="json"), 200)
    assert Inspection.objects.filter(client_uuid=client_uuid).count() == 1
    (hazard,) = Hazard.objects.all()
    assert hazard.item.code == "ELEC-01" and hazard.inspection == inspection
    assert audit_actions(inspection) == [AuditAction.UPDATE, AuditAction.CREATE]
    found = client.get(url("hazards"), {"inspection": inspection.pk})
    assert list_ids(found) == {hazard.pk}
    # A submitted inspection takes no more answers.
    response = client.put(url("inspections", inspection, "answers/"), answers[:1], format="json")
    assert_status(response, 400)


def test_start_needs_premises_or_building_and_they_must_agree(district, personas, checklist):
    client = api_client(personas.grid_worker)
    response = client.post(url("inspections"), {"kind": "survey"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"premises"}
    extra = t.make_building(district.grid_a)
    payload = {"premises": district.premises_a.pk, "building": extra.pk}
    response = client.post(url("inspections"), payload, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"premises"}
    response = client.post(url("inspections"), {"building": district.building_a.pk}, format="json")
    assert_status(response, 201)
    assert response.data["premises"] is None
    checklist_page = client.get(
        url("inspections", Inspection.objects.get(pk=response.data["id"]), "checklist/")
    )
    assert len(checklist_page.data["items"]) == 5  # a building's area-level items
    assert all(item["area_level"] for item in checklist_page.data["items"])


def test_start_with_coordinates_outside_china_and_a_joint_department(district, personas, checklist):
    client = api_client(personas.fire_officer)
    payload = {"premises": district.premises_a.pk, "latitude": "-33.86", "longitude": "151.2"}
    response = client.post(url("inspections"), payload, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"latitude", "longitude"}
    payload = {"premises": district.premises_a.pk, "departments": [district.fire.pk], "kind": "night"}
    response = client.post(url("inspections"), payload, format="json")
    assert_status(response, 201)
    assert response.data["department_names"] == [district.fire.name]
    assert response.data["kind_display"] == "夜查"


def test_checklist_has_the_applicable_items_the_answers_and_the_suggestions(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    path = url("inspections", inspection, "checklist/")
    data = client.get(path).data
    assert data["template"]["code"] == "zj-2019.1"
    codes = [item["code"] for item in data["items"]]
    assert codes == [i.code for i in inspection.applicable_items()]
    assert "SEP-02" not in codes and "MGMT-03" in codes  # mixed-use only; residential
    measured = next(item for item in data["items"] if item["code"] == "MGMT-03")
    assert measured["is_measured"] and float(measured["threshold"]) == 6
    assert measured["category_name"] and measured["severity_display"] == "一般隐患"
    assert data["answers"] == []
    # room_a: 15 m², 2 occupants → 7.5 m² per person.
    assert data["suggestions"]["MGMT-03"]["result"] == AnswerResult.PASS
    assert data["suggestions"]["MGMT-03"]["measured_value"] == "7.50"
    saved = [{"item_code": "ELEC-01", "result": "fail", "note": "飞线"}]
    assert_status(client.put(url("inspections", inspection, "answers/"), saved, format="json"), 200)
    (answer,) = client.get(path).data["answers"]
    assert (answer["item_code"], answer["result"], answer["note"], answer["hazard"]) == (
        "ELEC-01",
        "fail",
        "飞线",
        None,
    )


def test_an_item_that_does_not_apply_is_a_400_naming_it(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    path = url("inspections", inspection, "answers/")
    response = client.put(path, [{"item_code": "SEP-02", "result": "fail"}], format="json")
    assert_status(response, 400)
    assert set(response.data) == {"SEP-02"}
    assert "不适用" in response.data["SEP-02"][0]
    assert not inspection.answers.exists()
    assert_status(client.put(path, [{"item_code": "SEP-02", "result": "na"}], format="json"), 200)
    response = client.put(path, [{"item_code": "NOPE-99", "result": "pass"}], format="json")
    assert_status(response, 400)
    assert "NOPE-99" in response.data["NOPE-99"][0]


def test_malformed_answers_are_errors_keyed_by_item_code(district, personas, checklist):
    client = api_client(personas.grid_worker)
    path = url("inspections", draft_of(district), "answers/")
    response = client.put(
        path,
        [
            {"item_code": "ELEC-01", "result": "maybe"},
            {"item_code": "MGMT-03", "result": "pass", "measured_value": "abc"},
            {"result": "pass"},
            {"item_code": "EXIT-01", "result": "pass"},
        ],
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"ELEC-01", "MGMT-03", "item_code"}
    response = client.put(path, {"item_code": "ELEC-01", "result": "pass"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"non_field_errors"}
    # Fixed on the spot is for failed "immediate" items only (ELEC-01 is ordinary).
    fixed = [{"item_code": "ELEC-01", "result": "fail", "fixed_on_spot": True}]
    response = client.put(path, fixed, format="json")
    assert_status(response, 400)
    assert "当场整改" in response.data["ELEC-01"][0]


def test_the_measured_value_decides_the_result(district, personas, checklist):
    client = api_client(personas.grid_worker)
    path = url("inspections", draft_of(district), "answers/")
    body = [
        {"item_code": "MGMT-03", "result": "pass", "measured_value": "4.5"},
        {"item_code": "GAS-04", "result": "fail", "measured_value": "0.5"},  # hose ≤ 2 m
    ]
    response = client.put(path, body, format="json")
    assert_status(response, 200)
    results = {a["item_code"]: (a["result"], a["measured_value"]) for a in response.data}
    assert results == {"MGMT-03": ("fail", "4.50"), "GAS-04": ("pass", "0.50")}


def test_submit_with_a_missing_applicable_item_is_a_400(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    answers = payload_for(inspection)
    missing = answers.pop()["item_code"]
    response = client.post(
        url("inspections", inspection, "submit/"), {"outcome": "inspected", "answers": answers}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"answers"}
    assert missing in response.data["answers"][0]
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    assert not Hazard.objects.exists()


def test_submit_validates_outcome_answers_and_rooms(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    path = url("inspections", inspection, "submit/")
    response = client.post(path, {"answers": []}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"outcome"}
    response = client.post(
        path, {"outcome": "inspected", "answers": [{"item_code": "SEP-02", "result": "bad"}]}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"SEP-02"}
    other_room = t.make_room(district.shop_a, "S1")
    response = client.post(path, {"outcome": "vacant", "rooms": [other_room.pk]}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"rooms"}
    response = client.post(path, {"outcome": "vacant", "rooms": [district.room_b.pk]}, format="json")
    assert_status(response, 400)  # out of scope: unknown
    assert set(response.data) == {"rooms"}
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT


def test_a_locked_door_schedules_a_return_visit(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    with time_machine.travel(dt.datetime(2019, 10, 8, 10, tzinfo=dt.UTC)):
        response = client.post(
            url("inspections", inspection, "submit/"),
            {"outcome": "locked", "note": "敲门无人"},
            format="json",
        )
    assert_status(response, 200)
    assert (response.data["outcome"], response.data["outcome_display"]) == ("locked", "锁门")
    assert response.data["return_visit_due"] == "2019-10-11"
    assert response.data["note"] == "敲门无人"
    owed = client.get(url("inspections"), {"return_visit": "true"})
    assert list_ids(owed) == {inspection.pk}
    assert list_ids(client.get(url("inspections"), {"outcome": "locked", "status": "submitted"})) == {
        inspection.pk
    }
    visited(district.premises_a, VisitOutcome.VACANT)  # covered now: nothing owed
    assert list_ids(client.get(url("inspections"), {"return_visit": "true"})) == set()


def hazard_row(client, hazard) -> dict:
    response = client.get(url("hazards", hazard))
    assert_status(response, 200)
    return response.data


def test_recheck_moves_to_awaiting_acceptance_and_acceptance_closes(district, personas, checklist):
    client = api_client(personas.grid_worker)
    hazard = hazard_of(district)
    row = hazard_row(client, hazard)
    assert (row["status"], row["bucket"], row["colour"]) == ("open", "to_fix", "red")
    assert row["bucket_display"] == "待整改"

    def visit(kind):
        start = client.post(
            url("inspections"), {"premises": district.premises_a.pk, "kind": kind}, format="json"
        )
        assert_status(start, 201)
        inspection = Inspection.objects.get(pk=start.data["id"])
        body = {"outcome": "inspected", "answers": payload_for(inspection)}
        assert_status(client.post(url("inspections", inspection, "submit/"), body, format="json"), 200)
        return inspection

    visit(InspectionKind.RECHECK)
    row = hazard_row(client, hazard)
    assert (row["status"], row["bucket"], row["colour"]) == ("awaiting_acceptance", "to_recheck", "orange")
    visit(InspectionKind.PATROL)
    assert hazard_row(client, hazard)["status"] == "awaiting_acceptance"
    acceptance = visit(InspectionKind.ACCEPTANCE)
    row = hazard_row(client, hazard)
    assert (row["status"], row["bucket"], row["colour"]) == ("accepted", "removed", "green")
    assert row["closed_by"] == acceptance.pk and row["closed_at"]
    assert list_ids(client.get(url("hazards"), {"bucket": "removed"})) == {hazard.pk}
    assert list_ids(client.get(url("hazards"), {"bucket": "to_fix"})) == set()


def test_fixed_on_the_spot_needs_an_after_photo_then_closes_at_once(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    fixed = {"item_code": "EXIT-01", "result": "fail", "fixed_on_spot": True, "note": "清理堆物"}
    answers = [a for a in payload_for(inspection) if a["item_code"] != "EXIT-01"] + [fixed]
    # The answer is autosaved first: a photo belongs to a stored answer (a refused submit stores none).
    assert_status(client.put(url("inspections", inspection, "answers/"), [fixed], format="json"), 200)
    path = url("inspections", inspection, "submit/")
    response = client.post(path, {"outcome": "inspected", "answers": answers}, format="json")
    assert_status(response, 400)
    assert "整改后照片" in response.data["answers"][0]
    photo = client.post(
        url("inspections", inspection, "photos/"), {"file": jpeg(), "item_code": "EXIT-01", "role": "after"}
    )
    assert_status(photo, 201)
    assert_status(client.post(path, {"outcome": "inspected", "answers": answers}, format="json"), 200)
    row = hazard_row(client, Hazard.objects.get(inspection=inspection))
    assert (row["status"], row["bucket"], row["colour"]) == ("fixed_on_spot", "removed", "green")
    assert row["deadline"] is None and row["closed_by"] == inspection.pk


# --- photos ----------------------------------------------------------------------------------------------


def test_photos_are_uploaded_and_listed_with_their_urls(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    path = url("inspections", inspection, "photos/")
    response = client.post(path, {"file": jpeg(), "item_code": "ELEC-01"})
    assert_status(response, 400)
    assert set(response.data) == {"item_code"}  # answer the item first
    s.save_answers(inspection, [A("ELEC-01", AnswerResult.FAIL)], actor=personas.grid_worker)
    response = client.post(path, {"file": jpeg(), "item_code": "ELEC-01"})
    assert_status(response, 201)
    assert (response.data["item_code"], response.data["role"]) == ("ELEC-01", "evidence")
    assert response.data["uploaded_by_name"] == "wanggy"
    assert_status(client.post(path, {"file": jpeg()}), 201)  # a photo of the visit, no item
    photo = Photo.objects.get(pk=response.data["id"])
    assert audit_actions(photo) == [AuditAction.CREATE]

    listing = client.get(path)
    assert_status(listing, 200)
    assert listing.data["count"] == 2
    row = next(r for r in listing.data["results"] if r["id"] == photo.pk)
    assert row["image"].endswith(f"/inspections/photos/{photo.pk}/image/")
    assert row["thumbnail"].endswith(f"/inspections/photos/{photo.pk}/thumbnail/")
    assert client.get(row["image"]).status_code == 200  # served to someone in scope
    assert photo.image.url.startswith("/media/photos/") and photo.thumbnail.url != photo.image.url
    # The landlord may see the photos of their premises' inspections.
    assert api_client(personas.landlord).get(path).data["count"] == 2


def test_a_file_that_is_not_a_photo_is_refused_on_file(district, personas, checklist):
    client = api_client(personas.grid_worker)
    inspection = draft_of(district)
    path = url("inspections", inspection, "photos/")
    text = SimpleUploadedFile("photo.jpg", b"not a picture at all", content_type="image/jpeg")
    response = client.post(path, {"file": text})
    assert_status(response, 400)
    assert set(response.data) == {"file"}
    assert_status(client.post(path, {"role": "evidence"}), 400)
    assert_status(client.post(path, {"file": jpeg(), "role": "selfie"}), 400)
    assert not Photo.objects.exists()
    visited(district.premises_a, VisitOutcome.LOCKED)
    submitted = Inspection.objects.submitted().get()
    response = client.post(url("inspections", submitted, "photos/"), {"file": jpeg()})
    assert_status(response, 400)
    assert not Photo.objects.exists()


# --- hazards: void, filters, payload ------------------------------------------------------------------------


def test_void_needs_a_supervisor_and_a_reason(district, personas, checklist):
    hazard = hazard_of(district)
    path = url("hazards", hazard, "void/")
    assert_status(api_client(personas.grid_worker).post(path, {"reason": "录入错误"}, format="json"), 403)
    officer = api_client(personas.community_officer)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = officer.post(path, body, format="json")
        assert_status(response, 400)
        assert set(response.data) == {"reason"}
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.OPEN
    assert audit_actions(hazard) == [AuditAction.CREATE]

    response = officer.post(path, {"reason": "录入错误，实为邻户"}, format="json")
    assert_status(response, 200)
    assert (response.data["status"], response.data["bucket"], response.data["colour"]) == ("void", None, None)
    assert response.data["void_reason"] == "录入错误，实为邻户"
    entry = AuditEntry.objects.for_object(hazard).filter(action=AuditAction.UPDATE).get()
    assert (entry.actor, entry.reason) == (personas.community_officer, "录入错误，实为邻户")
    history = officer.get(url("hazards", hazard, "history/")).data["results"]
    assert [row["action"] for row in history] == [AuditAction.UPDATE, AuditAction.CREATE]
    # Only a hazard not yet removed may be voided.
    response = officer.post(path, {"reason": "再次作废"}, format="json")
    assert_status(response, 400)
    assert "non_field_errors" in response.data


def test_hazard_payload_and_filters(district, personas, checklist):
    hazard = hazard_of(district)
    client = api_client(personas.commander)
    row = hazard_row(client, hazard)
    assert (row["item_code"], row["category"]) == ("ELEC-01", "ELEC")
    assert row["item_title"] == hazard.item.title and row["category_name"] == checklist.category_name("ELEC")
    assert row["premises"] == district.premises_a.pk
    assert row["premises_label"] == str(district.premises_a)
    assert row["building_address"] == district.building_a.address
    assert (row["grid"], row["grid_name"]) == (district.grid_a.pk, district.grid_a.name)
    assert row["severity"] == "ordinary" and row["overdue"] is False
    assert row["deadline"] == str(timezone.localdate() + dt.timedelta(days=hazard.item.default_deadline_days))

    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        old = Hazard.objects.get(inspection=inspected(district.premises_b, fail=["EXIT-03"]))
    d = district

    def ids(**params):
        return list_ids(client.get(url("hazards"), params))

    assert ids() == {hazard.pk, old.pk}
    assert ids(area=d.s1.pk) == {hazard.pk}  # descendants included
    assert ids(area=d.c2.pk) == {old.pk}
    assert ids(item_code="EXIT-03") == {old.pk}
    assert ids(category="ELEC") == {hazard.pk}
    assert ids(severity="ordinary") == {hazard.pk, old.pk}
    assert ids(severity="red_line") == set()
    assert ids(status="open") == {hazard.pk, old.pk}
    assert ids(bucket="to_fix") == {hazard.pk, old.pk}
    assert ids(older_than_days=30) == {old.pk}
    assert ids(overdue="true") == {old.pk}  # EXIT-03: 30 days to fix, found 40 days ago
    assert ids(overdue="false") == {hazard.pk}
    assert hazard_row(client, old)["overdue"] is True
    assert ids(q="浮石路") == {old.pk}
    response = client.get(url("hazards"), {"bucket": "purple"})
    assert_status(response, 400)
    response = api_client(personas.grid_worker).get(url("hazards"), {"area": d.s2.pk})
    assert_status(response, 400)
    assert set(response.data) == {"area"}


def test_inspection_filters(district, personas, checklist):
    client = api_client(personas.commander)
    draft = draft_of(district)
    done = inspected(district.premises_b)

    def ids(**params):
        return list_ids(client.get(url("inspections"), params))

    assert ids(status="draft") == {draft.pk}
    assert ids(status="submitted", outcome="inspected") == {done.pk}
    assert ids(area=district.s2.pk) == {done.pk}
    assert ids(premises=district.premises_a.pk) == {draft.pk}
    assert ids(q="浮石路") == {done.pk}
    rows = client.get(url("inspections"), {"sort": "started_at"}).data["results"]
    assert [r["id"] for r in rows] == [draft.pk, done.pk]


# --- coverage --------------------------------------------------------------------------------------------


def count_of(client, link: str) -> int:
    path, _, query = link.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    response = client.get(path, params)
    assert_status(response, 200)
    return response.data["count"]


@pytest.mark.parametrize("persona", ["commander", "community_officer", "grid_worker"])
def test_coverage_figures_equal_the_counts_of_their_lists(district, personas, checklist, persona):
    d = district
    first = s.start_inspection(actor=scene_actor(), premises=d.premises_a)
    s.submit_inspection(  # covered, its room inspected
        first,
        actor=scene_actor(),
        outcome=VisitOutcome.INSPECTED,
        answers=answers_for(first),
        rooms=[d.room_a],
    )
    visited(d.shop_a, VisitOutcome.LOCKED)  # a return visit owed
    visited(d.premises_b, VisitOutcome.VACANT)  # covered, elsewhere
    t.make_premises(t.make_building(d.grid_a2), d.landlord_a, kind=PremisesKind.SHOP)  # never visited
    draft_of(district)  # drafts count nowhere

    user = getattr(personas, persona)
    client = api_client(user)
    params = {"area": d.d.pk} if persona == "commander" else {}
    response = client.get(url("coverage"), params)
    assert_status(response, 200)
    rows = response.data
    assert rows[0]["is_total"] and not any(row["is_total"] for row in rows[1:])
    checked = 0
    for row in rows:
        assert set(row["api_links"]) == {
            *(name for name, _ in FIGURES),
            *(f"outcome_{o}" for o in VisitOutcome),
        }
        for name, value in row["figures"].items():
            assert count_of(client, row["api_links"][name]) == value, (row["area"]["name"], name)
            checked += value
        for outcome, value in row["outcomes"].items():
            assert count_of(client, row["api_links"][f"outcome_{outcome}"]) == value, (
                row["area"]["name"],
                outcome,
            )
            checked += value
        assert row["links"]["premises_covered"].startswith("/registry/premises/?area=")
    assert checked > 0

    total = rows[0]
    if persona == "commander":
        assert [r["area"]["id"] for r in rows] == [d.d.pk, d.s1.pk, d.s2.pk]
        assert total["figures"]["premises"] == 4
        assert total["figures"]["premises_covered"] == 2
        assert total["figures"]["premises_return"] == 1
        assert total["figures"]["premises_never"] == 1
        assert total["survey_rate"] == 50.0
        assert (total["outcomes"]["inspected"], total["outcomes"]["locked"], total["outcomes"]["vacant"]) == (
            1,
            1,
            1,
        )
    if persona == "grid_worker":
        assert [r["area"]["id"] for r in rows] == [d.grid_a.pk]
        assert total["figures"]["rooms_inspected"] == 1
        assert total["figures"]["buildings_surveyed"] == 0  # the shop is owed a return visit


# --- checklist templates: versions through the API -----------------------------------------------------------


def test_template_versions_through_the_api(district, personas, checklist):
    admin = api_client(personas.admin)
    gw = personas.grid_worker
    old = s.start_inspection(actor=gw, premises=district.premises_a)
    base = url("checklist-templates", checklist)

    listing = api_client(gw).get(url("checklist-templates"))
    assert [(r["code"], r["is_current"], r["item_count"]) for r in listing.data["results"]] == [
        ("zj-2019.1", True, 62)
    ]
    items = api_client(gw).get(base + "items/", {"page_size": 100}).data
    assert items["count"] == 62 and items["results"][0]["code"] == "SEP-01"

    response = admin.post(base + "new-version/", {"code": "qj-2026.1"}, format="json")
    assert_status(response, 201)
    draft = ChecklistTemplate.objects.get(code="qj-2026.1")
    assert (response.data["status"], response.data["based_on_code"], response.data["item_count"]) == (
        "draft",
        "zj-2019.1",
        62,
    )
    assert_status(admin.post(base + "new-version/", {"code": "qj-2026.1"}, format="json"), 400)
    draft_url = url("checklist-templates", draft)

    response = admin.patch(draft_url + "parameters/", {"min_area_per_person_m2": 4}, format="json")
    assert_status(response, 200)
    assert response.data["parameters"]["min_area_per_person_m2"]["value"] == 4
    response = admin.patch(
        draft_url + "parameters/", {"no_such": 1, "max_persons_per_bedroom": "x"}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"no_such", "max_persons_per_bedroom"}
    response = admin.patch(draft_url + "parameters/", {"max_persons_per_bedroom": [3]}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"max_persons_per_bedroom"}
    assert_status(admin.patch(draft_url + "parameters/", {}, format="json"), 400)
    response = admin.patch(base + "parameters/", {"min_area_per_person_m2": 4}, format="json")
    assert_status(response, 400)  # a published version never changes
    assert "non_field_errors" in response.data

    response = admin.post(draft_url + "publish/")
    assert_status(response, 200)
    assert (response.data["status"], response.data["is_current"]) == ("published", True)
    assert_status(admin.post(draft_url + "publish/"), 400)
    assert audit_actions(draft) == [AuditAction.UPDATE, AuditAction.UPDATE, AuditAction.CREATE]

    # New inspections use the new version; the old one keeps its own (6 m² per person).
    client = api_client(gw)
    new = client.post(url("inspections"), {"premises": district.premises_a.pk}, format="json").data
    assert new["template_code"] == "qj-2026.1"
    new = Inspection.objects.get(pk=new["id"])
    old_list = client.get(url("inspections", old, "checklist/")).data
    measured = next(item for item in old_list["items"] if item["code"] == "MGMT-03")
    assert old_list["template"]["code"] == "zj-2019.1" and float(measured["threshold"]) == 6
    five = {"item_code": "MGMT-03", "result": "pass", "measured_value": "5"}
    for inspection in (old, new):
        answers = [a for a in payload_for(inspection) if a["item_code"] != "MGMT-03"] + [five]
        body = {"outcome": "inspected", "answers": answers}
        assert_status(client.post(url("inspections", inspection, "submit/"), body, format="json"), 200)
    assert Hazard.objects.get().inspection == old  # 5 < 6 fails there; 5 ≥ 4 passes here


@pytest.mark.parametrize("persona", ["grid_worker", "commander", "community_officer"])
def test_only_an_administrator_versions_templates(district, personas, checklist, persona):
    client = api_client(getattr(personas, persona))
    base = url("checklist-templates", checklist)
    assert_status(client.get(base), 200)
    assert_status(client.post(base + "new-version/", {"code": "x-1"}, format="json"), 403)
    draft = s.create_template_version(checklist, code="x-2", actor=personas.admin)
    draft_url = url("checklist-templates", draft)
    assert_status(client.patch(draft_url + "parameters/", {"min_area_per_person_m2": 4}, format="json"), 403)
    assert_status(client.post(draft_url + "publish/"), 403)
    draft.refresh_from_db()
    assert (draft.status, draft.parameter("min_area_per_person_m2")) == ("draft", 6)
    assert not ChecklistTemplate.objects.filter(code="x-1").exists()


@pytest.mark.parametrize("persona", ["liaison", "landlord"])
def test_roles_without_templates_get_403(district, personas, checklist, persona):
    client = api_client(getattr(personas, persona))
    assert_status(client.get(url("checklist-templates")), 403)
    assert_status(client.get(url("checklist-templates", checklist)), 403)
    assert_status(client.get(url("checklist-templates", checklist, "items/")), 403)


class TestCoverageApi(ApiScopeMatrix):
    """Coverage is a report: one list of rows per area, no object page, no history, no writes."""

    prefix = "coverage"
    has_detail = False
    has_history = False
    writes = frozenset()
    outsider = "outsider"
    forbidden = "liaison"  # sees no areas
    reader = None
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return district.grid_a  # the rows are areas

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        # No object page to be refused: grid A is absent from the outsider's rows, and asking for its
        # coverage is an error on the `area` filter (the ids of areas in scope only).
        client = api_client(personas.outsider)
        response = client.get(self.list_url())
        assert_status(response, 200)
        assert [row["area"]["id"] for row in response.data] == [district.grid_b.pk]
        response = client.get(self.list_url(), {"area": district.grid_a.pk})
        assert_status(response, 400)
        assert set(response.data) == {"area"}

    def test_list_query_count_does_not_grow_with_rows(self, district, personas, checklist):
        # The rows are a fixed set of areas; what grows is what they count.
        def measure() -> tuple[int, int]:
            client = api_client(fresh(personas.subdistrict_officer))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(self.list_url())
            assert_status(response, 200)
            total = next(row for row in response.data if row["is_total"])
            return len(queries), total["figures"]["premises_covered"]

        inspected(district.premises_a)
        few_queries, few_covered = measure()
        for i in range(10):
            inspected(t.make_premises(district.building_a, district.landlord_a, unit_label=f"{i + 3}楼"))
        many_queries, many_covered = measure()
        assert many_covered == few_covered + 10
        assert many_queries == few_queries
