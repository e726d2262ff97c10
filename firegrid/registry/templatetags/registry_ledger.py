"""{% load registry_ledger %}: whether the 台账导入 menu link applies to the signed-in user."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from firegrid.areas.models import User
from firegrid.registry.ledger.services import importable_kinds

register = template.Library()


@register.filter
def can_import_ledgers(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and bool(importable_kinds(user))
