"""What every page's template needs to know about the signed-in user (the menu, the language switcher).

It reads roles and the tenant register, so it lives on top of the layers rather than in core.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.registry.models import TenantHousehold


def firegrid(request: HttpRequest) -> dict[str, Any]:
    # No user (a request the authentication middleware never saw) counts as anonymous, like AnonymousUser.
    user = getattr(request, "user", None)
    return {
        "LANGUAGES": settings.LANGUAGES,
        "is_admin": isinstance(user, User) and (user.is_superuser or user.role == Role.SYSTEM_ADMIN),
        "can_view_tenants": isinstance(user, User) and can(user, Action.VIEW, TenantHousehold),
    }
