"""The landlord's proof: after-photos of each hazard, before the recheck."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot

from ..choices import PROOF_STATES
from ..models import PlanItem, ProofPhoto
from .base import _locked

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.areas.models import User


@transaction.atomic
def add_proof_photo(item: PlanItem, upload: UploadedFile[bytes], *, actor: User) -> ProofPhoto:
    """An after-photo for one hazard of the plan, from the landlord (or an officer) before the recheck."""
    # Imported here: Pillow and the HEIF decoder load only in processes that take photos.
    from firegrid.inspections.photos import attach, process_photo

    plan = _locked(item.plan, actor)
    if plan.state not in PROOF_STATES:
        raise ValidationError(
            {
                "image": _("方案当前状态为“%(state)s”，不能再上传整改照片。")
                % {"state": plan.get_state_display()}
            }
        )
    if actor.role == Role.LANDLORD and actor.landlord_id != plan.landlord_id:
        raise PermissionDenied(_("只有该方案的房东本人可以上传整改照片。"))
    if actor.role not in (Role.LANDLORD, Role.SYSTEM_ADMIN) and not actor.is_superuser:
        require(actor, Action.CHANGE, plan)
    processed = process_photo(upload)
    photo = ProofPhoto(item=item, uploaded_by=actor, uploaded_at=timezone.now())
    attach(photo, processed).save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=photo, after=snapshot(photo))
    return photo
