"""Enforcement (执法) recorded on a premises or its plan."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, require_visible, snapshot
from firegrid.core.uploads import UploadKind, check_uploads, stored_name, upload_name
from firegrid.registry.models import Premises

from ..choices import VISIT_STEPS, MoveName, PlanState
from ..models import EnforcementAction, EnforcementAttachment, Plan
from .base import _locked
from .moves import _move

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.areas.models import User

# Scans of one step: a decision, a record of questioning, a few photos.
MAX_ATTACHMENTS = 10


@transaction.atomic
def record_enforcement(
    premises: Premises,
    data: dict[str, Any],
    *,
    actor: User,
    plan: Plan | None = None,
    attachments: Iterable[UploadedFile[bytes]] = (),
) -> EnforcementAction:
    """Record an enforcement step; on an escalated plan a sanction moves the plan into enforcement.

    The attachments (at most MAX_ATTACHMENTS) are checked by their content (`core.uploads`: PDF, images,
    Word, Excel, each within FIREGRID_ATTACHMENT_MAX_MB) before anything is written, for the page and the
    API alike; a refusal is an error on `attachments` naming each refused file."""
    require(actor, Action.ADD, EnforcementAction)
    require_visible(premises, actor)
    attachments = list(attachments)
    try:
        checked = check_uploads(attachments, UploadKind.ATTACHMENT, most=MAX_ATTACHMENTS)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.error_list}) from exc
    if plan is not None:
        # The stored row, locked: whether the sanction moves the plan depends on its state now.
        plan = _locked(plan, actor)
    department = data.get("department") or getattr(actor, "department", None)
    action = EnforcementAction(
        premises=premises, plan=plan, recorded_by=actor, **{**data, "department": department}
    )
    if department is None:
        raise ValidationError({"department": _("请选择执法部门。")})
    action.full_clean()
    action.save()
    for upload, kind in zip(attachments, checked, strict=True):
        attachment = EnforcementAttachment(action=action, name=upload_name(upload)[:200])
        # Stored under the checked type's extension: the file is served as that type.
        attachment.file.save(stored_name(kind), upload, save=False)
        attachment.save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=action, after=snapshot(action))
    if plan is not None and plan.state == PlanState.ESCALATED and action.kind not in VISIT_STEPS:
        _move(plan, MoveName.ENFORCE, actor=actor, reason=str(action))
    return action
