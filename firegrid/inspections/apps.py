from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.registry.models import Premises


class InspectionsConfig(AppConfig):
    name = "firegrid.inspections"
    label = "inspections"
    verbose_name = _("排查检查")

    def ready(self) -> None:
        # The registry sits below inspections: its lists' `survey` drill-downs and the inspections part
        # of its premises page are handed over here rather than imported by it.
        from firegrid.registry.filters import (
            BuildingFilterSet,
            PremisesFilterSet,
            RoomFilterSet,
            register_survey_filters,
        )
        from firegrid.registry.views import register_premises_page_part

        from .coverage import BUILDING_SURVEY, PREMISES_SURVEY, ROOM_SURVEY

        register_survey_filters(BuildingFilterSet, BUILDING_SURVEY)
        register_survey_filters(PremisesFilterSet, PREMISES_SURVEY)
        register_survey_filters(RoomFilterSet, ROOM_SURVEY)
        register_premises_page_part("inspections", _premises_page_part)


def _premises_page_part(premises: Premises, user: User) -> dict[str, Any]:
    # Imported on first use: the views import DRF, whose settings import the API's authentication
    # classes, which cannot be loaded while apps are still being readied.
    from .views import inspection_context

    return inspection_context(premises, user)
