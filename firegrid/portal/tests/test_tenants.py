"""流管通 in the portal: a landlord registers a tenant household moving in and out of their own premises
on the phone form; a bad ID number is refused on its field; another landlord's premises is 404."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from firegrid import testing as t
from firegrid.conftest import assert_status
from firegrid.registry.models import TenantHousehold

pytestmark = pytest.mark.django_db


def form(district, **kw) -> dict:
    data = {
        "head_name": "陈新来",
        "id_number": t.valid_id_number(911, born="19900202"),
        "mobile": "13712345678",
        "people": "2",
        "room": str(district.room_a.pk),
        "moved_in": timezone.localdate().isoformat(),
    }
    data.update(kw)
    return data


def test_landlord_registers_a_move_in_and_a_move_out(login, personas, district):
    client = login(personas.landlord)
    home = client.get(reverse("portal:home"))
    assert reverse("portal:tenants") in home.content.decode()
    url = reverse("portal:tenant_move_in", args=[district.premises_a.pk])
    page = client.get(url)
    assert_status(page, 200)
    assert "<script>" not in page.content.decode() and "style=" not in page.content.decode()
    assert_status(client.post(url, form(district)), 302)
    household = TenantHousehold.objects.get(head_name="陈新来")
    assert household.premises == district.premises_a and household.room == district.room_a
    assert household.awaiting_confirmation
    listing = client.get(reverse("portal:tenants")).content.decode()
    assert "陈新来" in listing and "待核实" in listing
    out_url = reverse("portal:tenant_move_out", args=[household.pk])
    assert_status(client.get(out_url), 200)
    assert_status(client.post(out_url, {"moved_out": timezone.localdate().isoformat()}), 302)
    household.refresh_from_db()
    assert household.moved_out == timezone.localdate() and household.move_out_reported_at is not None


def test_bad_id_checksum_is_refused_on_the_field_in_the_users_language(login, personas, district):
    good = t.valid_id_number(912)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    client = login(personas.landlord)
    url = reverse("portal:tenant_move_in", args=[district.premises_a.pk])
    response = client.post(url, form(district, id_number=bad))
    assert_status(response, 200)
    assert list(response.context["form"].errors) == ["id_number"]
    assert "身份证号码" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, form(district, id_number=bad))
    assert list(english.context["form"].errors) == ["id_number"]
    assert "ID number" in english.content.decode()
    assert not TenantHousehold.objects.filter(head_name="陈新来").exists()


def test_another_landlords_premises_and_household_are_404(login, personas, district):
    client = login(personas.landlord)
    assert_status(client.get(reverse("portal:tenant_move_in", args=[district.premises_b.pk])), 404)
    assert_status(
        client.post(reverse("portal:tenant_move_in", args=[district.premises_b.pk]), form(district)), 404
    )
    assert_status(client.get(reverse("portal:tenant_move_out", args=[district.tenant_b.pk])), 404)


def test_staff_are_sent_away_from_the_tenant_pages(login, personas):
    assert_status(login(personas.grid_worker).get(reverse("portal:tenants")), 403)
