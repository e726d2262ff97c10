"""{% load registry_ledger %}: whether the 台账导入 menu link applies to the signed-in user."""

from django import template

from firegrid.registry.ledger.jobs import importable_kinds

register = template.Library()


@register.filter
def can_import_ledgers(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and importable_kinds(user))
