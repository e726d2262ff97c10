"""长辈模式 (elder mode: large text, high contrast, bigger tap targets), the portal's answer to 浙里办's, as a
toggle on every portal page. It is remembered per device in a cookie that the server reads, so the page is
rendered with `<html class="elder">` from its first paint (no flash of small text, no script needed), on the
sign-in page too. The language switch beside it is Django's set_language (the language cookie)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

ELDER_COOKIE = "firegrid_elder"
ELDER_COOKIE_AGE = dt.timedelta(days=365)


def elder_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def _back(request: HttpRequest) -> str:
    """Where the toggle was pressed: `next` (a page's own path), else the referring page, else home."""
    for target in (request.POST.get("next"), request.headers.get("Referer")):
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return reverse("portal:home")


class ElderModeView(View):
    """POST elder=1 turns 长辈模式 on for this device, elder=0 off; then back to the page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        response = redirect(_back(request))
        if request.POST.get("elder") == "1":
            response.set_cookie(
                ELDER_COOKIE,
                "1",
                max_age=ELDER_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        else:
            response.delete_cookie(ELDER_COOKIE, samesite="Lax")
        return response
