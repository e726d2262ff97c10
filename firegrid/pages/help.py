"""帮助: the user guide per role for staff (/help/, /help/<role>/). A landlord is sent to the portal's own
help page (/portal/help/), which never leaves the portal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from firegrid.areas.choices import Role
from firegrid.core import guide
from firegrid.core.http import AuthedHttpRequest

# Whose guide a user opens first from 帮助.
ROLE_GUIDE: dict[str, str] = {
    Role.GRID_WORKER: "grid-worker",
    Role.COMMUNITY_OFFICER: "officer",
    Role.SUBDISTRICT_OFFICER: "officer",
    Role.DEPARTMENT_OFFICER: "officer",
    Role.DISTRICT_COMMANDER: "commander",
    Role.SYSTEM_ADMIN: "commander",
    Role.UNIT_LIAISON: "liaison",
    Role.LANDLORD: "landlord",
}


class StaffHelpMixin(LoginRequiredMixin):
    request: AuthedHttpRequest

    # A landlord reading the staff guide's URL is sent to the portal's (firegrid.portal.middleware).

    def guides(self) -> list[tuple[str, str, bool]]:
        """(slug, title, is the reader's own) for every guide, the reader's own first."""
        own = ROLE_GUIDE.get(self.request.user.role)
        rows = [(slug, title, slug == own) for slug, title in guide.titles()]
        return sorted(rows, key=lambda row: not row[2])


class HelpIndexView(StaffHelpMixin, TemplateView):
    template_name = "help/index.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(guides=self.guides(), **kwargs)


class HelpGuideView(StaffHelpMixin, TemplateView):
    template_name = "help/guide.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = guide.load(kwargs["role"])
        if page is None:
            raise Http404
        return super().get_context_data(guide=page, guides=self.guides(), **kwargs)
