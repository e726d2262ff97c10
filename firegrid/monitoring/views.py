"""Web pages of monitoring: the device list and page (recent events, cases), the device form (登记设备 /
修改设备, through the same `core.services` writes as the API), the alert case list and page with its moves
(响应 · 到场核查 · 办结 — big buttons, one-handed at 360 px), and the figures per area."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.models import Area
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import services
from .choices import CaseMove, CaseOutcome
from .figures import figure_rows
from .filters import AlertCaseFilterSet, DeviceFilterSet
from .forms import CloseCaseForm, DeviceForm
from .models import AlertCase, Device, DeviceEvent

RECENT = 20


def _local(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


DEVICE_COLUMNS = [
    Column("serial", gettext_lazy("设备编号"), link=True, sort="serial"),
    Column("kind", gettext_lazy("类型"), tag=True),
    Column("state", gettext_lazy("状态"), tag=True),
    Column("premises", gettext_lazy("出租户"), value=lambda d: str(d.premises), truncate=True),
    Column("room.number", gettext_lazy("房间")),
    Column(
        "last_heartbeat_at",
        gettext_lazy("最后心跳"),
        sort="last_heartbeat_at",
        value=lambda d: _local(d.last_heartbeat_at),
    ),
    Column("device_model", gettext_lazy("型号"), wide_only=True),
    Column("installer", gettext_lazy("安装单位/人员"), wide_only=True),
]

CASE_COLUMNS = [
    Column(
        "opened_at",
        gettext_lazy("报警时间"),
        link=True,
        sort="opened_at",
        value=lambda c: _local(c.opened_at),
    ),
    Column("state", gettext_lazy("状态"), tag=True),
    Column("kind", gettext_lazy("传感器类型"), tag=True),
    Column("premises", gettext_lazy("出租户"), value=lambda c: str(c.premises), truncate=True),
    Column("alarm_count", gettext_lazy("报警次数")),
    Column(
        "last_alarm_at",
        gettext_lazy("最近报警"),
        sort="last_alarm_at",
        value=lambda c: _local(c.last_alarm_at),
    ),
    Column("outcome", gettext_lazy("核查结论"), value=lambda c: c.get_outcome_display()),
    Column("device.serial", gettext_lazy("设备编号"), wide_only=True),
]


class DeviceListView(ObjectListView[Device]):
    model = Device
    template_name = "monitoring/device_list.html"
    filterset_class = DeviceFilterSet
    columns = DEVICE_COLUMNS
    select_related = ("premises__building", "room")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The add button says what it does (登记设备) instead of the lists' 新增: the same link, same rule.
        context["register_url"], context["add_url"] = context["add_url"], ""
        return context


class DeviceDetailView(ObjectDetailView[Device]):
    """A device: what and where it is, its state, its recent events and its cases."""

    model = Device
    template_name = "monitoring/device_detail.html"
    select_related = ("premises__building", "room")
    fields = [
        Column("kind", gettext_lazy("类型"), value=lambda d: d.get_kind_display()),
        Column("state", gettext_lazy("状态"), value=lambda d: d.get_state_display()),
        Column("premises", gettext_lazy("出租户"), value=lambda d: str(d.premises)),
        Column("room", gettext_lazy("房间"), value=lambda d: str(d.room or "")),
        Column("serial", gettext_lazy("设备编号")),
        Column("device_model", gettext_lazy("型号")),
        Column("installer", gettext_lazy("安装单位/人员")),
        Column("installed_on", gettext_lazy("安装日期")),
        Column("heartbeat_interval", gettext_lazy("心跳间隔（秒）")),
        Column("last_heartbeat_at", gettext_lazy("最后心跳"), value=lambda d: _local(d.last_heartbeat_at)),
        Column("last_reading", gettext_lazy("最近读数"), value=lambda d: d.last_reading or ""),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            events=list(DeviceEvent.objects.visible_to(user).filter(device=self.object)[:RECENT]),
            cases=list(AlertCase.objects.visible_to(user).filter(device=self.object)[:RECENT]),
        )
        return context


class DeviceEditView(ObjectEditView[Device, DeviceForm]):
    """登记设备 (no pk; ?premises=12 from a premises page fills the premises) and 修改设备 (pk, with the version
    read). The writes are the generic services the API uses too: role, scope re-check, audit, version."""

    model = Device
    form_class = DeviceForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        registering = self.object is None
        context["form_heading"] = _("登记设备") if registering else _("修改设备")
        if registering:
            context["submit_label"] = _("登记设备")
        return context

    def created_message(self) -> str:
        return _("已登记设备：%(device)s") % {"device": self.object}


class AlertCaseListView(ObjectListView[AlertCase]):
    model = AlertCase
    filterset_class = AlertCaseFilterSet
    columns = CASE_COLUMNS
    select_related = ("premises__building", "device")


class AlertCaseDetailView(ObjectDetailView[AlertCase]):
    """A case: the alarm, who moved it when, and — for those who may — the next move as a big button."""

    model = AlertCase
    template_name = "monitoring/alertcase_detail.html"
    select_related = (
        "premises__building",
        "premises__landlord",
        "device",
        "room",
        "acknowledged_by",
        "visited_by",
        "closed_by",
    )
    fields = [
        Column("state", gettext_lazy("状态"), value=lambda c: c.get_state_display()),
        Column("kind", gettext_lazy("传感器类型"), value=lambda c: c.get_kind_display()),
        Column("premises", gettext_lazy("出租户"), value=lambda c: str(c.premises)),
        Column("room", gettext_lazy("房间"), value=lambda c: str(c.room or "")),
        Column("device", gettext_lazy("传感器"), value=lambda c: c.device.serial),
        Column("opened_at", gettext_lazy("报警时间"), value=lambda c: _local(c.opened_at)),
        Column("alarm_count", gettext_lazy("报警次数")),
        Column("last_alarm_at", gettext_lazy("最近报警"), value=lambda c: _local(c.last_alarm_at)),
        Column(
            "acknowledged",
            gettext_lazy("响应"),
            value=lambda c: f"{c.acknowledged_by} · {_local(c.acknowledged_at)}" if c.acknowledged_at else "",
        ),
        Column(
            "visited",
            gettext_lazy("到场"),
            value=lambda c: f"{c.visited_by} · {_local(c.visited_at)}" if c.visited_at else "",
        ),
        Column(
            "closed",
            gettext_lazy("办结"),
            value=lambda c: f"{c.closed_by} · {_local(c.closed_at)}" if c.closed_at else "",
        ),
        Column("outcome", gettext_lazy("核查结论"), value=lambda c: c.get_outcome_display()),
        Column("note", gettext_lazy("处置说明")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        moves = services.moves_for(case, user)
        context.update(
            moves=moves,
            close_form=CloseCaseForm(initial={"version": case.version}) if CaseMove.CLOSE in moves else None,
            move_labels=dict(CaseMove.choices),
        )
        return context


class AlertCaseMoveView(LoginRequiredMixin, View):
    """POST a move (acknowledge, visit, close) with the version read; the page comes back with the result.
    Out of scope 404, not allowed 403; a case someone else moved meanwhile is refused with a message."""

    def post(self, request: AuthedHttpRequest, pk: int, move: str) -> HttpResponse:
        case = get_object_or_404(AlertCase.objects.visible_to(request.user), pk=pk)
        if move not in CaseMove.values:
            raise Http404
        if not can(request.user, Action.CHANGE, AlertCase):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        raw = request.POST.get("version", "")
        version = int(raw) if raw.isdigit() else None
        try:
            if move == CaseMove.ACKNOWLEDGE:
                services.acknowledge_case(case, actor=request.user, expected_version=version)
            elif move == CaseMove.VISIT:
                services.visit_case(case, actor=request.user, expected_version=version)
            else:
                services.close_case(
                    case,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                    expected_version=version,
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEditError as exc:
            messages.error(
                request,
                _("该报警处置已被他人处理（当前为“%(state)s”），请查看最新状态。")
                % {"state": exc.current.get_state_display()},
            )
        else:
            messages.success(request, _("%(move)s已记录。") % {"move": CaseMove(move).label})
        return redirect(reverse("monitoring:alertcase_detail", args=[case.pk]))


class FiguresView(LoginRequiredMixin, TemplateView):
    """物联感知 figures per area; every count opens its list."""

    template_name = "monitoring/figures.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, Action.VIEW, AlertCase):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        area = None
        raw = self.request.GET.get("area", "")
        if raw.isdigit():
            area = get_object_or_404(Area.objects.visible_to(user), pk=int(raw))
        context.update(rows=figure_rows(user, area), outcomes=list(CaseOutcome.choices))
        return context
