from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "firegrid.registry"
    label = "registry"
    verbose_name = _("出租房屋登记")

    def ready(self) -> None:
        # The unit list belongs to the areas app, below the registry: it gets its landlord figure here.
        from firegrid.areas.views import register_unit_figure

        from .views import UNIT_LANDLORDS_COLUMN, unit_landlord_count

        register_unit_figure(UNIT_LANDLORDS_COLUMN, unit_landlord_count)
