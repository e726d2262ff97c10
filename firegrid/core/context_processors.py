from django.conf import settings

from firegrid.areas.choices import Role


def firegrid(request):
    user = getattr(request, "user", None)
    return {
        "LANGUAGES": settings.LANGUAGES,
        "is_admin": bool(
            user and user.is_authenticated and (user.is_superuser or user.role == Role.SYSTEM_ADMIN)
        ),
    }
