"""The menu's patrol links (巡查, 疑似造假提示) by what the user may see, and the portal home's 志愿巡查."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can

from ..choices import PatrolStatus
from ..models import FabricationFlag, Patrol, PatrolTeam

register = template.Library()


@register.filter
def can_view_patrols(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and can(user, Action.VIEW, Patrol)


@register.filter
def can_view_flags(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and can(user, Action.VIEW, FabricationFlag)


@register.inclusion_tag("patrols/_portal_link.html")
def portal_patrols_link(user: User | AnonymousUser) -> dict[str, object]:
    """The portal home's 志愿巡查 button, for a landlord on a patrol team (with the patrols under way)."""
    if not isinstance(user, User) or not PatrolTeam.objects.filter(members=user, active=True).exists():
        return {"show": False}
    running = Patrol.objects.filter(team__members=user, status=PatrolStatus.IN_PROGRESS).count()
    return {"show": True, "running": running}
