"""The campaign dashboard (指挥看板): charts, the map of target premises, forecasts, and the two lists
behind charts that no other list filters the same way (a campaign's hazards, its overdue plans by age)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models.query import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign
from firegrid.inspections.models import Hazard
from firegrid.inspections.views import HazardListView
from firegrid.rectification.filters import PlanFilterSet
from firegrid.rectification.models import Plan
from firegrid.rectification.views import PlanListView
from firegrid.reports import longterm, survey
from firegrid.reports import services as report_services
from firegrid.reports.models import DailySnapshot

from . import charts, figures, forecast

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from firegrid.core.http import AuthedHttpRequest
    from firegrid.core.views import ObjectListView

# More points than this make the map unreadable and the page slow: the map asks for an area then.
MAX_POINTS = 5000


class CampaignMixin(LoginRequiredMixin):
    """The campaign from the URL (404 when there is none); the dashboard's roles only (403).

    A view using it declares `request: AuthedHttpRequest` itself too: the type checker wants one
    definition where this mixin meets Django's `View`."""

    request: AuthedHttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def campaign(self) -> Campaign:
        return get_object_or_404(Campaign.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_dashboard(self) -> None:
        self.campaign  # noqa: B018 — a missing campaign is 404 before any role question
        if not figures.may_view_dashboard(self.request.user):
            raise PermissionDenied(_("您的角色无权查看指挥看板。"))

    def visible_area(self) -> Area | None:
        """The `area` parameter, if it is an area the user may see (else the whole scope)."""
        raw = self.request.GET.get("area", "")
        if not raw.isdigit():
            return None
        return Area.objects.visible_to(self.request.user).filter(pk=int(raw)).first()


class DashboardIndexView(LoginRequiredMixin, TemplateView):
    template_name = "dashboards/index.html"
    request: AuthedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not figures.may_view_dashboard(request.user):
            raise PermissionDenied(_("您的角色无权查看指挥看板。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["campaigns"] = Campaign.objects.visible_to(self.request.user)
        return context


class CampaignDashboardView(CampaignMixin, TemplateView):
    template_name = "dashboards/campaign.html"
    request: AuthedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.check_dashboard()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        campaign, user, today = self.campaign, self.request.user, timezone.localdate()
        snapshot = figures.newest_snapshot(campaign, today)
        headline, links = figures.summary(snapshot, figures.scope_rows(snapshot, user))
        grids = forecast.grid_forecasts(campaign, user, snapshot)
        units = forecast.unit_forecasts(campaign, user, snapshot)
        burn_down = figures.burn_down(campaign, user, today)
        context.update(
            campaign=campaign,
            today=today,
            snapshot=snapshot,
            burn_down=burn_down,
            summary=headline,
            links=links,
            charts={
                "burn_down": charts.burn_down_option(burn_down),
                "survey": charts.survey_option(
                    survey.survey_series(campaign, user, min(today, campaign.ends_on))
                ),
                "by_area": charts.by_area_option(figures.by_area(snapshot, user)),
                "hazards": charts.hazards_option(figures.hazards_by_category(campaign, user)),
                "ageing": charts.ageing_option(figures.overdue_ageing(campaign, user, today)),
                "four_category": charts.four_category_option(figures.four_category_progress(snapshot, user)),
            },
            grid_forecasts=grids,
            unit_forecasts=units,
            warnings=[("grid", f) for f in grids if f.will_miss]
            + [("unit", f) for f in units if f.will_miss],
            unit_deadline=forecast.four_category_deadline(campaign),
            reports_url=f"{reverse('reports:index')}?{urlencode({'campaign': campaign.code})}",
            map_areas=Area.objects.visible_to(user).exclude(level=AreaLevel.DISTRICT).order_by("path"),
            map_tiles=settings.FIREGRID_MAP_TILES,
            map_attribution=settings.FIREGRID_MAP_ATTRIBUTION,
            points_url=reverse("dashboards:points", args=[campaign.pk]),
            progress_legend=[(p.value, p.label, figures.PROGRESS_COLOURS[p]) for p in figures.CHART_PROGRESS],
        )
        return context


class MapPointsView(CampaignMixin, View):
    """The target premises with a position, coloured by progress on the campaign's reference day (today, or
    its last day once over): [lat, lng, progress, label, url]."""

    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int) -> JsonResponse:
        self.check_dashboard()
        premises = figures.visible_targets(self.campaign, request.user, self.visible_area())
        located = premises.filter(building__latitude__isnull=False, building__longitude__isnull=False)
        rows = list(
            status.with_progress(located, self.campaign)
            .order_by("building_id", "pk")
            .values_list(
                "pk",
                "building__latitude",
                "building__longitude",
                "progress",
                "building__address",
                "unit_label",
            )[: MAX_POINTS + 1]
        )
        truncated = len(rows) > MAX_POINTS
        rows = rows[:MAX_POINTS]
        detail = reverse("registry:premises_detail", args=[0]).replace("/0/", "/{}/")
        message = ""
        if truncated:
            message = _("点位超过 %(max)s 个，仅显示前 %(max)s 个，请选择区域查看。") % {"max": MAX_POINTS}
        return JsonResponse(
            {
                "points": [
                    [float(lat), float(lng), progress, f"{address} {label}", detail.format(pk)]
                    for pk, lat, lng, progress, address, label in rows
                    if lat is not None and lng is not None  # always: the query asks for located ones
                ],
                "truncated": truncated,
                "unlocated": premises.count() - located.count(),
                "message": message,
                "labels": {p.value: str(p.label) for p in status.Progress},
                "colours": {p.value: colour for p, colour in figures.PROGRESS_COLOURS.items()},
            }
        )


class SnapshotPremisesView(CampaignMixin, TemplateView):
    """The premises of one report row not yet surveyed on the snapshot's day: the one progress figure the
    report prints only as a difference (in scope − surveyed), so the report has no list of its own for it.
    The same checks and page as the report's drill-down (firegrid.reports.views.premises)."""

    template_name = "reports/premises.html"
    request: AuthedHttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.campaign  # noqa: B018 — 404 for a campaign the user may not see
        if not report_services.may_view(self.request.user):
            raise PermissionDenied(_("您的角色无权查看日报。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request, campaign = self.request, self.campaign
        try:
            day = dt.date.fromisoformat(self.kwargs["day"])
        except ValueError:
            raise Http404 from None
        params = {name: request.GET.get(name, "") for name in ("dimension", "key", "progress", "version")}
        if params["progress"] != status.Progress.NOT_SURVEYED or not params["version"].isdigit():
            raise Http404
        snapshot = get_object_or_404(
            DailySnapshot, campaign=campaign, day=day, version=int(params["version"])
        )
        row = report_services.drill_row(snapshot, request.user, params["dimension"], params["key"])
        queryset = (
            status.in_progress(
                report_services.row_premises(campaign, day, row.dimension, row.key, snapshot.generated_at),
                campaign,
                params["progress"],
                day,
                snapshot.generated_at,
            )
            .select_related("building__grid", "landlord")
            .order_by("sort_key", "pk")
        )
        paginator = Paginator(queryset, settings.FIREGRID_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        label = status.Progress.NOT_SURVEYED.label
        for item in page.object_list:
            # A display label for the template, carried on the fetched row (not a model field).
            item.progress_label = label  # type: ignore[attr-defined]
        context.update(
            snapshot=snapshot,
            campaign=campaign,
            row=row,
            figure=params["progress"],
            figure_label=label,
            figure_value=row.in_scope - row.surveyed,
            page_obj=page,
            paginator=paginator,
            query_string=urlencode(params),
        )
        return context


# The list mixin goes before a standard list (ObjectListView); the type checker reads it as one.
if TYPE_CHECKING:
    _ListBase = ObjectListView
else:
    _ListBase = object


class CampaignListMixin(CampaignMixin, _ListBase):
    """A standard list limited to the campaign's rows (`campaign_rows`), titled with the campaign's name."""

    request: AuthedHttpRequest
    list_title: str | Promise

    def campaign_rows(self) -> QuerySet[Any]:
        raise NotImplementedError

    # Django takes any response from a handler (a list's export streams a file); the stub says HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        self.campaign  # noqa: B018 — 404 for a campaign that does not exist
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        # The base list's own query, started from the campaign's rows instead of every visible row.
        base = self.campaign_rows().select_related(*self.select_related)
        self.filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs if self.filterset.is_valid() else base.none()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["verbose_name_plural"] = f"{self.campaign.name} · {self.list_title}"
        context["list_url"] = self.request.path
        return context


class CampaignHazardListView(CampaignListMixin, HazardListView):
    """Hazards at the campaign's target premises: the hazards-by-category chart's drill-down."""

    list_title = gettext_lazy("隐患")
    request: AuthedHttpRequest

    def campaign_rows(self) -> QuerySet[Hazard]:
        return figures.campaign_hazards(self.campaign, self.request.user)


class OverduePlanFilterSet(PlanFilterSet):
    age = django_filters.ChoiceFilter(
        choices=[(key, key) for key in figures.AGE_BUCKETS],
        method="filter_age",
        label=gettext_lazy("逾期天数"),
    )

    class Meta(PlanFilterSet.Meta):
        fields = [*PlanFilterSet.Meta.fields, "age"]

    def filter_age(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        return queryset.filter(**figures.age_range(value, timezone.localdate())) if value else queryset


class OverduePlanListView(CampaignListMixin, PlanListView):
    """The campaign's plans past their deadline, by days past it: the overdue-ageing chart's drill-down."""

    filterset_class = OverduePlanFilterSet
    list_title = gettext_lazy("逾期整改方案")
    request: AuthedHttpRequest

    def campaign_rows(self) -> QuerySet[Plan]:
        return figures.overdue_plans(self.campaign, self.request.user)


class LongtermView(LoginRequiredMixin, TemplateView):
    """长效管理: the long-term drive's figures per area, one table per part; every figure opens its list,
    an area's name opens the same page for that area."""

    request: AuthedHttpRequest
    template_name = "dashboards/longterm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not longterm.may_view_any(user):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        context = super().get_context_data(**kwargs)
        area = None
        if self.request.GET.get("area", "").isdigit():
            area = get_object_or_404(Area.objects.visible_to(user), pk=self.request.GET["area"])
        context.update(area=area, sections=longterm.build(user, area), today=timezone.localdate())
        return context
