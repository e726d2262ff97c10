"""System checks of the portal's configuration (`manage.py check`, run at start-up)."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sms_backend_configured(app_configs, **kwargs):
    if getattr(settings, "FIREGRID_SMS_BACKEND", ""):
        return []
    return [
        Warning(
            "FIREGRID_SMS_BACKEND is not set: landlords cannot receive sign-in codes.",
            hint="Set FIREGRID_SMS_BACKEND to the dotted path of an SMS gateway backend "
            "(a subclass of firegrid.portal.sms.BaseSmsBackend).",
            id="firegrid.portal.W001",
        )
    ]
