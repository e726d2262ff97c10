from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "firegrid.rectification"
    label = "rectification"
    verbose_name = _("隐患整改")

    def ready(self) -> None:
        from firegrid.inspections.filters import register_hazard_flag

        from . import receivers  # noqa: F401  (inspection results move plans)
        from .filters import RECHECK_REQUESTED_BADGE, recheck_requested_hazards

        # The hazard list puts first the hazards whose landlord asked for the recheck (a plan's request).
        register_hazard_flag(recheck_requested_hazards, RECHECK_REQUESTED_BADGE)

        from firegrid.inspections.bulk import register_hazard_action

        from .bulk import DRAFT_PLAN

        # Hazards ticked in the hazard list become a draft plan (起草整改方案).
        register_hazard_action(DRAFT_PLAN)
