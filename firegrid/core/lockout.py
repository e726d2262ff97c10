"""Sign-in lockout (django-axes): too many wrong passwords lock an account on an address, and an address.

Every password sign-in goes through Django's `authenticate(request, …)`: the web login, the admin login
and the API token endpoint (`core/api/auth.py`). django-axes counts the failures in the database
(`axes.AccessAttempt`, one row per username × address × browser) and refuses a locked sign-in before the
password is even checked. Two thresholds, one cool-off (settings `FIREGRID_LOGIN_*`):

- `FIREGRID_LOGIN_FAILURE_LIMIT` wrong passwords for one username from one address lock that pair;
  locking the account everywhere would let anyone lock a colleague out by typing their name;
- `FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT` (higher: a district office signs in from one NAT address) lock
  the address for every username: guessing across many accounts.

A lock lifts `FIREGRID_LOGIN_COOLOFF_MINUTES` after the failure that set it; a successful sign-in clears
that username's failures on that address. Wrong second-factor codes (`core/otp.py`) count as failures too;
for a user with a second factor only the right code clears them, not the password. The system admin unlocks
earlier in Django admin (访问尝试) or with `firegrid axes_reset_username NAME`.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its username and address (or the address) are locked.

    A sign-in without a request comes from code, not from a client (the test client's `login()`, a shell):
    there is no address to count, so it is let through to the password check.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # axes' backend only refuses a locked sign-in (it raises); it never signs anyone in.
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


class AxesHttpRequest(HttpRequest):
    """A request axes hands its handler: axes has set the client's address on it first. For annotations only."""

    axes_ip_address: str | None


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a separate, higher limit for the address alone.

    axes has one `AXES_FAILURE_LIMIT` for every group of `AXES_LOCKOUT_PARAMETERS`; here the failures that
    count are those of the username on this address, and an address past its own limit counts as locked.
    """

    def get_failures(self, request: AxesHttpRequest, credentials: dict[str, Any] | None = None) -> int:
        account, address = _failures(request, credentials)
        if address >= settings.FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT:
            limit: int = settings.AXES_FAILURE_LIMIT
            return max(account, limit)
        return account

    def reset_user_attempts(self, request: AxesHttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        # The password alone proves nothing for a user with a second factor: clearing the count here would
        # let someone holding the password guess codes without end (a few wrong codes, sign in again, …).
        # The right code clears it (core.otp.check_code).
        if _has_second_factor(username):
            return 0
        return clear_failures(request, username)


def clear_failures(request: HttpRequest, username: str) -> int:
    """Deletes this username's failures on this address (a successful sign-in). Signing in to one's own
    account must not wipe the address's count of guesses at other accounts."""
    AxesProxyHandler.update_request(request)
    count: int
    count, _ = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).delete()
    return count


def is_locked(request: HttpRequest, username: str) -> bool:
    """Whether this username on this address (or the address) is locked now."""
    locked: bool = AxesProxyHandler.is_locked(request, {"username": username})
    return locked


def _has_second_factor(username: str | None) -> bool:
    lookup = f"user__{get_user_model().USERNAME_FIELD}"
    return bool(username) and TOTPDevice.objects.filter(**{lookup: username}, confirmed=True).exists()


def _failures(request: AxesHttpRequest, credentials: dict[str, Any] | None) -> tuple[int, int]:
    """(failures of this username on this address, failures on this address) within the cool-off."""
    username = get_client_username(request, credentials)
    recent = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    sums = recent.aggregate(
        address=Sum("failures_since_start"),
        account=Sum("failures_since_start", filter=Q(username=username)),
    )
    return sums["account"] or 0, sums["address"] or 0


def lockout_message() -> str:
    minutes = settings.FIREGRID_LOGIN_COOLOFF_MINUTES
    return gettext("登录失败次数过多，已暂时锁定。请 %(minutes)s 分钟后再试，或请系统管理员解锁。") % {
        "minutes": minutes
    }


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a locked sign-in (`AXES_LOCKOUT_CALLABLE`): JSON for the API, a page otherwise. 429."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "core/locked_out.html", {"message": message}, status=429)
