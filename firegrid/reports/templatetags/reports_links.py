from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from firegrid.reports.longterm_report import may_view_report
from firegrid.reports.services import may_view

if TYPE_CHECKING:
    from firegrid.areas.models import User

register = template.Library()


@register.filter
def can_view_reports(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and may_view(user)


@register.filter
def can_view_longterm_report(user: User) -> bool:
    """Menu: 长效管理日报 (not for unit liaisons, who follow their unit's campaign ranking only)."""
    return bool(getattr(user, "is_authenticated", False)) and may_view_report(user)
