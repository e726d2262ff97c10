from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LongtermConfig(AppConfig):
    """长效机制: what a district runs every day after the campaign. Its first part is the work queue
    (今日任务, `queue.py`); its sources are registered in `queue.py` itself (risk, inspections and
    rectification sit below this app, so it reads them directly), and the landlord self-inspection's
    (房东自查, `selfcheck.py`) and the tenant moves' (`tenant_moves.py`) here."""

    name = "firegrid.longterm"
    label = "longterm"
    verbose_name = _("长效机制")

    def ready(self) -> None:
        # Drawn self-inspections join the work queue; a submitted inspection verifies them
        # (inspections.signals.inspection_submitted).
        from . import receivers  # noqa: F401
        from .queue import register_queue_source
        from .selfcheck import VERIFICATION_SOURCE
        from .tenant_moves import TENANT_MOVE_SOURCE

        register_queue_source(VERIFICATION_SOURCE)
        register_queue_source(TENANT_MOVE_SOURCE)
