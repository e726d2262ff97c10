from django import template

from firegrid.reports.services import may_view

register = template.Library()


@register.filter
def can_view_reports(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and may_view(user)
