"""The home page (figures of the user's scope, by area) and 我的 (who I am, my scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from firegrid.areas.choices import Role
from firegrid.areas.models import Area
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.otp import confirmed_device, otp_offered
from firegrid.longterm.queue import home_queue
from firegrid.reports.longterm import home_figures

from .campaign import campaign_card
from .home import area_breakdown, scope_figures


class HomeView(LoginRequiredMixin, TemplateView):
    request: AuthedHttpRequest
    template_name = "core/home.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A contractor's work is their bookings (as after the portal's sign-in): the registry's figures are
        # not theirs to read.
        if self.request.user.role == Role.CONTRACTOR:
            return redirect("outreach:my_bookings")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["figures"] = scope_figures(user)
        context["area_rows"] = area_breakdown(user)
        context["scope_areas"] = Area.objects.filter(path__in=user.scope_paths)
        # A grid worker's phone home starts with today's work queue (今日任务), above the figures.
        context["home_queue"] = home = home_queue(user, today=timezone.localdate())
        if home is not None:
            context["queue_total"] = home["counts"]["total"]  # the tab's badge, counted once
        # 长效管理 at a glance: red premises, overdue and due re-inspections, grades worse this month.
        context["longterm_figures"] = home_figures(user)
        # The command's campaign at a glance: its period and the newest daily report's key figures.
        context["campaign_card"] = campaign_card(user)
        return context


class MeView(LoginRequiredMixin, TemplateView):
    """我的: who I am, my scope, language, large type, password, second factor, sign out (the phone's fourth
    tab)."""

    request: AuthedHttpRequest
    template_name = "core/me.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["scope_areas"] = Area.objects.filter(path__in=user.scope_paths)
        # 两步验证: offered to the district roles (and any role that must use it); others do not see it.
        context["otp_offered"] = otp_offered(user)
        context["otp_on"] = context["otp_offered"] and confirmed_device(user) is not None
        return context
