from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LongtermConfig(AppConfig):
    """长效机制: what a district runs every day after the campaign. Its first part is the work queue
    (今日任务, `queue.py`); its sources are registered in `queue.py` itself (risk, inspections and
    rectification sit below this app, so it reads them directly)."""

    name = "firegrid.longterm"
    label = "longterm"
    verbose_name = _("长效机制")
