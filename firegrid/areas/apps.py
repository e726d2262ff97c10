from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "firegrid.areas"
    label = "areas"
    verbose_name = _("区域与人员")

    def ready(self) -> None:
        # Core asks who may do what and which areas a list offers, but sits below this app: the answers,
        # which name roles and read the area tree, are handed over here.
        from firegrid.core.area_tree import register_area_tree
        from firegrid.core.permissions import register_role_actions

        from . import lists
        from .permissions import ROLE_ACTIONS

        register_role_actions(ROLE_ACTIONS)
        register_area_tree(visible=lists.visible_areas, nodes=lists.area_tree)
