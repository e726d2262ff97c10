"""帮助 in the portal: the landlord's guide (firegrid/data/guide/landlord.*.md) inside the portal's own frame."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from firegrid.core import guide
from firegrid.core.http import AuthedHttpRequest

from .views import PortalMixin


class HelpView(PortalMixin, TemplateView):
    template_name = "portal/help.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(guide=guide.load("landlord"), **kwargs)
