"""System checks of the portal's configuration (`manage.py check`, run at start-up)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def sms_backend_configured(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if getattr(settings, "FIREGRID_SMS_BACKEND", ""):
        return []
    return [
        Warning(
            "FIREGRID_SMS_BACKEND is not set: landlords cannot receive sign-in codes.",
            hint="Set FIREGRID_SMS_BACKEND to the dotted path of an SMS gateway backend "
            "(a subclass of firegrid.core.sms.BaseSmsBackend).",
            id="firegrid.portal.W001",
        )
    ]
