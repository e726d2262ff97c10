from django.conf import settings

from firegrid.areas.choices import Role
from firegrid.core.permissions import Action, can
from firegrid.registry.models import TenantHousehold


def firegrid(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "LANGUAGES": settings.LANGUAGES,
        "is_admin": signed_in and (user.is_superuser or user.role == Role.SYSTEM_ADMIN),
        "can_view_tenants": signed_in and can(user, Action.VIEW, TenantHousehold),
    }
