"""What an error report may show: DEFAULT_EXCEPTION_REPORTER_FILTER.

Under DEBUG Django's error page lists the settings and `request.META`; under `runserver` META holds the
whole process environment, so `DATABASE_URL` with its password was on the page of any failing request.
Error e-mails to the admins go through the same filter.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

# Request headers and the CGI variables WSGI defines: the request itself, which a report needs. Any other
# META key is the server's environment (runserver copies os.environ into every request's META).
_REQUEST_META = re.compile(
    r"HTTP_\w+|CONTENT_(TYPE|LENGTH)|REQUEST_METHOD|PATH_INFO|SCRIPT_NAME|QUERY_STRING|REMOTE_(ADDR|HOST)"
    r"|SERVER_(NAME|PORT|PROTOCOL)|wsgi\.url_scheme"
)


def has_credentials(value: Any) -> bool:
    """A URL with a user or password in it (postgres://firegrid:secret@db/firegrid)."""
    if not isinstance(value, str) or "://" not in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return True  # not readable as a URL: not shown either
    return bool(parts.username or parts.password)


class FiregridExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: connection URLs (DATABASE_URL, REDIS_URL, any *_URL or broker/backend
    address holding credentials) and the Authorization header are hidden, and the environment is left
    out of the request's META."""

    # Django's list (API, TOKEN, KEY, SECRET, PASS, SIGNATURE, HTTP_COOKIE) plus Authorization (a token
    # or a password) and the connection addresses, whose host names are no business of a visitor either.
    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTHORIZATION|DATABASE_URL|REDIS_URL|BROKER_URL"
        "|RESULT_BACKEND",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        if isinstance(key, str) and has_credentials(value):
            return self.cleansed_substitute
        return super().cleanse_setting(key, value)

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        if not hasattr(request, "META"):
            return {}
        return {
            key: self.cleanse_setting(key, value)
            for key, value in request.META.items()
            if _REQUEST_META.fullmatch(key)
        }
