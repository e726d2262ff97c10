from django import template

from firegrid.dashboards.figures import may_view_dashboard as _may_view

register = template.Library()


@register.filter
def may_view_dashboard(user) -> bool:
    """Whether the menu offers the campaign dashboard (the same rule the view applies)."""
    return _may_view(user)
