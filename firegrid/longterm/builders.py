"""Self-inspections written as a scene, not as a landlord's action: for the demo loader and benchmarks (the
services are for people; these write rows directly, without audit entries, as `firegrid/testing.py` does).

Cheap at scale: the self-check list is read once per premises kind (`ItemsCache`), and the photos of every
self-inspection built share one stored sample picture (`sample_photo_files`, processed and stored once),
so a row costs three INSERTs (the self-inspection, its answers, its photos) and no image work.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import timezone

from firegrid.areas.models import User
from firegrid.inspections.models import ChecklistItem, ChecklistTemplate
from firegrid.registry.models import Premises

from .choices import SelfCheckResult
from .models import SelfInspection, SelfInspectionAnswer, SelfInspectionPhoto
from .selfcheck import PHOTO_CODES, current_template, period_of, self_check_items


@dataclass(frozen=True)
class PhotoFiles:
    """A stored picture (and its thumbnail) that many photo rows may point at."""

    image: str
    thumbnail: str
    sha256: str
    original_format: str = "JPEG"


def sample_photo_files(colour: tuple[int, int, int] = (200, 60, 40)) -> PhotoFiles:
    """Process a generated picture once as every uploaded photo is (`inspections.photos.process_photo`) and
    store it under the self-inspection photos' folder."""
    from PIL import Image

    from firegrid.inspections.photos import process_photo

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    buffer.seek(0)
    processed = process_photo(buffer)
    folder = f"{SelfInspectionPhoto.upload_folder}/{timezone.now():%Y/%m}"
    image = default_storage.save(f"{folder}/sample-{processed.sha256[:16]}.jpg", processed.image)
    thumbnail = default_storage.save(
        f"{folder}/thumbs/sample-{processed.sha256[:16]}.jpg", processed.thumbnail
    )
    return PhotoFiles(image=image, thumbnail=thumbnail, sha256=processed.sha256)


@dataclass
class ItemsCache:
    """The self-check list per premises kind, read once (the published template's items)."""

    template: ChecklistTemplate | None = field(default_factory=current_template)
    by_kind: dict[str, list[ChecklistItem]] = field(default_factory=dict)

    def items(self, premises: Premises) -> list[ChecklistItem]:
        if premises.kind not in self.by_kind:
            self.by_kind[premises.kind] = self_check_items(premises, self.template)
        return self.by_kind[premises.kind]


def build_self_inspection(
    premises: Premises,
    *,
    submitted_by: User,
    submitted_at: dt.datetime,
    fail: Collection[str] = (),
    photos: PhotoFiles | None = None,
    items: ItemsCache | None = None,
) -> SelfInspection:
    """A self-inspection of `premises` for the period of `submitted_at`: every item of its list answered
    符合 but `fail`, and — with `photos` — a photo (the shared picture) for each item answered 符合 that
    asks for one, as a real submission has. `submitted_by` is the landlord's portal user."""
    items = items or ItemsCache()
    if items.template is None:
        raise ValueError("no published checklist template")
    row = SelfInspection.objects.create(
        premises=premises,
        landlord_id=premises.landlord_id,
        template=items.template,
        period=period_of(timezone.localdate(submitted_at)),
        submitted_at=submitted_at,
        submitted_by=submitted_by,
        client_uuid=uuid.uuid4(),
    )
    answers = {
        item.code: SelfCheckResult.FAIL if item.code in fail else SelfCheckResult.PASS
        for item in items.items(premises)
    }
    SelfInspectionAnswer.objects.bulk_create(
        SelfInspectionAnswer(self_inspection=row, item_code=code, result=result)
        for code, result in answers.items()
    )
    if photos is not None:
        SelfInspectionPhoto.objects.bulk_create(photo_rows(row, answers, photos))
    return row


def photo_rows(
    row: SelfInspection, answers: Mapping[str, str], files: PhotoFiles
) -> list[SelfInspectionPhoto]:
    """The unsaved photos a submission of `row` with `answers` has (one per item answered 符合 that asks for
    one), pointing at `files`: for a loader that bulk-creates them across many self-inspections (`row` needs
    its primary key, `premises_id`, `client_uuid`, `submitted_by_id` and `submitted_at`)."""
    return [
        SelfInspectionPhoto(
            premises_id=row.premises_id,
            self_inspection=row,
            client_uuid=row.client_uuid,
            item_code=code,
            image=files.image,
            thumbnail=files.thumbnail,
            original_format=files.original_format,
            sha256=files.sha256,
            uploaded_by_id=row.submitted_by_id,
            uploaded_at=row.submitted_at,
        )
        for code, result in answers.items()
        if code in PHOTO_CODES and result == SelfCheckResult.PASS
    ]
