"""A landlord registered without an ID number (a community ledger knew only the name and mobile, issue 13)
signs in to the portal by mobile like any other, and the portal's pages and declarations work for them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status

from .helpers import last_code

pytestmark = pytest.mark.django_db


def test_a_landlord_without_an_id_number_signs_in_by_mobile_and_uses_the_portal(district):
    landlord = t.make_landlord(
        "无号房东", area=district.grid_a, id_number="", mobile="13912340077", to_verify=["id_number"]
    )
    premises = t.make_premises(district.building_a, landlord, unit_label="5楼")
    client = Client(REMOTE_ADDR="10.8.8.9")
    client.post("/portal/login/", {"action": "send", "mobile": landlord.mobile})
    response = client.post(
        "/portal/login/", {"action": "login", "mobile": landlord.mobile, "code": last_code(landlord.mobile)}
    )
    assert response.status_code == 302 and response["Location"] == "/portal/"
    user = response.wsgi_request.user
    assert (user.role, user.landlord) == (Role.LANDLORD, landlord)
    home = client.get(reverse("portal:home"))
    assert_status(home, 200)
    assert list(home.context["premises"]) == [premises]
    assert_status(client.get(reverse("portal:premises", args=[premises.pk])), 200)
    # The declaration writes the landlord through the model's checks: the missing ID number is no error.
    response = client.post(
        reverse("portal:declare"), {"categories": ["is_deputy"], "employer_unit": district.unit.pk}
    )
    assert_status(response, 302)
    landlord.refresh_from_db()
    assert landlord.is_deputy and landlord.id_number == "" and landlord.to_verify == ["id_number"]
