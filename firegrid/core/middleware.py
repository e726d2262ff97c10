"""Request id (kept in the audit entries a request writes) and the interface language."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

_request_id: ContextVar[str] = ContextVar("firegrid_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
