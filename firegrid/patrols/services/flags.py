"""A supervisor's review of a fabrication flag (疑似造假提示): cleared (排除) or confirmed (确认), with a
note. Never a penalty by itself; the flagged person never reviews their own flag."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.permissions import Action
from firegrid.core.services import ConcurrentEditError, lock_in_scope, require, save_update, snapshot

from ..choices import REVIEW_DECISIONS, FlagStatus
from ..models import FabricationFlag


@transaction.atomic
def review_flag(
    flag: FabricationFlag,
    *,
    decision: str,
    note: str,
    actor: User,
    expected_version: int | None = None,
) -> FabricationFlag:
    """待核查 → 已排除 / 已确认, with the reviewer's note. Community and subdistrict officers of the grid
    and the district command review; a flag already reviewed stays as it was decided."""
    require(actor, Action.CHANGE, FabricationFlag)
    locked = lock_in_scope(flag, actor, Action.CHANGE)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked, expected_version)
    if locked.user_id == actor.pk:
        raise PermissionDenied(_("不能核查与本人有关的提示。"))
    errors: dict[str, str] = {}
    if decision not in REVIEW_DECISIONS:
        errors["decision"] = _("请选择“排除”或“确认”。")
    if locked.status != FlagStatus.OPEN:
        errors["status"] = _("该提示已核查（%(state)s）。") % {"state": locked.get_status_display()}
    note = (note or "").strip()
    if not note:
        errors["review_note"] = _("请填写核查说明。")
    if errors:
        raise ValidationError(errors)
    before = snapshot(locked)
    locked.status = decision
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_note = note[:500]
    return save_update(locked, before, actor=actor, reason=str(FlagStatus(decision).label))
