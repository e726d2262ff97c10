"""巡查覆盖: per area, the buildings patrolled this ISO week and not, the week's scans, open findings and
open flags; each figure opens its list with the filters that count it (`figures.py`). The building list
behind the coverage figures is `coverage_buildings` (the buildings list by week and patrolled)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from firegrid.areas.choices import AREA_ROLES
from firegrid.areas.models import Area, User
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column
from firegrid.core.views import ObjectListView
from firegrid.registry.models import Building

from ..coverage import week_label, week_start
from ..figures import figure_rows
from ..filters import PatrolCoverageFilterSet
from ..models import FabricationFlag, PatrolScan


def may_view_coverage(user: Any) -> bool:
    """The area roles and the district-wide roles: coverage is an outcome of areas, not a landlord's."""
    return (
        isinstance(user, User)
        and user.is_active
        and (user.role in AREA_ROLES or user.is_district_wide)
        and can(user, Action.VIEW, PatrolScan)
    )


def _week(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


class CoverageView(LoginRequiredMixin, TemplateView):
    request: AuthedHttpRequest
    template_name = "patrols/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not may_view_coverage(user):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        context = super().get_context_data(**kwargs)
        area = None
        if self.request.GET.get("area", "").isdigit():
            area = get_object_or_404(Area.objects.visible_to(user), pk=self.request.GET["area"])
        day = _week(self.request.GET.get("week", ""))
        monday = week_start(day)
        context.update(
            area=area,
            rows=figure_rows(user, area, day),
            monday=monday,
            sunday=monday + dt.timedelta(days=6),
            label=week_label(day),
            previous=(monday - dt.timedelta(days=7)).isoformat(),
            next=(monday + dt.timedelta(days=7)).isoformat()
            if monday < week_start(timezone.localdate())
            else "",
            show_flags=can(user, Action.VIEW, FabricationFlag),
        )
        return context


class CoverageBuildingListView(ObjectListView[Building]):
    """The buildings behind the coverage figures: by area, week and whether they were patrolled in it."""

    model = Building
    filterset_class = PatrolCoverageFilterSet
    columns = [
        Column("address", gettext_lazy("地址"), link=True, sort="address"),
        Column("name", gettext_lazy("楼名/幢号")),
        Column("grid.name", gettext_lazy("网格")),
        Column("floors", gettext_lazy("层数")),
    ]
    select_related = ("grid",)

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not may_view_coverage(request.user):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["verbose_name_plural"] = _("巡查覆盖 · 建筑")
        context["add_url"] = ""
        return context
