from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "firegrid.outreach"
    label = "outreach"
    verbose_name = _("宣传与服务")

    def ready(self) -> None:
        from . import timeline

        # Bookings appear in the premises file (一户一档) beside inspections and plans.
        timeline.register()
