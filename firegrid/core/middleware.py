"""Request id (kept in the audit entries a request writes), the interface language, the second-factor code,
forced password change."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

_request_id: ContextVar[str] = ContextVar("firegrid_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


GetResponse = Callable[[HttpRequest], HttpResponseBase]


class IdentifiedHttpRequest(HttpRequest):
    """A request once `RequestIdMiddleware` has given it its id. For annotations only."""

    id: str


class RequestIdMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: IdentifiedHttpRequest) -> HttpResponseBase:
        request.id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switcher (kept in the language cookie).

    Django's LocaleMiddleware would also follow the browser's Accept-Language; a district's staff share
    machines whose browsers say anything, and the interface's language is a choice, not a guess.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PasswordChangeRequiredMiddleware:
    """A user who must change their password (`must_change_password`, set e.g. for the demo users outside
    development) reaches only the change page until they do: every other page redirects there, the API
    answers 403. Signing out, switching the language and static files stay reachable."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "must_change_password", False) and user.is_authenticated:
            response = _confine(request, reverse("password_change"), gettext("请先修改密码。"))
            if response is not None:
                return response
        return self.get_response(request)


class OTPRequiredMiddleware:
    """A signed-in user with a second factor (core.otp) reaches only the code page until this session gave its
    code; one whose role requires a second factor (FIREGRID_OTP_REQUIRED_ROLES) and has none, only the
    enrolment page. Signing out, switching the language and static files stay reachable; htmx is sent there
    with HX-Redirect, the API answers 403."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        # Imported here: core.otp imports core.services, which imports this module.
        from .otp import pending_step

        self.pending_step = pending_step

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            step = self.pending_step(user)
            if step is not None:
                target = reverse("otp_verify" if step == "verify" else "otp_setup")
                message = gettext("请先完成两步验证。") if step == "verify" else gettext("请先开启两步验证。")
                response = _confine(request, target, message)
                if response is not None:
                    return response
        return self.get_response(request)


def _confine(request: HttpRequest, target: str, message: str) -> HttpResponse | None:
    """Sends a request anywhere but `target` (and sign-out, the language switch, static files) to `target`:
    a page is redirected with `?next=`, an htmx request with HX-Redirect, the API answers 403 `message`."""
    allowed = (target, reverse("logout"), reverse("set_language"), settings.STATIC_URL)
    if request.path.startswith(allowed):
        return None
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    if getattr(request, "htmx", False):
        # An htmx fragment request would swap the whole page into a table: send the whole page there.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class SessionRefreshMiddleware:
    """Moves a signed-in session's expiry on (FIREGRID_SESSION_HOURS of inactivity), at most once every
    FIREGRID_SESSION_REFRESH_MINUTES: saving the session on every request would make every page a
    database write, which on SQLite queues behind a long import's transaction."""

    KEY = "_refreshed"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or response.status_code >= 500:
            return response
        now = int(time.time())
        last = session.get(self.KEY, 0)
        if now - last >= settings.FIREGRID_SESSION_REFRESH_MINUTES * 60:
            session[self.KEY] = now  # marks the session modified: SessionMiddleware saves it, cookie and all
        return response
