"""The menu's points links (积分记录 · 房东积分 · 年度评选) and the portal home's way to 我的积分 with this
year's total (a template tag, so the portal's home view needs no change)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.permissions import Action, can

from ..models import PointsEntry, YearEndEvaluation
from ..services import landlord_points

register = template.Library()


@register.filter
def can_view_points(user: User | AnonymousUser) -> bool:
    """Menu: the points lists for roles that read entries (landlords use the portal's page)."""
    return isinstance(user, User) and user.role != Role.LANDLORD and can(user, Action.VIEW, PointsEntry)


@register.filter
def can_view_evaluations(user: User | AnonymousUser) -> bool:
    return can(user, Action.VIEW, YearEndEvaluation)


@register.inclusion_tag("portal/_points_link.html", takes_context=True)
def points_link(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    points = None
    if isinstance(user, User) and user.landlord_id is not None and can(user, Action.VIEW, PointsEntry):
        points = landlord_points(user.landlord_id, timezone.localdate().year)
    return {"points": points}
