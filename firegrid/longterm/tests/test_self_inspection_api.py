"""The self-inspection API: a scope walk for `self-inspections` (landlords create, officers read in scope)
and `verification-draws` (read-only), a replay answered with the first submission, and another landlord's
premises refused with 404."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from firegrid import testing as t
from firegrid.api_testing import API, CREATE, ApiScopeMatrix, api_client
from firegrid.conftest import assert_status
from firegrid.longterm import services
from firegrid.longterm.models import SelfInspection, SelfInspectionMiss, VerificationDraw
from firegrid.longterm.selfcheck import PHOTO_CODES

from .self_checks import all_pass, make_self_inspection

PERIOD = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _checklist(checklist):
    """Every walk needs the published template: the self-check list is derived from it."""


class TestSelfInspectionApi(ApiScopeMatrix):
    prefix = "self-inspections"
    writes = frozenset({CREATE})
    writer = "landlord"
    non_deleter = deleter = None
    reader = "fire_officer"
    forbidden = "liaison"

    def target(self, district):
        row = SelfInspection.objects.filter(premises=district.premises_a, period=PERIOD).first()
        return row or make_self_inspection(district.premises_a, PERIOD)

    def create_payload(self, district):
        # JSON: the items that ask for a photo answered 不符合 (no photo needed).
        return {
            "premises": district.premises_a.pk,
            "client_uuid": str(uuid.uuid4()),
            "answers": all_pass(district.premises_a, fail=PHOTO_CODES),
        }

    def add_rows(self, district, n):
        building = t.make_building(district.grid_a)
        for _ in range(n):
            make_self_inspection(t.make_premises(building, district.landlord_a), PERIOD)


class TestVerificationDrawApi(ApiScopeMatrix):
    prefix = "verification-draws"
    writes = frozenset()
    writer = non_deleter = deleter = None
    outsider = None  # the district's draw: everyone who reads self-inspections reads every draw
    reader = "commander"
    forbidden = "landlord"

    def target(self, district):
        return services.draw_verifications(PERIOD, actor=None, rate=1, seed=1)

    def add_rows(self, district, n):
        VerificationDraw.objects.bulk_create(
            VerificationDraw(period=dt.date(2000 + i, 1, 1), rate="0.1", seed=i, drawn_at="2026-01-01T00:00Z")
            for i in range(n)
        )


class TestSelfInspectionMissApi(ApiScopeMatrix):
    prefix = "self-inspection-misses"
    writes = frozenset()
    writer = non_deleter = deleter = None
    reader = "fire_officer"
    forbidden = "liaison"

    def target(self, district):
        return SelfInspectionMiss.objects.get_or_create(
            premises=district.premises_a, period=PERIOD, defaults={"landlord": district.landlord_a}
        )[0]

    def add_rows(self, district, n):
        building = t.make_building(district.grid_a)
        SelfInspectionMiss.objects.bulk_create(
            SelfInspectionMiss(premises=p, landlord=district.landlord_a, period=PERIOD)
            for p in (t.make_premises(building, district.landlord_a) for _ in range(n))
        )


@pytest.mark.django_db
def test_misses_filter_by_period_and_a_landlord_reads_their_own(district, personas, checklist):
    for premises in (district.premises_a, district.premises_b):
        SelfInspectionMiss.objects.create(premises=premises, landlord=premises.landlord, period=PERIOD)
    response = api_client(personas.landlord).get(f"{API}/self-inspection-misses/")
    assert [row["premises"] for row in response.data["results"]] == [district.premises_a.pk]
    commander = api_client(personas.commander)
    assert commander.get(f"{API}/self-inspection-misses/", {"period": "2026-03"}).data["count"] == 2
    assert commander.get(f"{API}/self-inspection-misses/", {"period": "2026-04"}).data["count"] == 0


@pytest.mark.django_db
def test_self_inspections_filter_as_the_staff_list(district, personas, checklist):
    drawn = make_self_inspection(district.premises_a, PERIOD)
    make_self_inspection(district.shop_a, PERIOD)
    services.draw_verifications(PERIOD, actor=None, rate=0, seed=1)
    SelfInspection.objects.filter(pk=drawn.pk).update(draw=VerificationDraw.objects.get())
    client = api_client(personas.grid_worker)

    def count(**params) -> int:
        response = client.get(f"{API}/self-inspections/", params)
        assert_status(response, 200)
        return response.data["count"]

    assert count(period="2026-03") == 2 and count(period="2026-04-15") == 0
    assert count(drawn="true") == 1 and count(awaiting="true") == 1 and count(status="verified") == 0
    assert count(area=district.grid_a.pk) == 2


@pytest.mark.django_db
def test_replay_answers_200_with_the_first(district, personas, checklist):
    client = api_client(personas.landlord)
    payload = {
        "premises": district.premises_a.pk,
        "client_uuid": str(uuid.uuid4()),
        "answers": all_pass(district.premises_a, fail=PHOTO_CODES),
    }
    first = client.post(f"{API}/self-inspections/", payload, format="json")
    assert_status(first, 201)
    again = client.post(f"{API}/self-inspections/", payload, format="json")
    assert_status(again, 200)
    assert again.data["id"] == first.data["id"] and SelfInspection.objects.count() == 1
    assert len(first.data["answers"]) == len(payload["answers"]) and first.data["drawn"] is False


@pytest.mark.django_db
def test_another_landlords_premises_is_404_and_errors_are_per_field(district, personas, checklist):
    client = api_client(personas.landlord)
    payload = {"premises": district.premises_b.pk, "client_uuid": str(uuid.uuid4()), "answers": {}}
    assert_status(client.post(f"{API}/self-inspections/", payload, format="json"), 404)
    payload = {"premises": district.premises_a.pk, "client_uuid": "nope", "answers": {"EXIT-01": "maybe"}}
    response = client.post(f"{API}/self-inspections/", payload, format="json")
    assert_status(response, 400)
    assert {"client_uuid", "answers"} <= set(response.data)
    assert not SelfInspection.objects.exists()
