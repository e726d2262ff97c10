"""The whole premises file as one printed dossier (一户一档 PDF)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firegrid.core.masking import MASKERS
from firegrid.core.permissions import Action, can
from firegrid.registry.models import Premises

from ..models import Plan
from .timeline import Thumb, _lines, all_entries

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.pdf import DocumentContent, Issuer

# --- the dossier PDF -----------------------------------------------------------------------------------------

# A file longer than this prints its most recent entries, and says so in its header table.
DOSSIER_LIMIT = 500
DOSSIER_PHOTOS_PER_ENTRY = 8


def _thumbnail_uri(thumb: Thumb) -> str:
    from firegrid.core.pdf import image_data_uri

    stored = thumb.file
    if not stored or not stored.name:
        return ""
    try:
        with stored.storage.open(stored.name, "rb") as f:
            return image_data_uri(f.read(), "image/jpeg")
    except (OSError, ValueError):
        # A lost file must not stop the whole dossier; the entry still prints.
        return ""


def _issuer() -> Issuer:
    issuer = settings.FIREGRID_ISSUER
    if isinstance(issuer, Mapping):
        return {
            "name": issuer.get("name", ""),
            "department": issuer.get("department", ""),
            "phone": issuer.get("phone", ""),
        }
    return {"name": str(issuer), "department": "", "phone": ""}


def dossier_content(premises: Premises, user: User, *, limit: int = DOSSIER_LIMIT) -> DocumentContent:
    """The premises file as the content of one printed dossier (schema: firegrid.core.pdf), as this user
    may see it: the header facts, the hazards of the open plan, and the newest `limit` entries, oldest
    first, photos as thumbnails read through Django's storage."""
    from firegrid.core.pdf import DOCUMENT_TITLES
    from firegrid.registry.models import Room, TenantHousehold

    from .. import documents

    with translation.override(settings.LANGUAGE_CODE):
        entries, total = all_entries(premises, user, limit=limit)
        today = timezone.localdate()
        landlord = premises.landlord
        grid = premises.building.grid
        plan = None
        if can(user, Action.VIEW, Plan):
            plan = Plan.objects.visible_to(user).open().filter(premises=premises).order_by("-pk").first()
        items = (
            list(plan.items.select_related("hazard__item", "hazard__answer").order_by("deadline", "pk"))
            if plan
            else []
        )
        facts = [
            [_("网格"), str(grid)],
            [_("门牌/户号"), premises.unit_label],
            [_("楼层"), f"{premises.floor_from}–{premises.floor_to}"],
            [
                _("建筑面积"),
                # Unknown until verified (a ledger without the column): never "None m²".
                _("待核实") if premises.floor_area_m2 is None else f"{premises.floor_area_m2} m²",
            ],
            [_("状态"), premises.get_status_display()],
            [_("群租房"), _("是") if premises.is_shared_rental else _("否")],
            [_("房间数"), str(Room.objects.visible_to(user).filter(premises=premises).count())],
        ]
        if can(user, Action.VIEW, TenantHousehold):
            tenants = TenantHousehold.objects.visible_to(user).filter(premises=premises).current().count()
            facts.append([_("在住租户"), _("%(n)s 户") % {"n": tenants}])
        if plan is not None:
            facts.append(
                [
                    _("整改方案"),
                    _("%(state)s，期限 %(date)s")
                    % {"state": plan.get_state_display(), "date": plan.deadline},
                ]
            )
        count = (
            _("共 %(total)s 条，本档案收录最近 %(limit)s 条") % {"total": total, "limit": len(entries)}
            if total > len(entries)
            else _("共 %(total)s 条") % {"total": total}
        )
        facts += [[_("档案记录"), count], [_("打印人"), str(user)]]
        content: DocumentContent = {
            "kind": "dossier",
            "title": DOCUMENT_TITLES["dossier"],
            "serial": _("档案编号 %(number)s")
            % {"number": f"{grid.code}-{premises.pk:06d}" if grid.code else f"{premises.pk:06d}"},
            "issuer": _issuer(),
            "issued_on": today.isoformat(),
            "addressee": {
                "name": landlord.name,
                "address": landlord.address,
                "masked_mobile": MASKERS["mobile"](landlord.mobile) if landlord.mobile else "",
            },
            "premises": {"address": str(premises), "kind": premises.get_kind_display()},
            "hazards": [
                {
                    "code": i.hazard.item.code,
                    "title": i.hazard.item.title,
                    "description": i.hazard.answer.note if i.hazard.answer is not None else "",
                    "measure": i.measure,
                    "acceptance": i.acceptance,
                    "deadline": i.deadline.isoformat(),
                }
                for i in items
            ],
            "plan_deadline": (plan.deadline if plan else today).isoformat(),
            "legal_basis": [],
            "landlord_url": documents.landlord_url(plan) if plan else "",
            "inspectors": [],
            "facts": facts,
            "entries": [
                {
                    "at": timezone.localtime(e.time).isoformat(timespec="seconds"),
                    "kind": e.kind_label,
                    "title": e.title,
                    "text": _lines(
                        e.text,
                        *(f"{label}：{before} → {after}" for label, before, after in e.changes),
                    ),
                    "actor": e.actor,
                    "thumbnails": [
                        uri for uri in map(_thumbnail_uri, e.photos[:DOSSIER_PHOTOS_PER_ENTRY]) if uri
                    ],
                }
                for e in reversed(entries)
            ],
        }
    return content
