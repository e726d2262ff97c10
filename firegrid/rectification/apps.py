from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "firegrid.rectification"
    label = "rectification"
    verbose_name = _("隐患整改")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (inspection results move plans)
