"""房东申报: a signed-in landlord declares their four categories and employer unit in the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status

pytestmark = pytest.mark.django_db


def test_landlord_declares_in_the_portal(login, personas, district):
    from firegrid import testing as t

    user = t.make_user("landlord_b", "landlord", landlord=district.landlord_b)
    client = login(user)
    home = client.get(reverse("portal:home"))
    assert reverse("portal:declare") in home.content.decode()
    url = reverse("portal:declare")
    assert_status(client.get(url), 200)
    response = client.post(url, {"categories": ["is_deputy"]})
    assert_status(response, 200)
    assert "employer_unit" in response.context["form"].errors
    response = client.post(url, {"categories": ["is_deputy"], "employer_unit": district.other_unit.pk})
    assert_status(response, 302)
    district.landlord_b.refresh_from_db()
    assert district.landlord_b.is_deputy and district.landlord_b.employer_unit == district.other_unit
    assert_status(login(personas.grid_worker).get(url), 403)


def test_the_old_declaration_address_leads_to_the_portal_page(client):
    response = client.get("/campaigns/portal/declare/")
    assert_status(response, 301)
    assert response["Location"] == reverse("portal:declare") == "/portal/declare/"
