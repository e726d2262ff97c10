"""Registering a person by ID number never confirms, nor opens, someone outside the user's scope.

The attack: a grid worker of grid A types the ID number of a landlord registered in grid B. The
uniqueness message ("已存在") would confirm that the person is a registered landlord somewhere in the
district; a link would open the record. Forms and API answer with one message that says neither who
nor where; a duplicate of a landlord the user can see keeps the usual message. (The ledger import's
side is in test_ledger.py and test_ledger_views.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid import testing as t
from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.core.masking import mask_mobile
from firegrid.registry.models import Landlord, TenantHousehold

pytestmark = pytest.mark.django_db

OUTSIDE = "该证件号码属于您辖区外的房东，请联系上级"


def landlord_form(district, id_number: str) -> dict:
    return {"name": "陈新", "id_number": id_number, "mobile": "13812345678", "area": district.grid_a.pk}


def assert_reveals_nothing(text: str, landlord: Landlord) -> None:
    assert landlord.name not in text
    assert mask_mobile(landlord.mobile) not in text and landlord.mobile not in text
    assert "已存在" not in text


def test_landlord_form_refuses_an_id_number_held_outside_scope_without_saying_whose(
    login, district, personas
):
    client = login(personas.grid_worker)
    response = client.post(
        reverse("registry:landlord_add"), landlord_form(district, district.landlord_b.id_number)
    )
    assert_status(response, 200)
    assert response.context["form"].errors["id_number"] == [OUTSIDE]
    assert_reveals_nothing(response.content.decode(), district.landlord_b)
    assert Landlord.objects.filter(id_number=district.landlord_b.id_number).count() == 1


def test_landlord_form_refuses_renaming_to_an_id_number_held_outside_scope(login, district, personas):
    client = login(personas.grid_worker)
    url = reverse("registry:landlord_edit", args=[district.landlord_a.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    data = {k: getattr(v, "pk", v) for k, v in data.items() if v not in (None, False)}
    data["id_number"] = district.landlord_b.id_number.lower()  # normalised like the stored value
    response = client.post(url, data)
    assert_status(response, 200)
    assert response.context["form"].errors["id_number"] == [OUTSIDE]
    assert_reveals_nothing(response.content.decode(), district.landlord_b)


def test_landlord_form_duplicate_in_scope_keeps_the_uniqueness_message(login, district, personas):
    client = login(personas.grid_worker)
    response = client.post(
        reverse("registry:landlord_add"), landlord_form(district, district.landlord_a.id_number)
    )
    assert_status(response, 200)
    (message,) = response.context["form"].errors["id_number"]
    assert "已存在" in message and OUTSIDE not in message


def test_district_wide_user_gets_the_uniqueness_message(login, district, personas):
    response = login(personas.admin).post(
        reverse("registry:landlord_add"), landlord_form(district, district.landlord_b.id_number)
    )
    assert_status(response, 200)
    (message,) = response.context["form"].errors["id_number"]
    assert "已存在" in message


def test_api_refuses_an_id_number_held_outside_scope_without_saying_whose(district, personas):
    client = api_client(personas.grid_worker)
    response = client.post(
        f"{API}/landlords/", landlord_form(district, district.landlord_b.id_number), format="json"
    )
    assert_status(response, 400)
    assert response.data == {"id_number": [OUTSIDE]}
    assert_reveals_nothing(response.content.decode(), district.landlord_b)
    assert Landlord.objects.filter(id_number=district.landlord_b.id_number).count() == 1


def test_api_refuses_changing_to_an_id_number_held_outside_scope(district, personas):
    landlord = district.landlord_a
    response = api_client(personas.grid_worker).patch(
        f"{API}/landlords/{landlord.pk}/",
        {"id_number": district.landlord_b.id_number, "version": landlord.version},
        format="json",
    )
    assert_status(response, 400)
    assert response.data == {"id_number": [OUTSIDE]}
    landlord.refresh_from_db()
    assert landlord.id_number != district.landlord_b.id_number


def test_api_duplicate_in_scope_keeps_the_uniqueness_message(district, personas):
    response = api_client(personas.grid_worker).post(
        f"{API}/landlords/", landlord_form(district, district.landlord_a.id_number), format="json"
    )
    assert_status(response, 400)
    (message,) = response.data["id_number"]
    assert "已存在" in message and OUTSIDE not in message


def test_api_keeps_a_landlords_own_id_number_on_update(district, personas):
    landlord = district.landlord_a
    response = api_client(personas.grid_worker).patch(
        f"{API}/landlords/{landlord.pk}/",
        {"id_number": landlord.id_number, "address": "樟树潭村3组", "version": landlord.version},
        format="json",
    )
    assert_status(response, 200)


def test_landlord_visible_through_a_premises_in_scope_is_not_outside(district, personas):
    """A landlord registered in grid B who lets a premises in grid A is the grid A worker's to see."""
    landlord = t.make_landlord("跨网格房东", area=district.grid_b)
    t.make_premises(district.building_a, landlord, unit_label="3楼")
    response = api_client(personas.grid_worker).post(
        f"{API}/landlords/", landlord_form(district, landlord.id_number), format="json"
    )
    assert_status(response, 400)
    assert "已存在" in response.data["id_number"][0]


def test_tenant_household_id_number_registered_elsewhere_is_neither_refused_nor_shown(
    login, district, personas
):
    """A tenant household is not unique by ID number (people move): registering one whose number is
    also a household's in grid B succeeds, and the answer carries nothing of the other household."""
    other = district.tenant_b
    payload = {
        "premises": district.premises_a.pk,
        "head_name": "刘一",
        "id_number": other.id_number,
        "people": 2,
        "moved_in": "2024-01-01",
    }
    response = api_client(personas.grid_worker).post(f"{API}/tenant-households/", payload, format="json")
    assert_status(response, 201)
    assert other.head_name not in response.content.decode()
    assert other.mobile not in response.content.decode()
    response = login(personas.grid_worker).post(
        reverse("registry:tenanthousehold_add"), {**payload, "head_name": "刘二", "moved_in": "2024-02-01"}
    )
    assert_status(response, 302)
    assert TenantHousehold.objects.filter(id_number=other.id_number).count() == 3
