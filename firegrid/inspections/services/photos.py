"""Photos added to an inspection."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    record_change,
    require,
    snapshot,
)

from ..choices import (
    InspectionStatus,
    PhotoRole,
)
from ..models import Inspection, Photo
from .inspections import draft_for_update

# --- photos ---------------------------------------------------------------------------------------


@transaction.atomic
def add_photo(
    inspection: Inspection,
    upload: IO[bytes],
    *,
    actor: User,
    item_code: str | None = None,
    role: str = PhotoRole.EVIDENCE,
) -> Photo:
    """Attach a photo to a draft inspection (and to one of its items). The file is checked by content,
    resized, thumbnailed and stripped of EXIF before it is stored; a refused file changes nothing else."""
    # Imported here: Pillow and the HEIF decoder load only in processes that take photos.
    from ..photos import attach, process_photo

    require(actor, Action.ADD, Photo)
    inspection = draft_for_update(inspection, actor)
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError(_("检查已提交，不能再添加照片。"))
    answer = None
    if item_code:
        item = inspection.template.items.filter(code=item_code).first()
        if item is None:
            raise ValidationError({"item_code": _("检查表中没有检查项 %(code)s。") % {"code": item_code}})
        answer = inspection.answers.filter(item=item).first()
        if answer is None:
            raise ValidationError(
                {"item_code": _("请先对检查项 %(code)s 作出结论，再添加照片。") % {"code": item_code}}
            )
    processed = process_photo(upload)
    photo = Photo(
        inspection=inspection,
        answer=answer,
        role=role,
        latitude=processed.latitude,
        longitude=processed.longitude,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attach(photo, processed).save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=photo, after=snapshot(photo))
    return photo
