"""起草整改方案 from the hazard list: the hazards ticked there (one premises) become a draft plan, and the
user lands on its page to serve the notice (送达通知 issues the 整改通知书).

The action is offered to the hazard list by `rectification.bulk`; this view decides again through the
service, since a form can be tampered with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from firegrid.core.bulk import SELECTED, selected_ids

from .. import services
from ..bulk import may_draft

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class DraftPlanView(LoginRequiredMixin, View):
    """POST `selected` (hazard ids). Made: to the plan page, its 送达通知 open. Refused: back to the list
    with the message and the ticks kept (htmx: the message in place, the ticks untouched)."""

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        if not may_draft(request.user):
            raise PermissionDenied(_("您的角色无权制定整改方案。"))
        ids = selected_ids(request.POST.getlist(SELECTED))
        try:
            plan = services.draft_plan(ids, actor=request.user)
        except ValidationError as exc:
            return self.refused(request, ids, exc.messages)
        messages.success(
            request, _("已起草%(plan)s。请核对整改事项，送达通知即出具整改通知书。") % {"plan": plan}
        )
        # The plan page opens a draft's 送达通知 (above the fold at 1440×900, under the success message).
        url = plan.get_absolute_url()
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

    def refused(self, request: AuthedHttpRequest, ids: list[int], errors: list[str]) -> HttpResponse:
        if request.htmx:
            return HttpResponse(
                format_html(
                    '<div class="errors" role="alert">{}</div>',
                    format_html_join("", "<p>{}</p>", ((e,) for e in errors)),
                )
            )
        for error in errors:
            messages.error(request, error)
        return redirect(self.back_url(request, ids))

    @staticmethod
    def back_url(request: AuthedHttpRequest, ids: list[int]) -> str:
        """The list the ticks came from (its filters, sort and page), with the ticks."""
        target = request.POST.get("next", "")
        if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("inspections:hazard_list")
        parts = urlsplit(target)
        query = QueryDict(parts.query, mutable=True)
        query.setlist(SELECTED, [str(pk) for pk in ids])
        return urlunsplit(("", "", parts.path, query.urlencode(), ""))
