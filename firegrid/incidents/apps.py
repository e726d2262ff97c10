from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """火警火灾: the fire service's record of alarms and fires in the district, each matched to the premises it
    happened at (exact, normalised, then fuzzy with a score an officer confirms), and the hotspots by area
    and month (docs/monitoring.md, "Fire incidents")."""

    name = "firegrid.incidents"
    label = "incidents"
    verbose_name = _("火警火灾")

    def ready(self) -> None:
        # The registry sits below this app: its premises page lists the incidents matched to the premises.
        from firegrid.registry.views import register_premises_page_part

        from .views import premises_page_part

        register_premises_page_part("incidents", premises_page_part)
