from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "firegrid.portal"
    label = "portal"
    verbose_name = _("房东服务")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (warns when production would print codes to the console)
