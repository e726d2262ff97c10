"""The points API: a scope walk for every endpoint, an officer's entry through the API (the same service,
scope and audit as the form), landlords' totals, rule sets written by the system admin only, the
year-end evaluation computed and confirmed by the commander, and the certificate PDF."""

from __future__ import annotations

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, CREATE, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.points import evaluation, services
from firegrid.points.choices import AwardKind, PointsRule
from firegrid.points.models import Nomination, PointsEntry, PointsRuleSet, YearEndEvaluation
from firegrid.risk.choices import RuleSetStatus

from .scene import TODAY, YEAR, give

pytestmark = pytest.mark.django_db


def nominate(landlord, ev: YearEndEvaluation, rank: int = 1) -> Nomination:
    serial = f"衢江文明〔{ev.year}〕第{Nomination.objects.count() + 1:04d}号"
    return Nomination.objects.create(
        evaluation=ev,
        landlord=landlord,
        award=AwardKind.CIVILISED_FAMILY,
        points=120,
        rank=rank,
        serial=serial,
        content=evaluation.certificate_content(
            landlord, AwardKind.CIVILISED_FAMILY, year=ev.year, points=120, serial=serial, on=timezone.now()
        ),
        issued_at=timezone.now(),
    )


def past_evaluation(year: int = YEAR - 1) -> YearEndEvaluation:
    return YearEndEvaluation.objects.get_or_create(
        year=year, defaults={"rule_set": services.default_rule_set(), "computed_at": timezone.now()}
    )[0]


class TestPointsEntryApi(ApiScopeMatrix):
    prefix = "points-entries"
    writes = frozenset({CREATE})
    writer = "community_officer"
    reader = "grid_worker"
    non_deleter = deleter = None

    def target(self, district):
        return PointsEntry.objects.filter(landlord=district.landlord_a).first() or give(
            district.landlord_a, -5
        )

    def create_payload(self, district):
        return {
            "landlord": district.landlord_a.pk,
            "rule": PointsRule.TRAINING_ATTENDANCE,
            "occurred_on": TODAY.isoformat(),
            "note": "樟潭街道消防培训",
        }

    def add_rows(self, district, n):
        for i in range(n):
            give(district.landlord_a, i + 1)


class TestLandlordPointsApi(ApiScopeMatrix):
    prefix = "landlord-points"
    has_history = False
    writes = frozenset()
    writer = non_deleter = deleter = None
    reader = "fire_officer"

    def target(self, district):
        return district.landlord_a

    def add_rows(self, district, n):
        building = t.make_building(district.grid_a)
        for _ in range(n):
            landlord = t.make_landlord(area=district.grid_a)
            t.make_premises(building, landlord)
            give(landlord, 3)


class TestPointsRuleSetApi(ApiScopeMatrix):
    prefix = "points-rule-sets"
    writes = frozenset()
    writer = non_deleter = deleter = None
    outsider = None  # the district's rules: everyone who reads points reads all of them
    reader = "commander"

    def target(self, district):
        return services.default_rule_set()

    def add_rows(self, district, n):
        base = services.default_rule_set()
        PointsRuleSet.objects.bulk_create(
            PointsRuleSet(code=f"points-draft-{i}", name="草稿", based_on=base, parameters=base.parameters)
            for i in range(n)
        )


class TestYearEndEvaluationApi(ApiScopeMatrix):
    prefix = "year-end-evaluations"
    writes = frozenset({CREATE})
    writer = "commander"
    reader = "grid_worker"
    non_deleter = deleter = None
    outsider = None  # the district's evaluation: its rows are filtered to the reader's landlords
    forbidden = "landlord"

    def target(self, district):
        return past_evaluation()

    def create_payload(self, district):
        return {"year": YEAR}

    def add_rows(self, district, n):
        YearEndEvaluation.objects.bulk_create(
            YearEndEvaluation(year=2000 + i, rule_set=services.default_rule_set(), computed_at=timezone.now())
            for i in range(n)
        )


class TestNominationApi(ApiScopeMatrix):
    prefix = "nominations"
    writes = frozenset()
    writer = non_deleter = deleter = None
    reader = "fire_officer"

    def target(self, district):
        return Nomination.objects.filter(landlord=district.landlord_a).first() or nominate(
            district.landlord_a, past_evaluation()
        )

    def add_rows(self, district, n):
        ev = past_evaluation()
        for i in range(n):
            nominate(t.make_landlord(area=district.grid_a), ev, rank=i + 2)


# --- entries ------------------------------------------------------------------------------------------------


def test_an_officers_entry_through_the_api_is_the_services(district, personas):
    client = api_client(personas.subdistrict_officer)
    wrong = give(district.landlord_a, -10, rule=PointsRule.ENFORCEMENT)
    payload = {
        "landlord": district.landlord_a.pk,
        "rule": "correction",
        "occurred_on": TODAY.isoformat(),
        "amount": 10,
        "note": "执法决定已撤销",
        "corrects": wrong.pk,
    }
    response = client.post(f"{API}/points-entries/", payload, format="json")
    assert_status(response, 201)
    data = response.data
    assert (data["rule"], data["amount"], data["source_type"], data["source_id"]) == (
        "correction",
        10,
        "points.pointsentry",
        wrong.pk,
    )
    assert data["source_url"].endswith(f"/points/landlords/{district.landlord_a.pk}/")
    assert data["created_by_name"] and "执法决定已撤销" in data["reason"]
    entry = PointsEntry.objects.get(pk=data["id"])
    assert AuditEntry.objects.for_object(entry).get().action == AuditAction.CREATE
    # The same entry corrected twice: refused by the service's rule, nothing written.
    assert_status(client.post(f"{API}/points-entries/", payload, format="json"), 400)
    assert PointsEntry.objects.count() == 2


def test_an_entry_for_a_landlord_outside_the_scope_is_refused_on_the_field(district, personas):
    client = api_client(personas.subdistrict_officer)
    payload = {
        "landlord": district.landlord_b.pk,
        "rule": "training_attendance",
        "occurred_on": TODAY.isoformat(),
        "note": "培训",
    }
    response = client.post(f"{API}/points-entries/", payload, format="json")
    assert_status(response, 400)
    assert "landlord" in response.data
    bad_rule = client.post(
        f"{API}/points-entries/",
        {**payload, "landlord": district.landlord_a.pk, "rule": "overdue"},
        format="json",
    )
    assert_status(bad_rule, 400)
    assert "rule" in bad_rule.data
    assert not PointsEntry.objects.exists()


def test_entries_filter_and_speak_the_readers_language(district, personas):
    from firegrid.points.receivers import missed_self_inspection

    missed_self_inspection(
        None, premises=district.premises_a, landlord=district.landlord_a, period=TODAY.replace(day=1)
    )
    give(district.landlord_a, 4, rule=PointsRule.TRAINING_ATTENDANCE)
    client = api_client(personas.grid_worker)
    minus = client.get(f"{API}/points-entries/", {"sign": "minus"})
    assert [row["rule"] for row in minus.data["results"]] == ["self_inspection_missed"]
    assert "未按时自查" in minus.data["results"][0]["reason"]
    assert minus.data["results"][0]["source_type"] == "registry.premises"


# --- totals -------------------------------------------------------------------------------------------------


def test_landlord_points_rank_the_landlords_in_scope_for_a_year(district, personas):
    give(district.landlord_b, 12)
    give(district.landlord_a, -4)
    give(district.landlord_a, 9, on=TODAY.replace(year=YEAR - 1))
    client = api_client(personas.commander)
    rows = client.get(f"{API}/landlord-points/").data["results"]
    assert [(r["name"], r["points"], r["place"], r["band"]) for r in rows] == [
        ("李秀英", 112, 1, "good"),
        ("张建国", 96, 2, "middle"),
    ]
    last_year = client.get(f"{API}/landlord-points/{district.landlord_a.pk}/", {"year": YEAR - 1}).data
    assert (last_year["year"], last_year["points"], last_year["gained"]) == (YEAR - 1, 109, 9)
    assert_status(api_client(personas.outsider).get(f"{API}/landlord-points/{district.landlord_a.pk}/"), 404)


# --- rule sets ----------------------------------------------------------------------------------------------


def test_rule_set_draft_parameters_and_publish_through_the_api(district, personas):
    current = services.default_rule_set()
    admin = api_client(personas.admin)
    made = admin.post(
        f"{API}/points-rule-sets/{current.pk}/new-version/", {"code": "points-2027.1"}, format="json"
    )
    assert_status(made, 201)
    url = f"{API}/points-rule-sets/{made.data['id']}/"
    bad = admin.patch(f"{url}parameters/", {"parameters": {"amounts": {"overdue": 3}}}, format="json")
    assert_status(bad, 400)
    assert "amounts.overdue" in bad.data
    good = admin.patch(
        f"{url}parameters/",
        {"parameters": {"year": {"base": 80}}, "version": made.data["version"]},
        format="json",
    )
    assert_status(good, 200)
    assert_status(admin.post(f"{url}publish/"), 200)
    assert PointsRuleSet.objects.current().code == "points-2027.1"
    current.refresh_from_db()
    assert current.status == RuleSetStatus.RETIRED
    commander = api_client(personas.commander)
    assert_status(commander.post(f"{url}new-version/", {"code": "x"}, format="json"), 403)
    assert_status(commander.post(f"{url}publish/"), 403)


# --- evaluations and certificates ---------------------------------------------------------------------------


def test_the_commander_computes_and_confirms_and_the_certificate_is_served(district, personas):
    give(district.landlord_a, 30)
    give(district.landlord_b, 30)
    draft = services.create_rule_set_draft(
        services.default_rule_set(), code="points-api", actor=personas.admin
    )
    services.update_rule_set_parameters(
        draft, {"nominations": {"family_max_share_percent": 100}}, actor=personas.admin
    )
    services.publish_rule_set(draft, actor=personas.admin)
    commander = api_client(personas.commander)
    made = commander.post(f"{API}/year-end-evaluations/", {"year": YEAR}, format="json")
    assert_status(made, 201)
    url = f"{API}/year-end-evaluations/{made.data['id']}/"
    assert {r["name"] for r in made.data["rows"]} == {"张建国", "李秀英"}
    # A grid worker reads the evaluation with the rows of their own landlords only.
    worker = api_client(personas.grid_worker)
    assert {r["name"] for r in worker.get(url).data["rows"]} == {"张建国"}
    assert worker.get(f"{API}/year-end-evaluations/").data["results"][0]["rows"] == []
    assert_status(worker.post(f"{url}confirm/", {"version": made.data["version"]}, format="json"), 403)
    stale = commander.post(f"{url}confirm/", {"version": made.data["version"] + 1}, format="json")
    assert_status(stale, 409)
    confirmed = commander.post(f"{url}confirm/", {"version": made.data["version"]}, format="json")
    assert_status(confirmed, 200)
    assert confirmed.data["status"] == "confirmed"
    assert_status(commander.post(f"{API}/year-end-evaluations/", {"year": YEAR}, format="json"), 400)
    nominations = commander.get(f"{API}/nominations/", {"year": YEAR}).data["results"]
    assert len(nominations) == 2
    mine = api_client(personas.landlord).get(f"{API}/nominations/").data["results"]
    assert [n["landlord_name"] for n in mine] == ["张建国"]
    pdf = api_client(personas.landlord).get(mine[0]["certificate_url"])
    assert_status(pdf, 200)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = next(n for n in nominations if n["landlord_name"] == "李秀英")
    assert_status(api_client(personas.landlord).get(f"{API}/nominations/{other['id']}/certificate/"), 404)
