from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    """巡查: daily and night patrols by grid workers and volunteer landlord patrol teams, proven by scans
    of the buildings' QR plates, and the fabrication checks a supervisor looks at."""

    name = "firegrid.patrols"
    label = "patrols"
    verbose_name = _("巡查")
