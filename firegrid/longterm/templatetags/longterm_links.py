"""The 任务 tab of the phone's bottom bar (with the count of today's items as its badge) and the menu links
(今日任务, 房东自查)."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.queue import is_personal_queue, may_view_queue, queue_count

register = template.Library()


@register.filter
def can_view_queue(user: User | AnonymousUser) -> bool:
    return may_view_queue(user)


@register.filter
def can_view_self_inspections(user: User | AnonymousUser) -> bool:
    """The staff list of self-inspections in the menu: the roles that read them, landlords aside (theirs is
    the portal)."""
    return isinstance(user, User) and user.role != Role.LANDLORD and can(user, Action.VIEW, SelfInspection)


@register.inclusion_tag("longterm/_tab.html", takes_context=True)
def queue_tab(context: template.Context, user: User | AnonymousUser) -> dict[str, Any]:
    """The tab for roles with a queue. The badge is a grid worker's own count (one COUNT over their grids,
    or `queue_total` when the page has just counted it: the queue page, the home page); an officer's area
    would cost a count over thousands of premises on every page, so theirs has none."""
    if not may_view_queue(user):
        return {"show": False}
    assert isinstance(user, User)
    request = context.get("request")
    count = None
    if is_personal_queue(user):
        count = context.get("queue_total")
        if count is None:
            count = queue_count(user, today=timezone.localdate())
    return {"show": True, "count": count, "path": request.path if request is not None else ""}


@register.simple_tag
def new_client_uuid() -> str:
    """A fresh id for a start form: tapping twice opens one inspection, not two."""
    return str(uuid.uuid4())
