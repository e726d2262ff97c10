"""Builders for the self-inspection tests: a submitted self-inspection without going through a landlord
account (population for draws), the answers a landlord gives, and the photos the items ask for."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.inspections.models import ChecklistTemplate
from firegrid.longterm import services
from firegrid.longterm.choices import SelfCheckResult
from firegrid.longterm.models import SelfInspection, SelfInspectionAnswer, SelfInspectionPhoto
from firegrid.longterm.selfcheck import PHOTO_CODES, self_check_items
from firegrid.registry.models import Premises


def all_pass(premises: Premises, fail: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        item.code: SelfCheckResult.FAIL if item.code in fail else SelfCheckResult.PASS
        for item in self_check_items(premises)
    }


def jpeg(name: str = "photo.jpg", colour: str = "red") -> SimpleUploadedFile:
    """A small real JPEG, as a phone's camera sends it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def photo_codes(premises: Premises) -> list[str]:
    """The items of the premises' list that ask for a photo."""
    return [item.code for item in self_check_items(premises) if item.code in PHOTO_CODES]


def photos_for(premises: Premises, skip: tuple[str, ...] = ()) -> dict[str, SimpleUploadedFile]:
    return {code: jpeg(f"{code}.jpg") for code in photo_codes(premises) if code not in skip}


def submit(premises: Premises, actor: User, *, fail: tuple[str, ...] = (), **kw) -> SelfInspection:
    """The landlord's self-inspection through the service: every item fine but `fail`, with its photos."""
    return services.submit_self_inspection(
        premises,
        all_pass(premises, fail),
        actor=actor,
        client_uuid=kw.pop("client_uuid", None) or uuid.uuid4(),
        photos=kw.pop("photos", None) or photos_for(premises),
        **kw,
    )


def submitter() -> User:
    user, _created = User.objects.get_or_create(
        username="self-check-submitter", defaults={"role": Role.LANDLORD, "full_name": "房东"}
    )
    return user


def make_self_inspection(premises: Premises, period: dt.date, **kw) -> SelfInspection:
    """A self-inspection of `premises` for `period`, every item answered pass, written directly."""
    row = SelfInspection.objects.create(
        premises=premises,
        landlord_id=premises.landlord_id,
        template=ChecklistTemplate.objects.current(),
        period=period,
        submitted_at=kw.pop("submitted_at", timezone.now()),
        submitted_by=kw.pop("submitted_by", None) or submitter(),
        client_uuid=uuid.uuid4(),
        **kw,
    )
    SelfInspectionAnswer.objects.bulk_create(
        SelfInspectionAnswer(self_inspection=row, item_code=code, result=result)
        for code, result in all_pass(premises).items()
    )
    return row


def add_photo(row: SelfInspection, code: str) -> SelfInspectionPhoto:
    """A photo of item `code` attached to `row`, written directly (stored as the service stores one)."""
    from firegrid.inspections.photos import attach, process_photo

    photo = SelfInspectionPhoto(
        premises=row.premises,
        self_inspection=row,
        client_uuid=row.client_uuid,
        item_code=code,
        uploaded_by=row.submitted_by,
        uploaded_at=timezone.now(),
    )
    attach(photo, process_photo(jpeg())).save()
    return photo
