"""指挥大屏 (command screen): the full-screen page and the JSON it polls (firegrid.dashboards.screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.models import Area

from . import figures
from .screen import REFRESH_SECONDS, Screen, build_screen, default_area

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

# The parts of the page the JSON answer carries again, each rendered by the same template as the page.
FRAGMENTS = {
    "head": "dashboards/_screen_head.html",
    "kpis": "dashboards/_screen_kpis.html",
    "legend": "dashboards/_screen_legend.html",
    "side": "dashboards/_screen_side.html",
}


class ScreenMixin(LoginRequiredMixin):
    """The screen of the URL's area (`?area=`, out of scope or unknown: 404; none: the user's scope root),
    mode (`?mode=completion|grade`) and campaign (`?campaign=`), for the dashboard's roles (else 403)."""

    request: AuthedHttpRequest

    def screen(self) -> Screen:
        user = self.request.user
        if not figures.may_view_dashboard(user):
            raise PermissionDenied(_("您的角色无权查看指挥大屏。"))
        raw = self.request.GET.get("area", "")
        if raw:
            if not raw.isdigit():
                raise Http404
            area = get_object_or_404(Area.objects.visible_to(user), pk=int(raw))
        else:
            found = default_area(user)
            if found is None:
                raise Http404
            area = found
        return build_screen(
            user,
            area,
            mode=self.request.GET.get("mode", ""),
            campaign_raw=self.request.GET.get("campaign", ""),
        )


def screen_query(screen: Screen, **changes: Any) -> str:
    """The screen's own query string (what a bookmark keeps), with `changes`."""
    params: dict[str, Any] = {"area": screen.area.pk, "mode": screen.mode}
    if screen.campaign is not None:
        params["campaign"] = screen.campaign.pk
    params.update(changes)
    return "?" + urlencode(params)


def screen_context(screen: Screen) -> dict[str, Any]:
    other = "grade" if screen.mode == "completion" else "completion"
    return {
        "screen": screen,
        "query": screen_query(screen),
        "mode_query": screen_query(screen, mode=other),
        "up_query": screen_query(screen, area=screen.crumbs[-2].pk) if len(screen.crumbs) > 1 else "",
        "crumb_queries": [(area, screen_query(screen, area=area.pk)) for area in screen.crumbs],
        "ranking_queries": [(row, screen_query(screen, area=row.area.pk)) for row in screen.ranking],
        "dashboard_url": reverse("dashboards:campaign", args=[screen.campaign.pk]) if screen.campaign else "",
    }


class ScreenView(ScreenMixin, TemplateView):
    template_name = "dashboards/screen.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        screen = self.screen()
        context.update(
            screen_context(screen),
            map_data=screen.map_data(),
            data_url=reverse("dashboards:screen_data"),
            refresh_seconds=REFRESH_SECONDS,
            map_tiles=settings.FIREGRID_MAP_TILES,
            map_attribution=settings.FIREGRID_MAP_ATTRIBUTION,
        )
        return context


class ScreenDataView(ScreenMixin, View):
    """What the open screen polls every REFRESH_SECONDS and fetches on a drill: the page's fragments, the
    map's areas (GeoJSON with each area's figure and colour) and the screen's query string."""

    request: AuthedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        screen = self.screen()
        context = screen_context(screen)
        return JsonResponse(
            {
                "query": context["query"],
                "title": f"{screen.area.name} · {_('指挥大屏')}",
                "html": {key: render_to_string(name, context, request) for key, name in FRAGMENTS.items()},
                "map": screen.map_data(),
            }
        )
