"""Menu links of tasks and outreach records, shown to the roles that work with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from firegrid.core.permissions import Action, can

if TYPE_CHECKING:
    from firegrid.areas.models import User

register = template.Library()


@register.filter
def can_view_tasks(user: User) -> bool:
    from firegrid.tasks.models import Task

    return can(user, Action.VIEW, Task)


@register.filter
def can_view_outreach_records(user: User) -> bool:
    from firegrid.outreach.models import OutreachRecord

    return can(user, Action.VIEW, OutreachRecord)
