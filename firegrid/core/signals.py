"""The login log, and API tokens ended with the session or the password.

Django reports sign-ins and sign-outs only through signals, so this is where they are caught.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .models import LoginRecord

if TYPE_CHECKING:
    from django.http import HttpRequest

    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User


def _client(request: HttpRequest | None) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    # Behind a proxy the deployment sets REMOTE_ADDR properly (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]


@receiver(user_logged_in)
def record_login(sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    ip, agent = _client(request)
    LoginRecord.objects.create(username=user.get_username(), user=user, success=True, ip=ip, user_agent=agent)


@receiver(user_logged_in)
def start_session_refresh_clock(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """A new session counts as just refreshed (SessionRefreshMiddleware): the sign-in saves it anyway."""
    session = getattr(request, "session", None)
    if session is not None:
        from .middleware import SessionRefreshMiddleware

        session[SessionRefreshMiddleware.KEY] = int(time.time())


@receiver(user_login_failed)
def record_login_failure(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    ip, agent = _client(request)
    LoginRecord.objects.create(
        username=str(credentials.get("username", ""))[:150], success=False, ip=ip, user_agent=agent
    )


@receiver(user_logged_out)
def revoke_tokens_at_logout(
    sender: type[User] | None, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    # Signing out of the web site ends the user's API tokens too: one "sign out" that means it, e.g. on a
    # shared office machine where a script kept a token.
    if user is not None:
        Token.objects.filter(user=user).delete()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def revoke_tokens_on_password_change(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    # A new password ends every API token, wherever it is set (the 修改密码 page, Django admin,
    # `changepassword`). `_password` holds the raw password between set_password() and the save that
    # stores it (AbstractBaseUser); a hash upgrade at sign-in clears it before saving, so it does not count.
    if not created and getattr(instance, "_password", None) is not None:
        Token.objects.filter(user=instance).delete()
