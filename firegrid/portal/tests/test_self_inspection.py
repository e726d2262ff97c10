"""房东自查 in the portal: the list of the landlord's premises with this month's status, the phone form
(big yes/no per item, a camera input for the items that ask for a photo, no inline script or style), its
submission with photos, refusals that keep every answer and the photos that passed, and the home page's
reminder."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firegrid.conftest import assert_status
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection, SelfInspectionPhoto
from firegrid.longterm.selfcheck import PHOTO_CODES, self_check_items
from firegrid.longterm.tests.self_checks import jpeg, photo_codes
from firegrid.registry.choices import PremisesStatus

pytestmark = pytest.mark.django_db


def form_url(premises) -> str:
    return reverse("portal:self_inspection_form", args=[premises.pk])


def answers(premises, value: str = SelfCheckResult.PASS) -> dict[str, str]:
    return {f"item-{item.code}": value for item in self_check_items(premises)}


def photos(premises, skip=()) -> dict[str, SimpleUploadedFile]:
    return {f"photo-{code}": jpeg(f"{code}.jpg") for code in photo_codes(premises) if code not in skip}


def checked(html: str, code: str) -> str | None:
    """The value of the radio button checked for item `code` on the page."""
    match = re.search(rf'<input type="radio" name="item-{re.escape(code)}" value="(\w+)" checked>', html)
    return match.group(1) if match else None


def test_home_reminds_until_every_premises_is_done(district, personas, checklist, login):
    client = login(personas.landlord)
    home = client.get(reverse("portal:home"))
    assert "本月自查待完成" in home.content.decode()
    for premises in (district.premises_a, district.shop_a):
        data = {**answers(premises), **photos(premises), "client_uuid": str(uuid.uuid4())}
        assert_status(client.post(form_url(premises), data), 302)
    home = client.get(reverse("portal:home"))
    assert "本月自查待完成" not in home.content.decode()


def test_a_vacant_premises_is_not_due(district, personas, checklist, login):
    district.shop_a.status = PremisesStatus.VACANT
    district.shop_a.save()
    client = login(personas.landlord)
    data = {**answers(district.premises_a), **photos(district.premises_a), "client_uuid": str(uuid.uuid4())}
    assert_status(client.post(form_url(district.premises_a), data), 302)
    assert "本月自查待完成" not in client.get(reverse("portal:home")).content.decode()
    assert "本期无需自查" in client.get(reverse("portal:self_inspection")).content.decode()


def test_list_and_form_then_submit(district, personas, checklist, login):
    client = login(personas.landlord)
    listing = client.get(reverse("portal:self_inspection"))
    assert_status(listing, 200)
    assert form_url(district.premises_a) in listing.content.decode()
    page = client.get(form_url(district.premises_a))
    assert_status(page, 200)
    html = page.content.decode()
    assert html.count('type="radio"') == 2 * len(self_check_items(district.premises_a))
    # A camera input for each item that asks for a photo, in a form that carries files.
    assert 'enctype="multipart/form-data"' in html
    for code in photo_codes(district.premises_a):
        assert f'type="file" name="photo-{code}" accept="image/*" capture="environment"' in html
    assert html.count('type="file"') == len(photo_codes(district.premises_a)) == len(PHOTO_CODES)
    # CSP: no inline script or style.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html
    key = re.search(r'name="client_uuid" value="([^"]+)"', html).group(1)
    data = {**answers(district.premises_a), **photos(district.premises_a), "client_uuid": key}
    response = client.post(form_url(district.premises_a), data)
    assert_status(response, 302)
    # A second tap of the same form is the same submission.
    client.post(form_url(district.premises_a), {**answers(district.premises_a), "client_uuid": key})
    row = SelfInspection.objects.get()
    assert row.premises == district.premises_a and str(row.client_uuid) == key
    assert sorted(row.photos.values_list("item_code", flat=True)) == sorted(PHOTO_CODES)
    listing = client.get(reverse("portal:self_inspection")).content.decode()
    assert form_url(district.premises_a) not in listing and "已提交" in listing


def test_unanswered_item_is_shown_again_with_the_error(district, personas, checklist, login):
    client = login(personas.landlord)
    data = answers(district.premises_a)
    first = next(iter(data))
    data.pop(first)
    response = client.post(form_url(district.premises_a), {**data, "client_uuid": str(uuid.uuid4())})
    assert_status(response, 400)
    html = response.content.decode()
    assert "请回答每一项" in html and f'id="item-{first.removeprefix("item-")}-errors"' in html
    assert not SelfInspection.objects.exists()


def test_a_fine_answer_without_its_photo_is_refused_keeping_answers_and_the_other_photos(
    district, personas, checklist, login
):
    client = login(personas.landlord)
    premises = district.premises_a
    key = str(uuid.uuid4())
    data = {**answers(premises), "item-ELEC-02": SelfCheckResult.FAIL, "client_uuid": key}
    response = client.post(form_url(premises), {**data, **photos(premises, skip=("EQUIP-02",))})
    assert_status(response, 400)
    html = response.content.decode()
    # The error names the item in words, beside it; every answer is still chosen.
    assert "“灭火器完好有效”答“符合”，请拍照上传。" in html and 'id="item-EQUIP-02-errors"' in html
    assert checked(html, "ELEC-02") == SelfCheckResult.FAIL
    assert checked(html, "EXIT-01") == SelfCheckResult.PASS
    # The photos that passed are kept for this submission and shown.
    kept = SelfInspectionPhoto.objects.filter(self_inspection=None)
    assert sorted(kept.values_list("item_code", flat=True)) == sorted(set(PHOTO_CODES) - {"EQUIP-02"})
    for photo in kept:
        assert reverse("portal:self_inspection_photo", args=[photo.pk, "thumbnail"]) in html
    assert not SelfInspection.objects.exists()
    # The same form again with only the missing photo is accepted, with all four photos.
    response = client.post(form_url(premises), {**data, "photo-EQUIP-02": jpeg()})
    assert_status(response, 302)
    row = SelfInspection.objects.get()
    assert row.answers.get(item_code="ELEC-02").result == SelfCheckResult.FAIL
    assert sorted(row.photos.values_list("item_code", flat=True)) == sorted(PHOTO_CODES)
    assert not SelfInspectionPhoto.objects.filter(self_inspection=None).exists()


def test_a_not_fine_answer_needs_no_photo(district, personas, checklist, login):
    client = login(personas.landlord)
    data = {**answers(district.premises_a), "client_uuid": str(uuid.uuid4())}
    data.update({f"item-{code}": SelfCheckResult.FAIL for code in PHOTO_CODES})
    assert_status(client.post(form_url(district.premises_a), data), 302)
    assert SelfInspection.objects.get().photos.count() == 0


def test_a_file_that_is_not_a_photo_is_refused_on_its_item(district, personas, checklist, login):
    client = login(personas.landlord)
    data = {**answers(district.premises_a), **photos(district.premises_a), "client_uuid": str(uuid.uuid4())}
    data["photo-EQUIP-03"] = SimpleUploadedFile("alarm.jpg", b"<html><script>x</script></html>", "image/jpeg")
    response = client.post(form_url(district.premises_a), data)
    assert_status(response, 400)
    html = response.content.decode()
    assert "“安装独立式感烟报警器”的照片：" in html and 'id="item-EQUIP-03-errors"' in html
    assert checked(html, "EQUIP-03") == SelfCheckResult.PASS
    assert not SelfInspection.objects.exists()
    assert not SelfInspectionPhoto.objects.filter(item_code="EQUIP-03").exists()


def test_a_photo_over_the_limit_is_refused(district, personas, checklist, login, settings):
    settings.FIREGRID_PHOTO_MAX_MB = 1
    client = login(personas.landlord)
    data = {**answers(district.premises_a), **photos(district.premises_a), "client_uuid": str(uuid.uuid4())}
    big = jpeg().read() + b"\0" * (1024 * 1024)
    data["photo-EXIT-01"] = SimpleUploadedFile("route.jpg", big, "image/jpeg")
    response = client.post(form_url(district.premises_a), data)
    assert_status(response, 400)
    assert "照片不能超过1 MB" in response.content.decode()
    assert not SelfInspection.objects.exists()


def test_photos_are_served_to_their_landlord_only(district, personas, checklist, login):
    from firegrid.areas.choices import Role
    from firegrid.testing import make_user

    client = login(personas.landlord)
    data = {**answers(district.premises_a), **photos(district.premises_a), "client_uuid": str(uuid.uuid4())}
    assert_status(client.post(form_url(district.premises_a), data), 302)
    photo = SelfInspectionPhoto.objects.first()
    url = reverse("portal:self_inspection_photo", args=[photo.pk, "image"])
    response = client.get(url)
    assert_status(response, 200)
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    other = make_user("landlord-b", Role.LANDLORD, landlord=district.landlord_b)
    assert_status(login(other).get(url), 404)


def test_another_landlords_premises_is_404_and_staff_are_refused(district, personas, checklist, login):
    client = login(personas.landlord)
    assert_status(client.get(form_url(district.premises_b)), 404)
    data = {**answers(district.premises_b), **photos(district.premises_b), "client_uuid": str(uuid.uuid4())}
    assert_status(client.post(form_url(district.premises_b), data), 404)
    assert_status(login(personas.grid_worker).get(reverse("portal:self_inspection")), 403)
    assert not SelfInspection.objects.exists() and not SelfInspectionPhoto.objects.exists()
