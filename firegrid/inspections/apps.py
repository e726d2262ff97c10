from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "firegrid.inspections"
    label = "inspections"
    verbose_name = _("排查检查")
