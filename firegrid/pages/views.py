"""The home page (figures of the user's scope, by area) and 我的 (who I am, my scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from firegrid.areas.models import Area
from firegrid.core.http import AuthedHttpRequest

from .home import area_breakdown, scope_figures


class HomeView(LoginRequiredMixin, TemplateView):
    request: AuthedHttpRequest
    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["figures"] = scope_figures(user)
        context["area_rows"] = area_breakdown(user)
        context["scope_areas"] = Area.objects.filter(path__in=user.scope_paths)
        return context


class MeView(LoginRequiredMixin, TemplateView):
    """我的: who I am, my scope, language, large type, sign out (the phone's fourth tab)."""

    request: AuthedHttpRequest
    template_name = "core/me.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_areas"] = Area.objects.filter(path__in=self.request.user.scope_paths)
        return context
