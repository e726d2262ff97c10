"""The OpenAPI schema and docs page, and the API's error shapes."""

from __future__ import annotations

import pytest
import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from rest_framework.test import APIClient

from firegrid.api_urls import router
from firegrid.conftest import assert_status
from firegrid.core.api.errors import exception_handler
from firegrid.core.api.serializers import PERSONAL_FIELD_CHOICES
from firegrid.core.masking import MASKERS
from firegrid.registry.models import Landlord, TenantHousehold

PREFIXES = [
    "areas",
    "departments",
    "units",
    "buildings",
    "premises",
    "rooms",
    "landlords",
    "tenant-households",
    "checklist-templates",
    "inspections",
    "hazards",
    "plans",
    "plan-documents",
    "enforcement-actions",
    "escalation-steps",
    "outreach-records",
    "tasks",
    "contractors",
    "bookings",
    "campaigns",
    "work-groups",
    "campaign-targets",
    "claims",
    "risk-grades",
    "risk-rule-sets",
    "self-inspections",
    "verification-draws",
    "self-inspection-misses",
    # Patrols (巡查)
    "patrol-teams",
    "patrols",
    "patrol-scans",
    "patrol-findings",
    "fabrication-flags",
    # Monitoring (物联感知)
    "devices",
    "alert-cases",
    # Points (积分)
    "points-entries",
    "points-rule-sets",
    "year-end-evaluations",
    "nominations",
]
# Endpoints that are not a model's: a report with a list only.
REPORT_PREFIXES = ["coverage", "queue"]
# A model's actions without its own list or detail: a plan's items are read and edited with the plan.
ACTION_PREFIXES = ["plan-items"]
# Read-only lists and details without history (frozen snapshots), with their own actions.
SNAPSHOT_PREFIXES = ["daily-reports", "landlord-points"]
# Ledger import (台账导入): jobs and saved mappings, a user's own, without history (not Records).
LEDGER_PREFIXES = ["ledger-imports", "ledger-mappings"]


def signed_in_client() -> APIClient:
    # An unsaved user: the schema needs someone signed in, and nothing may leak into other tests' data.
    from firegrid.areas.models import User

    client = APIClient()
    client.force_authenticate(User(username="reader", role="grid_worker"))
    return client


def test_schema_and_docs_need_a_signed_in_user(db):
    assert APIClient().get("/api/schema/").status_code == 401
    assert APIClient().get("/api/docs/").status_code == 401


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = signed_in_client().get("/api/schema/")
    assert_status(response, 200)
    return yaml.safe_load(response.content)


def test_every_model_is_registered_under_its_glossary_name():
    assert sorted(prefix for prefix, _viewset, _basename in router.registry) == sorted(
        PREFIXES + REPORT_PREFIXES + ACTION_PREFIXES + SNAPSHOT_PREFIXES + LEDGER_PREFIXES
    )
    assert all(prefix == basename for prefix, _viewset, basename in router.registry)


def test_schema_contains_every_path(schema):
    expected = {"/api/v1/me/", "/api/v1/auth/token/"}
    for prefix in PREFIXES:
        # A risk grade's key is its premises' (its primary key), and the path says so.
        key = "{premises}" if prefix == "risk-grades" else "{id}"
        expected |= {f"/api/v1/{prefix}/", f"/api/v1/{prefix}/{key}/", f"/api/v1/{prefix}/{key}/history/"}
    expected |= {
        "/api/v1/landlords/{id}/reveal/",
        "/api/v1/tenant-households/{id}/reveal/",
        "/api/v1/units/{id}/reveal/",
    }
    # Tenant moves (流管通).
    expected |= {
        "/api/v1/tenant-households/move-in/",
        "/api/v1/tenant-households/{id}/move-out/",
        "/api/v1/tenant-households/{id}/confirm/",
    }
    expected |= {f"/api/v1/{prefix}/" for prefix in REPORT_PREFIXES}
    expected |= {f"/api/v1/{prefix}/" for prefix in SNAPSHOT_PREFIXES}
    expected |= {f"/api/v1/{prefix}/{{id}}/" for prefix in SNAPSHOT_PREFIXES}
    expected |= {"/api/v1/daily-reports/generate/"}
    expected |= {
        f"/api/v1/checklist-templates/{{id}}/{action}/"
        for action in ("items", "new-version", "parameters", "publish")
    }
    expected |= {
        f"/api/v1/inspections/{{id}}/{action}/" for action in ("checklist", "answers", "submit", "photos")
    }
    expected |= {"/api/v1/hazards/{id}/void/"}
    expected |= {f"/api/v1/plans/{{id}}/{action}/" for action in ("moves", "allowed-moves", "pledge")}
    expected |= {f"/api/v1/plan-documents/{{id}}/{action}/" for action in ("pdf", "reissue")}
    expected |= {
        "/api/v1/plan-items/{id}/proof-photos/",
        "/api/v1/plan-items/{id}/proof-photos/{photo_id}/{variant}/",
        "/api/v1/enforcement-actions/{id}/attachments/{attachment_id}/",
    }
    expected |= {
        "/api/v1/contractors/{id}/reveal/",
        "/api/v1/contractors/{id}/slots/",
        "/api/v1/contractors/{id}/slots/{slot_id}/",
        "/api/v1/bookings/{id}/cancel/",
        "/api/v1/bookings/{id}/done/",
        "/api/v1/bookings/{id}/photos/{photo_id}/{variant}/",
    }
    expected |= {
        "/api/v1/campaigns/{id}/unclaimed-landlords/",
        "/api/v1/claims/{id}/transfer/",
        "/api/v1/claims/{id}/release/",
        "/api/v1/campaign-targets/{id}/remove/",
    }
    expected |= {"/api/v1/outreach-records/totals/"}
    expected |= {
        f"/api/v1/tasks/{{id}}/{action}/"
        for action in ("route", "escalate", "assign", "start", "done", "cancel", "replies")
    }
    expected |= {"/api/v1/risk-grades/{premises}/changes/"}
    expected |= {"/api/v1/self-inspections/{id}/photos/{photo_id}/{variant}/"}
    expected |= {f"/api/v1/patrols/{{id}}/{action}/" for action in ("start", "finish", "cancel", "scan")}
    expected |= {
        "/api/v1/patrol-findings/{id}/close/",
        "/api/v1/patrol-findings/{id}/photos/{photo_id}/{variant}/",
        "/api/v1/fabrication-flags/{id}/review/",
    }
    expected |= {
        f"/api/v1/{prefix}/{{id}}/{action}/"
        for prefix in ("risk-rule-sets", "points-rule-sets")
        for action in ("new-version", "parameters", "publish")
    }
    expected |= {f"/api/v1/alert-cases/{{id}}/{action}/" for action in ("acknowledge", "visit", "close")}
    expected |= {"/api/v1/devices/{id}/events/"}
    expected |= {"/api/v1/nominations/{id}/certificate/", "/api/v1/year-end-evaluations/{id}/confirm/"}
    expected |= {f"/api/v1/{prefix}/{key}" for prefix in LEDGER_PREFIXES for key in ("", "{id}/")}
    expected |= {
        f"/api/v1/ledger-imports/{{id}}/{action}/"
        for action in ("mapping", "save-mapping", "check", "commit", "progress", "problems", "report")
    }
    expected |= {"/api/v1/ledger-mappings/{id}/yaml/", "/api/v1/ledger-mappings/{id}/publish/"}
    assert set(schema["paths"]) == expected


def test_schema_shows_areas_read_only_and_registry_writable(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/areas/{id}/"]) == {"get"}
    assert set(paths["/api/v1/premises/{id}/"]) == {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/units/{id}/"]) == {"get", "put", "patch", "delete"}
    # Inspections and hazards change only through their service actions.
    for prefix in ("checklist-templates", "inspections", "hazards"):
        assert set(paths[f"/api/v1/{prefix}/{{id}}/"]) == {"get"}
    assert set(paths["/api/v1/inspections/"]) == {"get", "post"}
    assert set(paths["/api/v1/inspections/{id}/photos/"]) == {"get", "post"}
    # Bookings change only through their actions; the directory is kept like the registry.
    assert set(paths["/api/v1/bookings/{id}/"]) == {"get"}
    assert set(paths["/api/v1/contractors/{id}/"]) == {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/contractors/{id}/slots/"]) == {"get", "post"}
    # Campaigns and work groups are created and partly changed through their services, never deleted;
    # claims and targets change only through their actions.
    for prefix in ("campaigns", "work-groups"):
        assert set(paths[f"/api/v1/{prefix}/"]) == {"get", "post"}
        assert set(paths[f"/api/v1/{prefix}/{{id}}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/claims/"]) == {"get", "post"}
    assert set(paths["/api/v1/claims/{id}/"]) == {"get"}
    # A removal ends the membership (POST …/remove/): the row stays, nothing is deleted.
    assert set(paths["/api/v1/campaign-targets/{id}/"]) == {"get"}


def test_version_is_read_only_in_responses_and_required_on_update(schema):
    components = schema["components"]["schemas"]
    assert components["Premises"]["properties"]["version"]["readOnly"] is True
    assert "version" not in components["PremisesRequest"]["properties"]
    assert "version" in components["PremisesUpdateRequest"]["required"]
    assert components["PatchedPremisesUpdateRequest"]["required"] == ["version"]
    # A work group stays in its campaign: the campaign is given on creation only.
    assert "campaign" in components["WorkGroupRequest"]["required"]
    assert "campaign" not in components["PatchedWorkGroupUpdateRequest"]["properties"]
    assert components["PatchedCampaignUpdateRequest"]["required"] == ["version"]
    patch = schema["paths"]["/api/v1/premises/{id}/"]["patch"]
    response = patch["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/Premises"}


def test_lists_document_their_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/premises/"]["get"]["parameters"]}
    assert {"area", "q", "kind", "status", "sort", "page", "page_size"} <= names
    area = next(p for p in schema["paths"]["/api/v1/premises/"]["get"]["parameters"] if p["name"] == "area")
    assert area["schema"]["type"] == "integer"
    history = {p["name"] for p in schema["paths"]["/api/v1/premises/{id}/history/"]["get"]["parameters"]}
    assert history == {"id", "page", "page_size"}


def test_schema_generates_without_warnings(tmp_path, db):
    # --fail-on-warn makes any drf-spectacular warning (unresolvable type, enum clash …) an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 10_000


def test_docs_page_loads_swagger_ui_from_our_own_static_files(db):
    response = signed_in_client().get("/api/docs/")
    assert_status(response, 200)
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_reveal_choices_are_the_personal_fields():
    assert {name for name, _label in PERSONAL_FIELD_CHOICES} == set(MASKERS)
    assert set(Landlord.personal_fields) | set(TenantHousehold.personal_fields) <= set(MASKERS)


# --- error shapes ---


def test_django_validation_errors_come_back_per_field_with_drf_keys():
    error = ValidationError({"mobile": ["手机号码应为以1开头的11位数字。"], NON_FIELD_ERRORS: ["重复。"]})
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"mobile": ["手机号码应为以1开头的11位数字。"], "non_field_errors": ["重复。"]}


def test_a_message_without_a_field_is_a_non_field_error():
    response = exception_handler(ValidationError("还有关联的房间，不能删除。", code="protected"), {})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["还有关联的房间，不能删除。"]}
    assert response.data["non_field_errors"][0].code == "protected"
