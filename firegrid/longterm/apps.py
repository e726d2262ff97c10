from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


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
        from firegrid.registry.views import register_premises_page_part
        from firegrid.risk.rules import register_fact_provider, register_rule

        from . import receivers  # noqa: F401
        from .contradictions import FACT, contradiction_facts, contradiction_rule
        from .queue import register_queue_source
        from .selfcheck import VERIFICATION_SOURCE
        from .tenant_moves import TENANT_MOVE_SOURCE
        from .to_verify import TO_VERIFY_SOURCE

        register_queue_source(VERIFICATION_SOURCE)
        register_queue_source(TENANT_MOVE_SOURCE)
        # Premises a ledger import registered with fields unknown (registry: Premises.to_verify).
        register_queue_source(TO_VERIFY_SOURCE)
        # A contradicted self-inspection makes the premises red for the watch months (contradictions.py).
        register_fact_provider(FACT, contradiction_facts)
        register_rule(contradiction_rule)
        # The premises page shows its recent self-inspections (answers, photos, verification) to the grid
        # worker who verifies one.
        register_premises_page_part("self_inspection", _premises_page_part)


def _premises_page_part(premises: Premises, user: User) -> dict[str, Any]:
    # Imported on first use, as risk does: the views import DRF, which cannot load during ready().
    from .self_inspection_views import premises_self_inspection_context

    return premises_self_inspection_context(premises, user)
