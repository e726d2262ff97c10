from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages that gather figures from every app (the home page by role, 我的). It sits on top of the
    layers, so it may read any app; nothing imports it."""

    name = "firegrid.pages"
    label = "pages"
    verbose_name = _("首页")
