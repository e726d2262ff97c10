"""The risk API: a scope walk for each endpoint, grades filtered like the list with reasons in the reader's
language, and rule sets edited as drafts and published by the system administrator only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.risk import services
from firegrid.risk.choices import RuleSetStatus
from firegrid.risk.models import PremisesGrade, RiskRuleSet

NOW = timezone.make_aware(dt.datetime(2026, 3, 1, 9))


def grade(premises) -> PremisesGrade:
    services.recompute_grades([premises.pk], cause="command", now=NOW)
    return PremisesGrade.objects.get(premises=premises)


class TestPremisesGradeApi(ApiScopeMatrix):
    prefix = "risk-grades"
    writes = frozenset()
    writer = non_deleter = deleter = None
    reader = "fire_officer"
    forbidden = "liaison"

    def target(self, district):
        return grade(district.premises_a)

    def add_rows(self, district, n):
        building = t.make_building(district.grid_a)
        services.recompute_grades(
            [t.make_premises(building, district.landlord_a).pk for _ in range(n)], cause="command", now=NOW
        )


class TestRiskRuleSetApi(ApiScopeMatrix):
    prefix = "risk-rule-sets"
    writes = frozenset()
    writer = non_deleter = deleter = None
    outsider = None  # the district's rules: everyone who reads grades reads all of them
    reader = "commander"
    forbidden = "landlord"

    def target(self, district):
        return services.default_rule_set()

    def add_rows(self, district, n):
        base = services.default_rule_set()
        RiskRuleSet.objects.bulk_create(
            RiskRuleSet(code=f"risk-draft-{i}", name="草稿", based_on=base, parameters=base.parameters)
            for i in range(n)
        )


def test_grades_filter_like_the_list_and_speak_the_readers_language(district, personas):
    grade(district.premises_a)
    grade(district.shop_a)
    client = api_client(personas.grid_worker)
    response = client.get(f"{API}/risk-grades/", {"inspected": "false", "grade": "yellow"})
    assert_status(response, 200)
    assert {row["id"] for row in response.data["results"]} == {district.premises_a.pk, district.shop_a.pk}
    row = response.data["results"][0]
    assert (row["grade"], row["reasons"], row["due_state"]) == ("yellow", ["从未检查"], "overdue")
    client.cookies["django_language"] = "en"
    english = client.get(f"{API}/risk-grades/{district.premises_a.pk}/")
    assert english.data["reasons"] == ["Never inspected"]
    changes = client.get(f"{API}/risk-grades/{district.premises_a.pk}/changes/")
    assert [c["new_grade"] for c in changes.data["results"]] == ["yellow"]


def test_rule_set_draft_parameters_and_publish_through_the_api(district, personas):
    current = services.default_rule_set()
    admin = api_client(personas.admin)
    made = admin.post(
        f"{API}/risk-rule-sets/{current.pk}/new-version/", {"code": "risk-2026.2"}, format="json"
    )
    assert_status(made, 201)
    draft_url = f"{API}/risk-rule-sets/{made.data['id']}/"
    bad = admin.patch(f"{draft_url}parameters/", {"parameters": {"cut_offs": {"red": 1}}}, format="json")
    assert_status(bad, 400)
    assert "cut_offs.red" in bad.data
    good = admin.patch(
        f"{draft_url}parameters/",
        {"parameters": {"intervals_days": {"red": 14}}, "version": made.data["version"]},
        format="json",
    )
    assert_status(good, 200)
    assert good.data["parameters"]["intervals_days"]["red"] == 14
    assert_status(admin.post(f"{draft_url}publish/"), 200)
    assert RiskRuleSet.objects.current().code == "risk-2026.2"
    # A published version never changes.
    again = admin.patch(
        f"{draft_url}parameters/", {"parameters": {"intervals_days": {"red": 20}}}, format="json"
    )
    assert_status(again, 400)
    current.refresh_from_db()
    assert current.status == RuleSetStatus.RETIRED


def test_only_the_system_admin_writes_rule_sets(district, personas):
    current = services.default_rule_set()
    commander = api_client(personas.commander)
    url = f"{API}/risk-rule-sets/{current.pk}/"
    assert_status(commander.post(f"{url}new-version/", {"code": "risk-x"}, format="json"), 403)
    assert_status(commander.post(f"{url}publish/"), 403)
    assert RiskRuleSet.objects.count() == 1
