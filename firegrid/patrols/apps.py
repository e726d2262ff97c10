from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    """巡查: daily and night patrols by grid workers and volunteer landlord patrol teams, proven by scans
    of the buildings' QR plates, and the fabrication checks a supervisor looks at."""

    name = "firegrid.patrols"
    label = "patrols"
    verbose_name = _("巡查")

    def ready(self) -> None:
        # A submitted inspection follows up patrol findings and is looked at by the fabrication checks
        # (inspections.signals.inspection_submitted); open findings wait in the work queue.
        from firegrid.longterm.queue import register_queue_source

        from . import receivers  # noqa: F401
        from .followup import PATROL_FINDING_SOURCE

        register_queue_source(PATROL_FINDING_SOURCE)
