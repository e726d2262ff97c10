"""{% load campaigns_links %}: the menu links of the campaign command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from firegrid.areas.choices import Role
from firegrid.core.permissions import Action, can

from ..models import Campaign, Claim, WorkGroup

if TYPE_CHECKING:
    from firegrid.areas.models import User

register = template.Library()


@register.filter
def can_view_campaigns(user: User) -> bool:
    return can(user, Action.VIEW, Campaign)


@register.filter
def can_view_work_groups(user: User) -> bool:
    return can(user, Action.VIEW, WorkGroup)


@register.filter
def can_view_claims(user: User) -> bool:
    return can(user, Action.VIEW, Claim)


@register.filter
def is_unit_liaison(user: User) -> bool:
    return getattr(user, "role", None) == Role.UNIT_LIAISON
