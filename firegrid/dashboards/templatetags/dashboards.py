from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from firegrid.dashboards.figures import may_view_dashboard as _may_view

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User

register = template.Library()


@register.filter
def may_view_dashboard(user: User | AnonymousUser) -> bool:
    """Whether the menu offers the campaign dashboard (the same rule the view applies)."""
    return _may_view(user)
