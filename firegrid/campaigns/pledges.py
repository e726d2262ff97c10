"""The unit–landlord pledge (单位—房东承诺书): the employer unit and its four-category landlord commit
to bring the landlord's premises to accepted by the four-category milestone.

Its content is frozen on the claim the first time it is printed (serial allocated then), so every
reprint is the same document. Content keys: kind ("unit_pledge"), title, serial, issuer {name, phone},
issued_on (ISO date), campaign (name), unit {name}, landlord {name, masked_mobile, categories [str]},
premises [{address, kind}], deadline (ISO date), deadline_name (the milestone's name, may be empty).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firegrid.core.masking import MASKERS
from firegrid.core.models import AuditAction
from firegrid.core.pdf import chinese_date, render_pdf
from firegrid.core.services import lock_in_scope, record_change
from firegrid.rectification.documents import allocate_serial

from .choices import ClaimStatus, MilestoneScope
from .models import Campaign, Claim
from .scope import premises_in_scope

if TYPE_CHECKING:
    from firegrid.areas.models import User


TITLE = "单位—房东消防安全承诺书"
TEMPLATE = "documents/unit_pledge.html"


def four_category_deadline(campaign: Campaign) -> tuple[dt.date, str]:
    """The four-category milestone (the earliest, if several), else the campaign's end."""
    milestone = (
        campaign.milestones.filter(scope=MilestoneScope.FOUR_CATEGORY).order_by("due_on", "pk").first()
    )
    return (milestone.due_on, milestone.name) if milestone else (campaign.ends_on, "")


def build_content(claim: Claim, *, serial: str, issued_on: dt.date) -> dict[str, Any]:
    campaign, landlord = claim.campaign, claim.landlord
    deadline, deadline_name = four_category_deadline(campaign)
    premises = premises_in_scope(campaign).filter(landlord=landlord).select_related("building")
    premises = premises.order_by("sort_key", "pk")
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "kind": "unit_pledge",
            "title": TITLE,
            "serial": serial,
            "issuer": {
                "name": settings.FIREGRID_ISSUER,
                "department": "",
                "phone": settings.FIREGRID_ISSUER_PHONE,
            },
            "issued_on": issued_on.isoformat(),
            "campaign": campaign.name,
            "unit": {"name": claim.unit.name},
            "landlord": {
                "name": landlord.name,
                "masked_mobile": MASKERS["mobile"](landlord.mobile) if landlord.mobile else "",
                "categories": landlord.four_category_labels(),
            },
            "premises": [{"address": str(p), "kind": str(p.get_kind_display())} for p in premises],
            "deadline": deadline.isoformat(),
            "deadline_name": deadline_name,
        }


@transaction.atomic
def issue_unit_pledge(claim: Claim, *, actor: User) -> Claim:
    """Freeze the pledge of an active claim (first print), or return the claim as it is (reprint)."""
    current = lock_in_scope(claim, actor, "view")
    if current.pledge_content:
        return current
    if current.status != ClaimStatus.ACTIVE:
        raise ValidationError(_("该认领已结束，不能再出具承诺书。"))
    issued_on = timezone.localdate()
    serial = allocate_serial("unit_pledge", issued_on.year)
    current.pledge_serial = serial
    current.pledge_content = build_content(current, serial=serial, issued_on=issued_on)
    current.save(update_fields=["pledge_serial", "pledge_content", "updated_at"])
    record_change(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        after={"pledge_serial": serial},
        reason=_("出具单位—房东承诺书"),
    )
    return current


def render_unit_pledge(content: dict[str, Any]) -> bytes:
    context = {
        "doc": content,
        "issued_on_text": chinese_date(content["issued_on"]),
        "deadline_text": chinese_date(content["deadline"]),
        "categories_text": "、".join(content["landlord"]["categories"]),
    }
    return render_pdf(TEMPLATE, context)
