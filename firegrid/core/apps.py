from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "firegrid.core"
    label = "core"
    verbose_name = _("系统管理")

    def ready(self) -> None:
        # Imported for what they register: the login log (Django reports logins only through signals)
        # and the system check that the machine can print Chinese PDFs.
        from . import checks, signals  # noqa: F401
