"""The rectification API of documents (scope, PDF, reissue) and enforcement actions (the persona walk,
recording, rules per field)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import ApiScopeMatrix, api_client, audit_actions, list_ids
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction
from firegrid.rectification import services as s
from firegrid.rectification.choices import DocumentStatus
from firegrid.rectification.models import (
    Document,
    EnforcementAction,
)
from firegrid.rectification.tests.scenes import (
    jpeg,
    plan_of,
    scene_actor,
    scene_plan,
    url,
)

pytestmark = pytest.mark.django_db

# --- documents ---------------------------------------------------------------------------------------------


def test_documents_are_scoped_and_reissued(district, personas, checklist):
    gw = personas.grid_worker
    plan = s.notify_plan(plan_of(district), actor=gw)
    notice = plan.documents.get()
    other = s.notify_plan(scene_plan(district.premises_b), actor=scene_actor()).documents.get()
    assert list_ids(api_client(gw).get(url("plan-documents"))) == {notice.pk}
    assert list_ids(api_client(personas.landlord).get(url("plan-documents"))) == {notice.pk}
    assert_status(api_client(personas.landlord).get(url("plan-documents", other)), 404)
    assert_status(api_client(personas.outsider).get(url("plan-documents", notice)), 404)
    detail = api_client(personas.landlord).get(url("plan-documents", notice))
    assert_status(detail, 200)
    assert detail.data["content"]["serial"] == notice.serial and detail.data["content"]["hazards"]
    assert_status(api_client().get(url("plan-documents", notice, "pdf/")), 401)

    path = url("plan-documents", notice, "reissue/")
    assert_status(api_client(personas.landlord).post(path, {"reason": "地址更正"}, format="json"), 403)
    assert_status(api_client(personas.outsider).post(path, {"reason": "地址更正"}, format="json"), 404)
    response = api_client(gw).post(path, {}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"reason"}
    response = api_client(gw).post(path, {"reason": "地址更正"}, format="json")
    assert_status(response, 201)
    assert response.data["supersedes"] == notice.pk and response.data["serial"] != notice.serial
    notice.refresh_from_db()
    assert notice.status == DocumentStatus.SUPERSEDED
    response = api_client(gw).post(path, {"reason": "再次更正"}, format="json")
    assert_status(response, 400)  # only the newest may be reissued
    assert "最新的文书" in response.data["non_field_errors"][0]
    assert list_ids(api_client(gw).get(url("plan-documents"), {"status": DocumentStatus.ISSUED})) == {
        response_id
        for response_id in Document.objects.filter(plan=plan, status=DocumentStatus.ISSUED).values_list(
            "pk", flat=True
        )
    }


def test_document_pdf(district, personas, checklist):
    pytest.importorskip("firegrid.core.pdf")
    pytest.importorskip("weasyprint")
    plan = s.notify_plan(plan_of(district), actor=personas.grid_worker)
    notice = plan.documents.get()
    response = api_client(personas.landlord).get(
        url("plan-documents", notice, "pdf/"), HTTP_ACCEPT="application/pdf"
    )
    assert_status(response, 200)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = t.pdf_text(response.content)
    assert notice.serial in text
    again = api_client(personas.grid_worker).get(url("plan-documents", notice, "pdf/"))
    assert again.content == response.content  # a reprint is the kept file


# --- enforcement actions -----------------------------------------------------------------------------------


def enforcement_of(district) -> EnforcementAction:
    if not hasattr(district, "action_a"):
        district.action_a = EnforcementAction.objects.create(
            premises=district.premises_a,
            kind="no_entry",
            department=district.fire,
            date=timezone.localdate(),
            recorded_by=scene_actor(),
        )
    return district.action_a


class TestEnforcementActionApi(ApiScopeMatrix):
    prefix = "enforcement-actions"
    outsider = "outsider"
    reader = None  # recorded, never edited: the writes are walked below
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    def target(self, district):
        return enforcement_of(district)

    def add_rows(self, district, n):
        for _ in range(n):
            EnforcementAction.objects.create(
                premises=district.premises_a,
                kind="warning",
                legal_basis="消防法第六十条",
                department=district.fire,
                date=timezone.localdate(),
                recorded_by=scene_actor(),
            )

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


def test_recording_enforcement_walk(district, personas, checklist):
    today = timezone.localdate().isoformat()
    payload = {
        "premises": district.premises_a.pk,
        "kind": "warning",
        "legal_basis": "消防法第六十条",
        "date": today,
    }
    assert_status(api_client().post(url("enforcement-actions"), payload, format="json"), 401)
    # A community officer of another subdistrict: the premises id is unknown to them.
    outsider = t.make_user("fushi", Role.COMMUNITY_OFFICER, [district.c2], department=district.fire)
    response = api_client(outsider).post(url("enforcement-actions"), payload, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"premises"}
    # Grid workers and the command see enforcement but do not record it.
    for persona in ("grid_worker", "commander"):
        assert_status(
            api_client(getattr(personas, persona)).post(url("enforcement-actions"), payload, format="json"),
            403,
        )
    assert_status(
        api_client(personas.grid_worker).patch(
            url("enforcement-actions", enforcement_of(district)), {"note": "x"}, format="json"
        ),
        405,
    )
    assert EnforcementAction.objects.count() == 1
    # An officer without a department names one.
    officer = api_client(personas.community_officer)
    response = officer.post(url("enforcement-actions"), payload, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"department"}
    response = officer.post(
        url("enforcement-actions"),
        {**payload, "department": district.fire.pk, "attachments": [jpeg("警告书.jpg"), jpeg("现场.jpg")]},
        format="multipart",
    )
    assert_status(response, 201)
    recorded = EnforcementAction.objects.get(pk=response.data["id"])
    assert audit_actions(recorded) == [AuditAction.CREATE]
    assert [a["name"] for a in response.data["attachments"]] == ["警告书.jpg", "现场.jpg"]
    attachment = api_client(personas.grid_worker).get(response.data["attachments"][0]["url"])
    assert_status(attachment, 200)
    assert b"".join(attachment.streaming_content)[:2] == b"\xff\xd8"
    assert_status(api_client(personas.outsider).get(response.data["attachments"][0]["url"]), 404)
    assert list_ids(
        api_client(personas.grid_worker).get(url("enforcement-actions"), {"kind": "warning"})
    ) == {recorded.pk}


def test_enforcement_rules_come_back_per_field(district, personas, checklist):
    fire = api_client(personas.fire_officer)
    today = timezone.localdate().isoformat()
    base = {"premises": district.premises_a.pk, "date": today, "legal_basis": "消防法第七十条"}
    response = fire.post(url("enforcement-actions"), {**base, "kind": "fine"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"fine_amount"}
    response = fire.post(
        url("enforcement-actions"), {**base, "kind": "sealing", "period_days": 45}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"period_days"}
    response = fire.post(
        url("enforcement-actions"), {**base, "kind": "warning", "legal_basis": ""}, format="json"
    )
    assert_status(response, 400)
    assert set(response.data) == {"legal_basis"}
    response = fire.post(
        url("enforcement-actions"),
        {**base, "kind": "warning", "plan": scene_plan(district.premises_b).pk},
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"plan"}
    assert not EnforcementAction.objects.exists()
