from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "firegrid.core"
    label = "core"
    verbose_name = _("系统管理")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login log: Django reports logins only through signals)
