"""The 地址 sort of the plan, hazard and inspection lists, web and API, is natural (issue 14, item 3):
1号, 2号, 10号 — the premises' (or building's) stored sort key, not the raw address text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.inspections.models import Hazard, Inspection
from firegrid.rectification.models import Plan
from firegrid.rectification.testing import plan_with_hazards

pytestmark = pytest.mark.django_db

NUMBERS = (10, 2, 1)
IN_ORDER = [f"樟潭街道排序路{n}号" for n in sorted(NUMBERS)]


@pytest.fixture
def plans(district, personas, checklist):
    """A plan with hazards at 樟潭街道排序路10号, 2号 and 1号 (made in that order)."""
    made = []
    for n in NUMBERS:
        building = t.make_building(district.grid_a, f"樟潭街道排序路{n}号")
        premises = t.make_premises(building, district.landlord_a, unit_label="整幢")
        made.append(plan_with_hazards(premises, actor=personas.grid_worker))
    return made


def ours(addresses) -> list[str]:
    """The street's addresses, each once, in the order first seen."""
    return list(dict.fromkeys(a for a in addresses if a.startswith("樟潭街道排序路")))


@pytest.mark.parametrize("sort", ["address", "-address"])
def test_the_address_sort_is_natural_on_the_web_lists(plans, login, personas, sort):
    client = login(personas.grid_worker)
    expected = IN_ORDER if sort == "address" else IN_ORDER[::-1]
    for name, address in (
        ("rectification:plan_list", lambda row: row.premises.building.address),
        ("inspections:hazard_list", lambda row: row.building.address),
        ("inspections:inspection_list", lambda row: row.building.address),
    ):
        response = client.get(reverse(name), {"sort": sort})
        assert_status(response, 200)
        assert ours(address(row) for row in response.context["object_list"]) == expected, name


def test_the_address_sort_is_natural_on_the_api(plans, personas):
    client = api_client(personas.grid_worker)
    for prefix, model, address in (
        ("plans", Plan, lambda row: row.premises.building.address),
        ("hazards", Hazard, lambda row: row.building.address),
        ("inspections", Inspection, lambda row: row.building.address),
    ):
        response = client.get(f"{API}/{prefix}/", {"sort": "address"})
        assert_status(response, 200)
        rows = [model.objects.get(pk=row["id"]) for row in response.data["results"]]
        assert ours(address(row) for row in rows) == IN_ORDER, prefix
