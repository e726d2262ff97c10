"""The district's escalation ladder (逾期处置阶梯) on its page and in the API: the same service, so the
same rules (enforcement after escalation, at least one day) and the same audit entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.api_testing import ApiScopeMatrix, api_client, audit_actions
from firegrid.areas.choices import AreaLevel
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction
from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import EscalationStep
from firegrid.rectification.tests.scenes import url

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_ladder_is_set_by_the_admin_and_read_by_the_command(login, district, personas):
    page_url = reverse("rectification:ladder")
    admin = login(personas.admin)
    assert page_url in text(admin.get(reverse("pages:home")))
    response = admin.post(
        page_url,
        {
            "district": district.d.pk,
            "escalate-days_overdue": "5",
            "escalate-departments": [district.fire.pk],
            "enforce-days_overdue": "3",
        },
    )
    assert_status(response, 400)
    assert "须大于" in response.context["form"].errors["enforce-days_overdue"][0]
    assert not EscalationStep.objects.exists()
    response = admin.post(
        page_url,
        {
            "district": district.d.pk,
            "escalate-days_overdue": "5",
            "escalate-departments": [district.fire.pk],
            "enforce-days_overdue": "15",
            "enforce-suggested_action": "sealing",
        },
    )
    assert response.status_code == 302
    steps = {step.move: step for step in EscalationStep.objects.all()}
    assert steps["escalate"].days_overdue == 5 and list(steps["escalate"].departments.all()) == [
        district.fire
    ]
    assert steps["enforce"].days_overdue == 15 and steps["enforce"].suggested_action == "sealing"
    # Blank takes a rung off.
    admin.post(
        page_url, {"district": district.d.pk, "escalate-days_overdue": "5", "enforce-days_overdue": ""}
    )
    assert set(EscalationStep.objects.values_list("move", flat=True)) == {"escalate"}

    commander = login(personas.commander)
    response = commander.get(page_url)
    assert_status(response, 200)
    assert response.context["form"] is None and "逾期处置阶梯" in text(response)
    assert_status(commander.post(page_url, {"escalate-days_overdue": "1"}), 403)
    assert_status(login(personas.grid_worker).get(page_url), 403)
    assert page_url not in text(login(personas.grid_worker).get(reverse("pages:home")))


class TestEscalationStepApi(ApiScopeMatrix):
    prefix = "escalation-steps"
    outsider = None  # only district-wide roles see the ladder
    reader = "commander"
    writer = "admin"
    non_deleter = None
    deleter = "admin"
    lister = "admin"

    def target(self, district):
        if not hasattr(district, "step"):
            district.step = EscalationStep.objects.create(
                district=district.d, days_overdue=3, move=MoveName.ESCALATE
            )
        return district.step

    def create_payload(self, district):
        return {
            "district": district.d.pk,
            "days_overdue": 10,
            "move": "enforce",
            "departments": [district.fire.pk],
        }

    def change_payload(self, district):
        return {"days_overdue": 5}

    def add_rows(self, district, n):
        for i in range(n):
            area = t.make_area(AreaLevel.DISTRICT, f"区{i}")
            EscalationStep.objects.create(district=area, days_overdue=3, move=MoveName.ESCALATE)

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)
        super().test_list_query_count_does_not_grow_with_rows(district, personas)


def test_escalation_ladder_rules(district, personas):
    admin = api_client(personas.admin)
    response = admin.post(
        url("escalation-steps"),
        {"district": district.s1.pk, "days_overdue": 3, "move": "escalate"},
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"district"}
    response = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 3, "move": "cancel"},
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"move"}
    created = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 3, "move": "escalate"},
        format="json",
    )
    assert_status(created, 201)
    twice = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 7, "move": "escalate"},
        format="json",
    )
    assert_status(twice, 400)
    assert "只能出现一次" in str(twice.data)
    step = EscalationStep.objects.get(pk=created.data["id"])
    response = admin.patch(url("escalation-steps", step), {"departments": [district.fire.pk]}, format="json")
    assert_status(response, 200)
    assert response.data["department_names"] == [district.fire.name]
    assert audit_actions(step) == [AuditAction.UPDATE, AuditAction.CREATE]  # newest first
    for persona in ("grid_worker", "fire_officer", "landlord"):
        assert_status(api_client(getattr(personas, persona)).get(url("escalation-steps")), 403)


def test_the_api_refuses_the_ladder_the_ladder_page_refuses(district, personas):
    admin = api_client(personas.admin)
    escalate = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 10, "move": "escalate"},
        format="json",
    )
    assert_status(escalate, 201)
    # Enforcement must come after the escalation: both count from the plan's deadline.
    response = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 5, "move": "enforce"},
        format="json",
    )
    assert_status(response, 400)
    assert set(response.data) == {"days_overdue"} and "须大于" in response.data["days_overdue"][0]
    assert list(EscalationStep.objects.values_list("move", flat=True)) == [MoveName.ESCALATE]
    enforce = admin.post(
        url("escalation-steps"),
        {"district": district.d.pk, "days_overdue": 15, "move": "enforce"},
        format="json",
    )
    assert_status(enforce, 201)
    # Changing a rung is held to the same rule, and a rung needs at least one day.
    step = EscalationStep.objects.get(pk=escalate.data["id"])
    response = admin.patch(url("escalation-steps", step), {"days_overdue": 20}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"days_overdue"}
    response = admin.patch(url("escalation-steps", step), {"days_overdue": 0}, format="json")
    assert_status(response, 400)
    assert "至少为 1 天" in response.data["days_overdue"][0]
    assert EscalationStep.objects.get(pk=step.pk).days_overdue == 10
    # A rung taken off is audited as the ladder page audits it.
    assert_status(admin.delete(url("escalation-steps", step)), 204)
    assert audit_actions(step) == [AuditAction.DELETE, AuditAction.CREATE]
