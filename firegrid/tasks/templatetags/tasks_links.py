"""Menu links of tasks and outreach records, shown to the roles that work with them."""

from django import template

from firegrid.core.permissions import Action, can

register = template.Library()


@register.filter
def can_view_tasks(user) -> bool:
    from firegrid.tasks.models import Task

    return can(user, Action.VIEW, Task)


@register.filter
def can_view_outreach_records(user) -> bool:
    from firegrid.outreach.models import OutreachRecord

    return can(user, Action.VIEW, OutreachRecord)
