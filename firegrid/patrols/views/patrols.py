"""巡查: the list (filters, export), planning a patrol, a patrol's page (route, scans, findings, moves) and
the moves themselves (start, finish, cancel — `services`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView, add_errors

from .. import services
from ..choices import PatrolMove
from ..filters import PatrolFilterSet
from ..forms import CancelPatrolForm, PatrolPlanForm, default_window
from ..models import Patrol
from ..phone import run_context


def _window(p: Patrol) -> str:
    start, end = timezone.localtime(p.window_start), timezone.localtime(p.window_end)
    tail = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{tail}"


PATROL_COLUMNS = [
    Column("window_start", gettext_lazy("计划时段"), link=True, sort="window_start", value=_window),
    Column("team.name", gettext_lazy("巡查队")),
    Column("area.name", gettext_lazy("巡查区域")),
    Column("kind", gettext_lazy("类型"), tag=True),
    Column("status", gettext_lazy("状态"), tag=True, sort="status"),
    Column("stop_count", gettext_lazy("路线建筑")),
    Column("scanned_count", gettext_lazy("已打卡建筑")),
    Column("finding_count", gettext_lazy("巡查发现")),
    Column("created_by", gettext_lazy("计划人"), value=lambda p: str(p.created_by), default=False),
]


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class PatrolListView(ObjectListView[Patrol]):
    model = Patrol
    template_name = "patrols/patrol_list.html"
    filterset_class = PatrolFilterSet
    columns = PATROL_COLUMNS
    select_related = ("team", "area", "created_by")

    def get_queryset(self) -> QuerySet[Patrol]:
        return (
            super()
            .get_queryset()
            .annotate(
                stop_count=Count("stops", distinct=True),
                scanned_count=Count("scans__building", distinct=True),
                finding_count=Count("findings", distinct=True),
            )
        )


class PatrolDetailView(ObjectDetailView[Patrol]):
    """A patrol's page: its window and team, the route with what was scanned when, scans off the route,
    findings, and the moves the user may make."""

    model = Patrol
    template_name = "patrols/patrol_detail.html"
    select_related = ("team", "area", "created_by")
    fields = [
        Column("team.name", gettext_lazy("巡查队")),
        Column("area.name", gettext_lazy("巡查区域")),
        Column("kind", gettext_lazy("类型")),
        Column("window", gettext_lazy("计划时段"), value=_window),
        Column("status", gettext_lazy("状态")),
        Column("started_at", gettext_lazy("开始时间")),
        Column("finished_at", gettext_lazy("结束时间")),
        Column("created_by", gettext_lazy("计划人"), value=lambda p: str(p.created_by)),
        Column("note", gettext_lazy("备注")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        patrol = self.object
        context.update(run_context(patrol, self.request.user))
        context["scans"] = patrol.scans.select_related("building", "scanned_by").order_by("scanned_at", "pk")
        context["cancel_form"] = CancelPatrolForm(initial={"version": patrol.version})
        return context


class PatrolPlanView(LoginRequiredMixin, FormView):  # type: ignore[type-arg]
    """计划巡查: team, window, kind and route. The route is the area's buildings not patrolled this week
    (or all of them, or the ones ticked), in walking order."""

    request: AuthedHttpRequest
    form_class = PatrolPlanForm
    template_name = "patrols/patrol_plan.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can(request.user, Action.ADD, Patrol):
            raise PermissionDenied(_("您的角色无权计划巡查。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        if self.request.method == "POST" and self.request.POST.get("action") == "load":
            # 载入建筑: the same form again with the chosen team's (or area's) buildings, nothing saved.
            kwargs.pop("data", None)
            kwargs.pop("files", None)
            kwargs["initial"] = {
                key: value for key, value in self.request.POST.items() if key != "csrfmiddlewaretoken"
            }
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        start, end = default_window()
        return {"window_start": start, "window_end": end, **{k: v for k, v in self.request.GET.items()}}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == "load":
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PatrolPlanForm) -> HttpResponse:
        data = form.cleaned_data
        team = data["team"]
        area = data.get("area") or team.area
        route = data["route"]
        ordered = services.route_from_area(
            area,
            actor=self.request.user,
            week_of=data["window_start"].date(),
            unpatrolled_only=route == PatrolPlanForm.ROUTE_UNPATROLLED,
            limit=data.get("limit") if route != PatrolPlanForm.ROUTE_CHOSEN else None,
        )
        if route == PatrolPlanForm.ROUTE_CHOSEN:
            chosen = {b.pk for b in data["buildings"]}
            ordered = [b for b in ordered if b.pk in chosen]
        if not ordered:
            form.add_error("route", _("按所选方式没有可巡查的建筑（本周可能都已巡查过）。"))
            return self.form_invalid(form)
        try:
            patrol = services.plan_patrol(
                team=team,
                area=area,
                kind=data["kind"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                buildings=ordered,
                note=data.get("note", ""),
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已计划巡查，路线共 %(n)s 幢建筑。") % {"n": len(ordered)})
        return redirect(reverse("patrols:patrol_detail", args=[patrol.pk]))


class PatrolMoveView(LoginRequiredMixin, View):
    """POST: start, finish or cancel a patrol (with the version the page was read at). The portal's
    subclass (`portal/patrols.py`) returns to its own patrol page."""

    def default_url(self, patrol: Patrol) -> str:
        return reverse("patrols:patrol_detail", args=[patrol.pk])

    def post(self, request: AuthedHttpRequest, pk: int, move: str) -> HttpResponse:
        patrol = get_object_or_404(Patrol.objects.visible_to(request.user), pk=pk)
        default = self.default_url(patrol)
        if move not in PatrolMove.values:
            return redirect(default)
        version_text = request.POST.get("version", "")
        version = int(version_text) if version_text.isdigit() else None
        try:
            if move == PatrolMove.START:
                services.start_patrol(patrol, actor=request.user, expected_version=version)
            elif move == PatrolMove.FINISH:
                services.finish_patrol(patrol, actor=request.user, expected_version=version)
            else:
                services.cancel_patrol(
                    patrol,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                    expected_version=version,
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已%(move)s。") % {"move": PatrolMove(move).label})
        return redirect(safe_next(request, default))
