"""Documents a person issues on a plan: the landlord's signed pledge and a corrected document reissued
(the serials, frozen content and PDFs are `rectification.documents`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require

from .. import documents, move_reasons
from ..choices import DocumentKind, DocumentStatus, MoveName, PlanState
from ..models import Document, Plan
from .base import _locked
from .moves import _move

if TYPE_CHECKING:
    from firegrid.areas.models import User


@transaction.atomic
def sign_pledge(plan: Plan, *, actor: User, name: str, ip: str | None) -> Document:
    """The landlord signs the pledge (承诺书) with their typed name; the time and address are kept.

    A plan has one signed pledge; signing starts the rectification when the notice has been served.
    """
    if actor.role != Role.LANDLORD or actor.landlord_id != plan.landlord_id:
        raise PermissionDenied(_("只有该方案的房东本人可以签署承诺书。"))
    plan = _locked(plan, actor)
    if plan.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），不能签署承诺书。") % {"state": plan.get_state_display()}
        )
    if plan.state == PlanState.DRAFT:
        raise ValidationError(_("整改通知送达后才能签署承诺书。"))
    signed = plan.documents.filter(kind=DocumentKind.PLEDGE, status=DocumentStatus.ISSUED).first()
    if signed is not None:
        raise ValidationError(
            _("承诺书已于 %(when)s 签署，不能重复签署。")
            % {"when": timezone.localtime(signed.signed_at).strftime("%Y-%m-%d %H:%M")}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"signed_name": _("请输入您的姓名作为签名。")})
    if plan.landlord and name != plan.landlord.name:
        raise ValidationError({"signed_name": _("签名须与房东姓名一致。")})
    document = documents.issue(
        plan, DocumentKind.PLEDGE, actor=actor, signature={"name": name, "at": timezone.now(), "ip": ip}
    )
    if plan.state == PlanState.NOTIFIED:
        _move(plan, MoveName.START, actor=actor, reason=move_reasons.written(move_reasons.PLEDGE_SIGNED))
    return document


@transaction.atomic
def reissue_document(document: Document, *, actor: User, reason: str) -> Document:
    """Issue a document again from the plan as it is now (a corrected notice); the old one is kept and
    marked superseded. Not after the plan is accepted: its record is final."""
    require(actor, Action.CHANGE, Plan)
    plan = _locked(document.plan, actor)
    if plan.state == PlanState.ACCEPTED:
        raise ValidationError(_("方案已验收，文书不能重新出具。"))
    if plan.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），文书不能重新出具。") % {"state": plan.get_state_display()}
        )
    if document.kind == DocumentKind.PLEDGE:
        raise ValidationError(_("承诺书由房东签署，不能重新出具。"))
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError(_("该文书已被重新出具，请在最新的文书上操作。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新出具文书需要填写原因。")})
    document.status = DocumentStatus.SUPERSEDED
    document.save(update_fields=["status"])
    new = documents.issue(plan, document.kind, actor=actor, supersedes=document)
    record_change(
        actor=actor, action=AuditAction.UPDATE, obj=plan, after={"reissued": new.serial}, reason=reason
    )
    return new
