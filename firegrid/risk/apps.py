from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


class RiskConfig(AppConfig):
    name = "firegrid.risk"
    label = "risk"
    verbose_name = _("风险分级")

    def ready(self) -> None:
        # Grades follow submitted inspections and plan moves (inspections.signals, rectification.signals).
        from firegrid.registry.views import register_premises_page_part

        from . import key_areas, receivers  # noqa: F401

        # Key areas (重点区域) reach the grade through the rules' own hooks, as other apps' facts do.
        key_areas.register()

        # The registry sits below this app: the grade box of its premises page is handed over here.
        register_premises_page_part("risk", _premises_page_part)


def _premises_page_part(premises: Premises, user: User) -> dict[str, Any]:
    # Imported on first use, as inspections does: the views import DRF, which cannot load during ready().
    from .views import premises_grade_context

    return premises_grade_context(premises, user)
