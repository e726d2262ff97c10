"""房东自查 in the portal: the list of the landlord's premises with this month's status, the phone form
(big yes/no per item, no inline script or style), its submission, and the home page's reminder."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import self_check_items

pytestmark = pytest.mark.django_db


def form_url(premises) -> str:
    return reverse("portal:self_inspection_form", args=[premises.pk])


def answers(premises, value: str = SelfCheckResult.PASS) -> dict[str, str]:
    return {f"item-{item.code}": value for item in self_check_items(premises)}


def test_home_reminds_until_every_premises_is_done(district, personas, checklist, login):
    client = login(personas.landlord)
    home = client.get(reverse("portal:home"))
    assert "本月自查待完成" in home.content.decode()
    for premises in (district.premises_a, district.shop_a):
        data = {**answers(premises), "client_uuid": str(uuid.uuid4())}
        assert_status(client.post(form_url(premises), data), 302)
    home = client.get(reverse("portal:home"))
    assert "本月自查待完成" not in home.content.decode()


def test_list_and_form_then_submit(district, personas, checklist, login):
    client = login(personas.landlord)
    listing = client.get(reverse("portal:self_inspection"))
    assert_status(listing, 200)
    assert form_url(district.premises_a) in listing.content.decode()
    page = client.get(form_url(district.premises_a))
    assert_status(page, 200)
    html = page.content.decode()
    assert html.count('type="radio"') == 2 * len(self_check_items(district.premises_a))
    # CSP: no inline script or style.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html
    key = re.search(r'name="client_uuid" value="([^"]+)"', html).group(1)
    data = {**answers(district.premises_a), "client_uuid": key}
    response = client.post(form_url(district.premises_a), data)
    assert_status(response, 302)
    # A second tap of the same form is the same submission.
    client.post(form_url(district.premises_a), data)
    row = SelfInspection.objects.get()
    assert row.premises == district.premises_a and str(row.client_uuid) == key
    listing = client.get(reverse("portal:self_inspection")).content.decode()
    assert form_url(district.premises_a) not in listing and "已提交" in listing


def test_unanswered_item_is_shown_again_with_the_error(district, personas, checklist, login):
    client = login(personas.landlord)
    data = answers(district.premises_a)
    data.pop(next(iter(data)))
    response = client.post(form_url(district.premises_a), {**data, "client_uuid": str(uuid.uuid4())})
    assert_status(response, 400)
    assert "请回答每一项" in response.content.decode()
    assert not SelfInspection.objects.exists()


def test_another_landlords_premises_is_404_and_staff_are_refused(district, personas, checklist, login):
    client = login(personas.landlord)
    assert_status(client.get(form_url(district.premises_b)), 404)
    data = {**answers(district.premises_b), "client_uuid": str(uuid.uuid4())}
    assert_status(client.post(form_url(district.premises_b), data), 404)
    assert_status(login(personas.grid_worker).get(reverse("portal:self_inspection")), 403)
    assert not SelfInspection.objects.exists()
