"""Pages of the fire incident register: the list (filters year, month, area, kind, cause, match state),
an incident with its match (确认匹配 / 否定匹配 for officers), the form (登记), the hotspots per subdistrict and
month, and the incidents box of a premises page (handed to the registry by IncidentsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.models import User
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from firegrid.registry.models import Premises

from . import services
from .choices import MatchState
from .figures import hotspots
from .filters import FireIncidentFilterSet
from .forms import FireIncidentForm
from .models import FireIncident


def _local(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


COLUMNS = [
    Column("reference", gettext_lazy("警情编号"), link=True),
    Column(
        "occurred_at", gettext_lazy("发生时间"), sort="occurred_at", value=lambda i: _local(i.occurred_at)
    ),
    Column("kind", gettext_lazy("类别"), value=lambda i: i.get_kind_display(), tag=True),
    Column("address", gettext_lazy("报警地址"), truncate=True),
    Column("cause", gettext_lazy("起火原因"), value=lambda i: i.get_cause_display()),
    Column("match_state", gettext_lazy("匹配状态"), value=lambda i: i.get_match_state_display(), tag=True),
    Column("area", gettext_lazy("所在区域"), value=lambda i: str(i.area), wide_only=True),
    Column("deaths", gettext_lazy("死亡人数"), default=False),
    Column("injuries", gettext_lazy("受伤人数"), default=False),
    Column("loss_yuan", gettext_lazy("直接损失（元）"), default=False),
]


class FireIncidentListView(ObjectListView[FireIncident]):
    model = FireIncident
    filterset_class = FireIncidentFilterSet
    columns = COLUMNS
    select_related = ("area",)


class FireIncidentDetailView(ObjectDetailView[FireIncident]):
    """An incident and its match: the premises it matched (or the proposal, with its score, for an officer
    to confirm or reject)."""

    model = FireIncident
    template_name = "incidents/fireincident_detail.html"
    select_related = ("area", "premises__building")
    fields = [
        Column("reference", gettext_lazy("警情编号")),
        Column("occurred_at", gettext_lazy("发生时间"), value=lambda i: _local(i.occurred_at)),
        Column("kind", gettext_lazy("类别"), value=lambda i: i.get_kind_display()),
        Column("cause", gettext_lazy("起火原因"), value=lambda i: i.get_cause_display()),
        Column("address", gettext_lazy("报警地址")),
        Column("area", gettext_lazy("所在区域"), value=lambda i: str(i.area)),
        Column("match_state", gettext_lazy("匹配状态"), value=lambda i: i.get_match_state_display()),
        Column("match_method", gettext_lazy("匹配方式"), value=lambda i: i.get_match_method_display()),
        Column("match_score", gettext_lazy("匹配度")),
        Column("deaths", gettext_lazy("死亡人数")),
        Column("injuries", gettext_lazy("受伤人数")),
        Column("loss_yuan", gettext_lazy("直接损失（元）")),
        Column("note", gettext_lazy("备注")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        incident = self.object
        context["may_match"] = can(
            self.request.user, Action.CHANGE, FireIncident
        ) and incident.match_state in (
            MatchState.PROPOSED,
            MatchState.MATCHED,
            MatchState.UNMATCHED,
        )
        context["proposed"] = incident.premises if incident.match_state == MatchState.PROPOSED else None
        context["matched"] = incident.premises if incident.match_state == MatchState.MATCHED else None
        return context


class FireIncidentEditView(ObjectEditView[FireIncident, FireIncidentForm]):
    """登记火警火灾 / 修改: recorded through `services.record_incident`, which matches the address at once."""

    model = FireIncident
    form_class = FireIncidentForm

    def create(self, data: dict[str, Any], *, reason: str) -> FireIncident:
        return services.record_incident(data, actor=self.request.user, reason=reason)


class MatchMoveView(LoginRequiredMixin, View):
    """确认匹配 (the proposal, or a premises chosen by its id) or 否定匹配 (`not_a_rental` for 非出租房屋)."""

    def post(self, request: AuthedHttpRequest, pk: int, move: str) -> HttpResponseBase:
        incident = get_object_or_404(FireIncident.objects.visible_to(request.user), pk=pk)
        raw = request.POST.get("version", "")
        expected = int(raw) if raw.isdigit() else None
        try:
            if move == "confirm":
                chosen = request.POST.get("premises", "")
                premises = None
                if chosen:
                    premises = get_object_or_404(
                        Premises.objects.visible_to(request.user), pk=chosen if chosen.isdigit() else 0
                    )
                services.confirm_match(
                    incident, actor=request.user, premises=premises, expected_version=expected
                )
                messages.success(request, _("已确认地址匹配。"))
            elif move == "reject":
                services.reject_match(
                    incident,
                    actor=request.user,
                    not_a_rental=bool(request.POST.get("not_a_rental")),
                    expected_version=expected,
                )
                messages.success(request, _("已否定地址匹配。"))
            else:
                raise PermissionDenied
        except ConcurrentEditError:
            messages.error(request, _("该记录已被他人修改，请刷新后再试。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(reverse("incidents:fireincident_detail", args=[pk]))


class HotspotsView(LoginRequiredMixin, TemplateView):
    """火警多发: incidents per subdistrict and month of a year (default: the latest year with any)."""

    template_name = "incidents/hotspots.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not can(user, Action.VIEW, FireIncident):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("year", "")
        latest = (
            FireIncident.objects.visible_to(user)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        year = (
            int(raw)
            if raw.isdigit() and 1900 <= int(raw) <= 2999
            else (timezone.localtime(latest).year if latest else timezone.localdate().year)
        )
        rows, total = hotspots(user, year)
        context.update(
            year=year, rows=rows, total=total, months=range(1, 13), previous=year - 1, next=year + 1
        )
        return context


def premises_page_part(premises: Premises, user: User) -> dict[str, Any]:
    """The premises page's 火警火灾 box: the incidents matched to it, for those who may read them."""
    if not can(user, Action.VIEW, FireIncident):
        return {}
    return {"fire_incidents": services.incidents_of([premises.pk])}
