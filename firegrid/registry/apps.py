from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "firegrid.registry"
    label = "registry"
    verbose_name = _("出租房屋登记")
