"""The portal home's way to 报警处置: shown to a landlord with sensors or alert cases, with the count of the
cases still being handled (a template tag, so the portal's home view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.monitoring.choices import OPEN_STATES
from firegrid.monitoring.models import AlertCase, Device

register = template.Library()


@register.inclusion_tag("portal/_alerts_link.html", takes_context=True)
def alerts_link(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    if not isinstance(user, User) or not can(user, Action.VIEW, AlertCase):
        return {"shown": False, "open_count": 0}
    cases = AlertCase.objects.visible_to(user)
    open_count = cases.filter(state__in=OPEN_STATES).count()
    shown = bool(open_count) or cases.exists() or Device.objects.visible_to(user).exists()
    return {"shown": shown, "open_count": open_count}
