"""Schemathesis over the whole /api/v1/ OpenAPI schema (issue 10): every operation — GET, POST, PUT, PATCH,
DELETE — is called with generated data (valid and invalid) as the system administrator and as a grid
worker, and must answer without a server error, with a body that matches the schema (no `null` where a
string is promised) and no Python object repr where a value belongs (`<method-wrapper '__str__' of
NoneType …>`).

Bounded to run in the normal suite: a few examples per operation, derandomized (the same calls on every
run and in CI), no shrinking, no example database. One scene (the conftest's small district, a plan with
its notice, an inspection, a campaign …) is built once; each call runs inside a savepoint rolled back after
it, so a DELETE or a move leaves the next call the same scene. Path ids the generator makes are replaced by
the scene's ids (integer body fields named after a model by that model's id, `version` by the row's), so
calls reach real rows instead of answering 404, 400 or 409 to almost everything.

Below the fuzzing, the fixes it led to are checked for every serializer at once (no data needed).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.db.models import Model
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.fields import empty
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from firegrid.api_urls import router
from firegrid.areas.models import User
from firegrid.campaigns.models import CampaignTarget, Claim, WorkGroup
from firegrid.conftest import assert_status
from firegrid.core.api.fields import LabelField
from firegrid.inspections import services as inspection_services
from firegrid.inspections.api.serializers import HazardSerializer, InspectionSerializer
from firegrid.inspections.models import Hazard, Inspection
from firegrid.inspections.photos import attach, process_photo
from firegrid.outreach.models import Booking, Contractor, OutreachKind, OutreachRecord, Slot, Trade, WorkPhoto
from firegrid.rectification import services as rectification_services
from firegrid.rectification.api.serializers import DocumentSerializer
from firegrid.rectification.choices import DocumentKind, MoveName
from firegrid.rectification.models import (
    Document,
    EnforcementAction,
    EnforcementAttachment,
    EscalationStep,
    ProofPhoto,
)
from firegrid.rectification.tests.scenes import scene_plan
from firegrid.reports import services as report_services
from firegrid.reports.testing import make_campaign, target
from firegrid.tasks.models import Task

# Examples per operation, valid and invalid data mixed. About 180 operations × 6 is about 1,100 calls as the
# administrator (a third as many as the grid worker): within a minute or two on two cores. FIREGRID_FUZZ_EXAMPLES=50 digs deeper by hand (the same seed, more calls).
MAX_EXAMPLES = int(os.environ.get("FIREGRID_FUZZ_EXAMPLES", "6"))
SEED = 10  # issue 10

CONFIG = schemathesis.Config.from_dict({"seed": SEED})
# Derandomized: the same calls on every run and in CI. No shrinking (a failure is reported as found, not
# minimised) and no example database (nothing written under the repository).
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# A value that reads like a Python object's repr: a method, a bound method, `<… object at 0x…>`.
PYTHON_REPR = re.compile(r"<(method-wrapper|bound method|built-in method|function) |<[\w.]+ object at 0x")


def no_python_reprs(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """A JSON body holds no string that is a Python object's repr (a method passed where its result
    belonged, as booking `item_label` and task `assignee_name` once were)."""
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return None
    found = [
        value for value in _strings(json.loads(response.content or b"null")) if PYTHON_REPR.search(value)
    ]
    assert not found, f"Python object reprs in the response: {found[:3]}"
    return True


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


CHECKS = [not_a_server_error, response_schema_conformance, no_python_reprs]


class SameConnectionApp:
    """Django's WSGI handler as the test client runs it: the request signals must not close the test's
    connection (on PostgreSQL that would end the transaction the test's rows live in)."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@functools.cache
def raw_schema() -> dict[str, Any]:
    """The schema as `/api/schema/` serves it (read once per run: it does not depend on the data)."""
    client = APIClient()
    # An unsaved user: the schema needs someone signed in and writes nothing.
    client.force_authenticate(User(username="reader", role="grid_worker"))
    response = client.get("/api/schema/", {"format": "json"})
    assert_status(response, 200)
    return json.loads(response.content)


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class Scene:
    """What the calls are pointed at: `ids` by path prefix for `{id}` (and "prefix/name" for the other path
    parameters), `fields` by body field name, `versions` by path prefix (the version an update must send)."""

    ids: dict[str, int]
    fields: dict[str, Any]
    versions: dict[str, int]


@pytest.fixture
def scene(district, personas, checklist) -> Scene:
    """One row of every kind the API serves, in the district the conftest builds."""
    d, admin = district, personas.admin
    now, today = timezone.now(), timezone.localdate()

    plan = scene_plan(d.premises_a)
    item = plan.items.order_by("pk").first()
    rectification_services.notify_plan(plan, actor=admin)
    notice = plan.documents.get(kind=DocumentKind.NOTICE)
    proof = attach(ProofPhoto(item=item, uploaded_by=admin, uploaded_at=now), process_photo(jpeg()))
    proof.save()
    draft = inspection_services.start_inspection(actor=admin, premises=d.premises_b)
    # A building's own visit (its area-level items) has no premises: lists show it with a null label.
    inspection_services.start_inspection(actor=admin, building=d.building_a)

    enforcement = EnforcementAction.objects.create(
        premises=d.premises_a, kind="warning", department=d.fire, date=today, recorded_by=admin
    )
    attachment = EnforcementAttachment(action=enforcement, name="notice.jpg")
    attachment.file.save("notice.jpg", jpeg(), save=True)
    step = EscalationStep.objects.create(district=d.d, days_overdue=3, move=MoveName.ESCALATE)

    contractor = Contractor.objects.create(name="王师傅电工队", trade=Trade.ELECTRICIAN, mobile="13900000001")
    contractor.areas.set([d.s1])
    start = (now + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    slot = Slot.objects.create(contractor=contractor, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    booking = Booking.objects.create(slot=slot, plan=plan, booked_by=admin)
    work_photo = attach(WorkPhoto(booking=booking, uploaded_by=admin, uploaded_at=now), process_photo(jpeg()))
    work_photo.save()
    outreach = OutreachRecord.objects.create(
        kind=OutreachKind.MEETING, area=d.grid_a, held_on=today, recorded_by=admin, attendance=40
    )
    task = Task.objects.create(
        title="网格任务", area=d.grid_a, origin_area=d.c1, due_on=today + dt.timedelta(days=7)
    )

    campaign = make_campaign(days_before=30)
    campaign.areas.set([d.s1, d.s2])
    target(campaign, d.premises_a, d.premises_b)
    campaign_target = CampaignTarget.objects.get(campaign=campaign, premises=d.premises_a)
    work_group = WorkGroup.objects.create(campaign=campaign, name="樟潭工作组", leader=personas.grid_worker)
    work_group.areas.set([d.c1])
    claim = Claim.objects.create(campaign=campaign, landlord=d.landlord_a, unit=d.unit, claimed_by=admin)
    snapshot = report_services.generate_snapshot(campaign, today - dt.timedelta(days=1))

    ids = {
        "areas": d.grid_a.pk,
        "departments": d.fire.pk,
        "units": d.unit.pk,
        "buildings": d.building_a.pk,
        "premises": d.premises_a.pk,
        "rooms": d.room_a.pk,
        "landlords": d.landlord_a.pk,
        "tenant-households": d.tenant_a.pk,
        "checklist-templates": checklist.pk,
        "inspections": draft.pk,
        "hazards": item.hazard_id,
        "plans": plan.pk,
        "plan-items": item.pk,
        "plan-documents": notice.pk,
        "enforcement-actions": enforcement.pk,
        "escalation-steps": step.pk,
        "outreach-records": outreach.pk,
        "tasks": task.pk,
        "contractors": contractor.pk,
        "bookings": booking.pk,
        "campaigns": campaign.pk,
        "work-groups": work_group.pk,
        "campaign-targets": campaign_target.pk,
        "claims": claim.pk,
        "daily-reports": snapshot.pk,
        # Other path parameters, keyed by the prefix they follow.
        "plan-items/photo_id": proof.pk,
        "bookings/photo_id": work_photo.pk,
        "contractors/slot_id": slot.pk,
        "enforcement-actions/attachment_id": attachment.pk,
    }
    # Body fields naming a model get that model's row (the generator's integers are no one's id).
    fields = {
        "area": d.grid_a.pk,
        "areas": [d.c1.pk],
        "grid": d.grid_a.pk,
        "building": d.building_a.pk,
        "premises": d.premises_a.pk,
        "room": d.room_a.pk,
        "landlord": d.landlord_a.pk,
        "unit": d.unit.pk,
        "employer_unit": d.unit.pk,
        "department": d.fire.pk,
        "departments": [d.fire.pk],
        "plan": plan.pk,
        "slot": slot.pk,
        "campaign": campaign.pk,
        "template": checklist.pk,
        "hazards": [item.hazard_id],
        "leader": personas.grid_worker.pk,
        "members": [personas.grid_worker.pk],
        "assignee": personas.grid_worker.pk,
        "officer": admin.pk,
    }
    versions = {
        prefix: version
        for prefix, viewset, _basename in router.registry
        if prefix in ids and hasattr(model := viewset.queryset.model, "version")
        for version in model.objects.filter(pk=ids[prefix]).values_list("version", flat=True)
    }
    return Scene(ids=ids, fields=fields, versions=versions)


def prefix_of(operation: schemathesis.APIOperation) -> str:
    return operation.path.removeprefix("/api/v1/").split("/")[0]


def path_parameters(operation: schemathesis.APIOperation, scene: Scene) -> dict[str, Any]:
    """The scene's ids for the operation's path parameters (`{id}` by the path's prefix, the others by
    prefix and name), the generator's for the rest (`{variant}`, an enum)."""
    prefix = prefix_of(operation)
    names = re.findall(r"{(\w+)}", operation.path)
    keys = {name: prefix if name == "id" else f"{prefix}/{name}" for name in names}
    return {name: scene.ids[key] for name, key in keys.items() if key in scene.ids}


def point_body_at_scene(case: schemathesis.Case, scene: Scene) -> None:
    """Integer body fields named after a model get the scene's row, and `version` the row's version: the
    generator's numbers are nobody's id and a stale version, and such a call never reaches the service."""
    if not isinstance(case.body, dict):
        return
    real_values = {**scene.fields, "version": scene.versions.get(prefix_of(case.operation))}
    for name, value in case.body.items():
        real = real_values.get(name)
        if real is not None and type(value) is type(real):
            case.body[name] = real


# The system administrator reaches every operation; a grid worker of grid A (fewer calls) walks the same
# operations through scope: refusals must be 403/404, never a 500 from code that assumed a district-wide user.
@pytest.mark.parametrize(
    "persona, examples", [("admin", MAX_EXAMPLES), ("grid_worker", max(MAX_EXAMPLES // 3, 1))]
)
def test_every_operation_answers_without_a_server_error_and_as_its_schema_says(
    scene: Scene, personas: SimpleNamespace, persona: str, examples: int
) -> None:
    schema = schemathesis.openapi.from_dict(raw_schema(), config=CONFIG)
    schema.app = SameConnectionApp()
    token = Token.objects.create(user=getattr(personas, persona))
    headers = {"Authorization": f"Token {token.key}"}
    failures: dict[str, str] = {}
    answers: Counter[str] = Counter()  # "GET 200" → calls

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        fixed = path_parameters(operation, scene)
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
        )

        @settings(SETTINGS, max_examples=examples)
        @given(case=strategy)
        def call(case: schemathesis.Case) -> None:
            point_body_at_scene(case, scene)
            # A savepoint per call: whatever the call changes (or breaks) is undone before the next one.
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            answers[f"{case.method} {response.status_code}"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            call()
        # Every operation is run and the failures reported together (schemathesis raises its findings as a
        # BaseExceptionGroup).
        except (Exception, BaseExceptionGroup) as exc:
            failures[operation.label] = str(exc)[:2000]

    # Shown with -s: how many calls reached the views (2xx) rather than stopping at validation (4xx).
    print(f"\n{len(operations)} operations, {answers.total()} calls:", dict(sorted(answers.items())))
    assert not failures, "\n\n".join(f"=== {label}\n{message}" for label, message in failures.items())


# --- what the fuzzing found, checked for every serializer --------------------------------------------------


def model_serializers() -> list[type[serializers.ModelSerializer]]:
    """Every model serializer of the API (importing `router` above imported them all)."""
    found: list[type[serializers.ModelSerializer]] = []
    todo: list[type[serializers.ModelSerializer]] = [serializers.ModelSerializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("firegrid.") and hasattr(getattr(sub, "Meta", None), "model"):
                found.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__qualname__))


def may_be_missing(model: type[Model], path: list[str]) -> bool:
    """Whether following the relations `path` from `model` can meet no object (a nullable foreign key,
    or the reverse side of a one-to-one)."""
    for name in path:
        field = model._meta.get_field(name)
        if (field.one_to_one and field.auto_created) or getattr(field, "null", False):
            return True
        model = field.related_model
    return False


def test_fields_read_through_a_relation_that_may_be_missing_are_nullable():
    # `area_name` of a unit without an area was null while the schema promised a string (24 operations of
    # issue 10); `premises.__str__` of a building's visit was "<method-wrapper '__str__' of NoneType …>".
    wrong = []
    for serializer_class in model_serializers():
        model = serializer_class.Meta.model
        for name, field in serializer_class().fields.items():
            *path, last = field.source.split(".")
            if isinstance(field, LabelField) or not path or not may_be_missing(model, path):
                continue
            if last == "__str__":
                wrong.append(f"{serializer_class.__name__}.{name}: use LabelField(source={'.'.join(path)!r})")
            elif not field.allow_null or field.default is not empty:
                # Not a default either: DRF skips it on a partial update, and the PATCH answer lacked the field.
                wrong.append(f"{serializer_class.__name__}.{name}: allow_null=True, without a default")
    assert wrong == []


def test_read_only_choices_that_may_be_blank_allow_blank():
    # DRF drops `allow_blank` from read-only model fields, so the schema's enum left out the "" of a draft
    # inspection's outcome and of a plan's first move's `from_state`.
    wrong = [
        f"{serializer_class.__name__}.{name}"
        for serializer_class in model_serializers()
        for name, field in serializer_class().fields.items()
        if isinstance(field, serializers.ChoiceField)
        and not field.allow_blank
        and field.source in {f.name for f in serializer_class.Meta.model._meta.concrete_fields}
        and serializer_class.Meta.model._meta.get_field(field.source).blank
    ]
    assert wrong == []


def test_a_missing_related_object_is_null_in_the_response_and_in_the_schema():
    components = raw_schema()["components"]["schemas"]
    for component, name in [
        ("Area", "parent_name"),
        ("Unit", "area_name"),
        ("Department", "area_name"),
        ("Landlord", "employer_unit_name"),
        ("TenantHousehold", "room_number"),
        ("ChecklistTemplate", "based_on_code"),
        ("Photo", "item_code"),
        ("Inspection", "premises_label"),
        ("Hazard", "premises_label"),
        ("Plan", "landlord_name"),
        ("Plan", "campaign_name"),
        ("Document", "issued_by_name"),
    ]:
        assert components[component]["properties"][name].get("nullable") is True, (component, name)
    for serializer_class, name, row in [
        (InspectionSerializer, "premises_label", Inspection(premises=None)),
        (HazardSerializer, "premises_label", Hazard(premises=None)),
        (DocumentSerializer, "issued_by_name", Document(issued_by=None)),
    ]:
        assert serializer_class().fields[name].get_attribute(row) is None


def test_a_patch_answers_with_every_field_when_a_relation_is_missing(district, personas):
    # With `default=None` the field was skipped in a partial update's answer: "area_name" is required.
    client = APIClient()
    client.force_authenticate(personas.admin)
    response = client.patch(f"/api/v1/departments/{district.fire.pk}/", {"version": 1}, format="json")
    assert_status(response, 200)
    assert response.data["area_name"] is None
    task = Task.objects.create(title="部门任务", department=district.fire, due_on=timezone.localdate())
    response = client.patch(f"/api/v1/tasks/{task.pk}/", {"version": task.version}, format="json")
    assert_status(response, 200)
    assert (response.data["area_name"], response.data["department_name"]) == ("", district.fire.name)


def test_blank_choices_are_in_the_schema(district, personas, checklist):
    components = raw_schema()["components"]["schemas"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    assert blank in components["Inspection"]["properties"]["outcome"]["oneOf"]
    assert blank in components["PlanMove"]["properties"]["from_state"]["oneOf"]
    draft = inspection_services.start_inspection(actor=personas.admin, premises=district.premises_a)
    assert InspectionSerializer(draft).data["outcome"] == ""
