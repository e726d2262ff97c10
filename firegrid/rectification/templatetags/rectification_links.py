"""{% load rectification_links %}: the menu links of rectification and its part of a premises page."""

from django import template

from firegrid.core.permissions import Action, can

from ..models import EscalationStep, Plan

register = template.Library()


@register.filter
def can_view_plans(user) -> bool:
    return can(user, Action.VIEW, Plan)


@register.filter
def can_view_ladder(user) -> bool:
    return can(user, Action.VIEW, EscalationStep)


@register.inclusion_tag("rectification/_premises_plan.html", takes_context=True)
def premises_rectification(context, premises):
    from ..views.plans import premises_rectification as rectification_context

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return rectification_context(premises, user)
