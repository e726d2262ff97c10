"""{% load rectification_links %}: the menu links of rectification and its part of a premises page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.template.context import Context

from firegrid.core.permissions import Action, can

from ..models import EscalationStep, Plan

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User
    from firegrid.registry.models import Premises

register = template.Library()


@register.filter
def can_view_plans(user: User | AnonymousUser) -> bool:
    return can(user, Action.VIEW, Plan)


@register.filter
def can_view_ladder(user: User | AnonymousUser) -> bool:
    return can(user, Action.VIEW, EscalationStep)


@register.inclusion_tag("rectification/_premises_plan.html", takes_context=True)
def premises_rectification(context: Context, premises: Premises) -> dict[str, Any]:
    from ..views.plans import premises_rectification as rectification_context

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return rectification_context(premises, user)
