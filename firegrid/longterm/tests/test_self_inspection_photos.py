"""Self-inspection photos (自查照片): required for an item that asks for one when answered 符合, accepted
with the submission (service and API, multipart), refused by content (not an image, too large), kept pending
for the next try of the same submission, listed and served in scope."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from firegrid.api_testing import API, api_client
from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry
from firegrid.longterm import services
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection, SelfInspectionPhoto
from firegrid.longterm.selfcheck import PHOTO_CODES

from .self_checks import all_pass, jpeg, photo_codes, photos_for, submit

pytestmark = pytest.mark.django_db


def test_the_photo_items_are_the_visible_proofs_of_the_list(district, checklist):
    # Extinguisher, its gauge, the smoke alarm, the escape route: on a rental's and a shop's list alike.
    assert set(PHOTO_CODES) == {"EXIT-01", "EQUIP-01", "EQUIP-02", "EQUIP-03"}
    assert photo_codes(district.premises_a) == list(PHOTO_CODES)
    assert photo_codes(district.shop_a) == list(PHOTO_CODES)


def test_a_submission_keeps_one_photo_per_item_and_audits_them(district, personas, checklist):
    row = submit(district.premises_a, personas.landlord)
    photos = {p.item_code: p for p in row.photos.all()}
    assert sorted(photos) == sorted(PHOTO_CODES)
    photo = photos["EQUIP-02"]
    assert (photo.premises, photo.client_uuid, photo.uploaded_by) == (
        district.premises_a,
        row.client_uuid,
        personas.landlord,
    )
    assert photo.original_format == "JPEG" and photo.image.name.endswith(".jpg") and photo.thumbnail.name
    entry = AuditEntry.objects.for_object(row).get()
    assert entry.after["photos"] == {code: p.pk for code, p in sorted(photos.items())}


def test_a_fine_answer_without_its_photo_is_refused_by_item(district, personas, checklist):
    with pytest.raises(ValidationError) as exc:
        submit(
            district.premises_a, personas.landlord, photos=photos_for(district.premises_a, skip=("EQUIP-01",))
        )
    assert exc.value.message_dict == {"photos.EQUIP-01": ["“按规定配置灭火器”答“符合”，请拍照上传。"]}
    assert not SelfInspection.objects.exists()


def test_a_not_fine_answer_needs_no_photo_but_keeps_one_given(district, personas, checklist):
    only_alarm = {"EQUIP-03": jpeg()}
    row = submit(district.premises_a, personas.landlord, fail=PHOTO_CODES, photos=only_alarm)
    assert list(row.photos.values_list("item_code", flat=True)) == ["EQUIP-03"]


def test_a_file_that_is_not_a_photo_is_refused_and_the_others_are_kept(district, personas, checklist):
    key = uuid.uuid4()
    photos = photos_for(district.premises_a)
    photos["EQUIP-03"] = SimpleUploadedFile("alarm.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(district.premises_a, personas.landlord, client_uuid=key, photos=photos)
    assert list(exc.value.message_dict) == ["photos.EQUIP-03"]
    assert exc.value.message_dict["photos.EQUIP-03"][0].startswith("“安装独立式感烟报警器”的照片：")
    pending = SelfInspectionPhoto.objects.pending()
    assert sorted(pending.values_list("item_code", flat=True)) == sorted(set(PHOTO_CODES) - {"EQUIP-03"})
    # The next try of the same submission brings only the refused one.
    row = submit(district.premises_a, personas.landlord, client_uuid=key, photos={"EQUIP-03": jpeg()})
    assert row.photos.count() == len(PHOTO_CODES) and not pending.exists()


def test_a_photo_over_the_limit_is_refused(district, personas, checklist, settings):
    settings.FIREGRID_PHOTO_MAX_MB = 1
    photos = photos_for(district.premises_a)
    photos["EXIT-01"] = SimpleUploadedFile("route.jpg", jpeg().read() + b"\0" * (1024 * 1024), "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(district.premises_a, personas.landlord, photos=photos)
    assert "照片不能超过1 MB" in exc.value.message_dict["photos.EXIT-01"][0]
    assert not SelfInspection.objects.exists()


def test_a_photo_for_an_item_that_asks_none_is_refused(district, personas, checklist):
    photos = {**photos_for(district.premises_a), "ELEC-02": jpeg(), "SEP-01": jpeg()}
    with pytest.raises(ValidationError) as exc:
        submit(district.premises_a, personas.landlord, photos=photos)
    assert set(exc.value.message_dict) == {"photos.ELEC-02", "photos.SEP-01"}
    assert not SelfInspection.objects.exists()


def test_a_new_photo_of_an_item_replaces_the_pending_one(district, personas, checklist):
    key = uuid.uuid4()
    answers = all_pass(district.premises_a)
    with pytest.raises(ValidationError):
        services.submit_self_inspection(
            district.premises_a, answers, actor=personas.landlord, client_uuid=key, photos={"EXIT-01": jpeg()}
        )
    first = SelfInspectionPhoto.objects.get()
    with pytest.raises(ValidationError):
        services.submit_self_inspection(
            district.premises_a,
            answers,
            actor=personas.landlord,
            client_uuid=key,
            photos={"EXIT-01": jpeg(colour="blue")},
        )
    second = SelfInspectionPhoto.objects.get()
    assert second.pk != first.pk and second.sha256 != first.sha256


def test_pending_photos_nobody_submitted_are_discarded(district, personas, checklist):
    with pytest.raises(ValidationError):
        submit(district.premises_a, personas.landlord, photos={"EXIT-01": jpeg()})
    kept = submit(district.shop_a, personas.landlord)
    assert services.discard_pending_photos(before=timezone.now() - timezone.timedelta(days=1)) == 0
    assert services.discard_pending_photos(before=timezone.now()) == 1
    assert SelfInspectionPhoto.objects.count() == kept.photos.count() == len(PHOTO_CODES)


# --- the API ------------------------------------------------------------------------------------------------


def multipart(premises, *, skip=(), key=None, **answers_override) -> dict:
    data = {"premises": premises.pk, "client_uuid": str(key or uuid.uuid4())}
    data.update({f"answers.{code}": value for code, value in all_pass(premises).items()})
    data.update({f"answers.{code}": value for code, value in answers_override.items()})
    data.update({f"photos.{code}": jpeg(f"{code}.jpg") for code in photo_codes(premises) if code not in skip})
    return data


def test_api_takes_the_photos_as_multipart_and_lists_them(district, personas, checklist):
    client = api_client(personas.landlord)
    response = client.post(f"{API}/self-inspections/", multipart(district.premises_a), format="multipart")
    assert_status(response, 201)
    photos = response.data["photos"]
    assert sorted(p["item_code"] for p in photos) == sorted(PHOTO_CODES)
    row = SelfInspection.objects.get()
    photo = row.photos.get(item_code="EQUIP-01")
    url = f"{API}/self-inspections/{row.pk}/photos/{photo.pk}/thumbnail/"
    assert any(p["thumbnail"].endswith(url) for p in photos)
    # Read back in scope: the grid worker of the grid gets the file, the outsider does not find it.
    assert_status(api_client(personas.grid_worker).get(url), 200)
    assert api_client(personas.grid_worker).get(url)["Content-Type"] == "image/jpeg"
    assert_status(api_client(personas.outsider).get(url), 404)
    assert_status(api_client(personas.liaison).get(url), 403)
    detail = api_client(personas.fire_officer).get(f"{API}/self-inspections/{row.pk}/")
    assert len(detail.data["photos"]) == len(PHOTO_CODES)


def test_api_refusals_are_per_photo_field_and_a_retry_needs_only_the_missing_one(
    district, personas, checklist
):
    client = api_client(personas.landlord)
    key = uuid.uuid4()
    data = multipart(district.premises_a, skip=("EQUIP-02",), key=key)
    data["photos.EXIT-01"] = SimpleUploadedFile("x.jpg", b"GIF89a not really", "image/jpeg")
    response = client.post(f"{API}/self-inspections/", data, format="multipart")
    assert_status(response, 400)
    assert set(response.data) == {"photos.EXIT-01", "photos.EQUIP-02"}
    retry = {
        "premises": district.premises_a.pk,
        "client_uuid": str(key),
        **{f"answers.{code}": value for code, value in all_pass(district.premises_a).items()},
        "photos.EXIT-01": jpeg(),
        "photos.EQUIP-02": jpeg(),
    }
    assert_status(client.post(f"{API}/self-inspections/", retry, format="multipart"), 201)
    assert SelfInspection.objects.get().photos.count() == len(PHOTO_CODES)


def test_api_json_with_fine_photo_items_asks_for_their_photos(district, personas, checklist):
    client = api_client(personas.landlord)
    payload = {
        "premises": district.premises_a.pk,
        "client_uuid": str(uuid.uuid4()),
        "answers": {**all_pass(district.premises_a, fail=PHOTO_CODES), "EQUIP-03": SelfCheckResult.PASS},
    }
    response = client.post(f"{API}/self-inspections/", payload, format="json")
    assert_status(response, 400)
    assert list(response.data) == ["photos.EQUIP-03"]


def test_the_demo_builder_writes_self_inspections_whose_photos_share_one_picture(
    district, personas, checklist, login
):
    from django.urls import reverse

    from firegrid.longterm.builders import ItemsCache, build_self_inspection, sample_photo_files

    files, items = sample_photo_files(), ItemsCache()
    rows = [
        build_self_inspection(
            premises,
            submitted_by=personas.landlord,
            submitted_at=timezone.now(),
            fail=("EQUIP-02",),
            photos=files,
            items=items,
        )
        for premises in (district.premises_a, district.shop_a)
    ]
    for row in rows:
        assert sorted(row.photos.values_list("item_code", flat=True)) == sorted(
            set(PHOTO_CODES) - {"EQUIP-02"}
        )
        assert row.answers.get(item_code="EQUIP-02").result == SelfCheckResult.FAIL
    photo = rows[1].photos.first()
    response = login(personas.grid_worker).get(
        reverse("longterm:selfinspectionphoto_file", args=[photo.pk, "thumbnail"])
    )
    assert_status(response, 200)
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
