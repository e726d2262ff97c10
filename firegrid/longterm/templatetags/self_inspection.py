"""The portal home's way to 房东自查: "本月自查待完成" while any of the landlord's premises has no
self-inspection this period (a template tag, so the portal's home view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from firegrid.areas.models import User

from ..selfcheck import due_premises

register = template.Library()


@register.inclusion_tag("portal/_self_inspection_link.html", takes_context=True)
def self_inspection_link(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    due = len(due_premises(user, timezone.localdate())) if isinstance(user, User) else 0
    return {"due": due}
