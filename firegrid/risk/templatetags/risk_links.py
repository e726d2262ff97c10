from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.risk.models import PremisesGrade

register = template.Library()


@register.filter
def can_view_risk(user: User | AnonymousUser) -> bool:
    """Menu: 长效管理 and 复查到期 for roles that read risk grades."""
    return can(user, Action.VIEW, PremisesGrade)
