"""What patrols recorded and what the checks raised: scans (打卡记录), findings (巡查发现: close one, start
the inspection of a hazard lead, its photos) and fabrication flags (疑似造假提示: the supervisors' review
list, each flag with its evidence and the clear / confirm form)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from firegrid.areas.models import User
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView

from .. import services
from ..checks import describe
from ..filters import FabricationFlagFilterSet, PatrolFindingFilterSet, PatrolScanFilterSet
from ..forms import CloseFindingForm, ReviewFlagForm
from ..models import FabricationFlag, FindingPhoto, PatrolFinding, PatrolScan
from ..phone import inspection_start


def _local(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _position(scan: PatrolScan) -> str:
    return f"{scan.latitude}, {scan.longitude}" if scan.has_position else _("未提供")


SCAN_COLUMNS = [
    Column(
        "scanned_at",
        gettext_lazy("打卡时间"),
        link=True,
        sort="scanned_at",
        value=lambda s: _local(s.scanned_at),
    ),
    Column("building.address", gettext_lazy("建筑")),
    Column("patrol.team.name", gettext_lazy("巡查队")),
    Column("source", gettext_lazy("方式")),
    Column("on_route", gettext_lazy("在路线上")),
    Column("in_window", gettext_lazy("在计划时段内")),
    Column("scanned_by", gettext_lazy("打卡人"), value=lambda s: str(s.scanned_by)),
    Column("position", gettext_lazy("位置"), value=_position, default=False),
]

FINDING_COLUMNS = [
    Column(
        "reported_at",
        gettext_lazy("发现时间"),
        link=True,
        sort="reported_at",
        value=lambda f: _local(f.reported_at),
    ),
    Column("kind", gettext_lazy("类型"), tag=True),
    Column("status", gettext_lazy("状态"), tag=True),
    Column("building.address", gettext_lazy("建筑")),
    Column("premises.unit_label", gettext_lazy("出租户")),
    Column("note", gettext_lazy("情况说明"), value=lambda f: Truncator(f.note).chars(40)),
    Column("patrol.team.name", gettext_lazy("巡查队")),
    Column("reported_by", gettext_lazy("发现人"), value=lambda f: str(f.reported_by)),
]

FLAG_COLUMNS = [
    Column(
        "raised_at",
        gettext_lazy("提示时间"),
        link=True,
        sort="raised_at",
        value=lambda f: _local(f.raised_at),
    ),
    Column("kind", gettext_lazy("类型"), tag=True),
    Column("status", gettext_lazy("状态"), tag=True),
    Column("grid.name", gettext_lazy("网格")),
    Column("user", gettext_lazy("相关人员"), value=lambda f: str(f.user)),
    Column("details", gettext_lazy("依据"), value=describe, truncate=True),
]


class PatrolScanListView(ObjectListView[PatrolScan]):
    model = PatrolScan
    filterset_class = PatrolScanFilterSet
    columns = SCAN_COLUMNS
    select_related = ("building", "patrol__team", "scanned_by")


class PatrolScanDetailView(ObjectDetailView[PatrolScan]):
    model = PatrolScan
    select_related = ("building", "premises", "patrol__team", "scanned_by")
    fields = [
        Column("patrol", gettext_lazy("巡查"), value=lambda s: str(s.patrol)),
        Column("building", gettext_lazy("建筑"), value=lambda s: str(s.building)),
        Column("premises", gettext_lazy("出租户"), value=lambda s: str(s.premises or "")),
        Column("source", gettext_lazy("方式")),
        Column("scanned_at", gettext_lazy("打卡时间"), value=lambda s: _local(s.scanned_at)),
        Column("position", gettext_lazy("位置"), value=_position),
        Column("scanned_by", gettext_lazy("打卡人"), value=lambda s: str(s.scanned_by)),
        Column("on_route", gettext_lazy("在路线上")),
        Column("in_window", gettext_lazy("在计划时段内")),
    ]


class PatrolFindingListView(ObjectListView[PatrolFinding]):
    model = PatrolFinding
    filterset_class = PatrolFindingFilterSet
    columns = FINDING_COLUMNS
    select_related = ("building", "premises", "patrol__team", "reported_by")


class PatrolFindingDetailView(ObjectDetailView[PatrolFinding]):
    """A finding: what was seen, its photos, and — while open — the inspection start (a hazard lead) and
    the close form."""

    model = PatrolFinding
    template_name = "patrols/finding_detail.html"
    select_related = ("building", "premises", "patrol__team", "reported_by", "closed_by", "inspection")
    fields = [
        Column("kind", gettext_lazy("类型")),
        Column("status", gettext_lazy("状态")),
        Column("building", gettext_lazy("建筑"), value=lambda f: str(f.building)),
        Column("premises", gettext_lazy("出租户"), value=lambda f: str(f.premises or "")),
        Column("note", gettext_lazy("情况说明")),
        Column(
            "reported", gettext_lazy("发现"), value=lambda f: f"{f.reported_by} · {_local(f.reported_at)}"
        ),
        Column("patrol", gettext_lazy("巡查"), value=lambda f: str(f.patrol)),
        Column("inspection", gettext_lazy("跟进检查"), value=lambda f: str(f.inspection or "")),
        Column(
            "closed",
            gettext_lazy("关闭"),
            value=lambda f: f"{f.closed_by} · {_local(f.closed_at)}" if f.closed_by else "",
        ),
        Column("close_note", gettext_lazy("处理说明")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        finding, user = self.object, self.request.user
        is_open = finding.status == "open"
        context.update(
            photos=list(FindingPhoto.objects.visible_to(user).filter(finding=finding)),
            start=inspection_start(finding, user) if is_open else None,
            close_form=CloseFindingForm(initial={"version": finding.version})
            if is_open and can(user, Action.CHANGE, PatrolFinding)
            else None,
        )
        return context


class CloseFindingView(LoginRequiredMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        finding = get_object_or_404(PatrolFinding.objects.visible_to(request.user), pk=pk)
        version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
        try:
            services.close_finding(
                finding, actor=request.user, note=request.POST.get("close_note", ""), expected_version=version
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已关闭巡查发现。"))
        return redirect(reverse("patrols:patrolfinding_detail", args=[finding.pk]))


@extend_schema(exclude=True)
class FindingPhotoFileView(APIView):
    """A finding's photo or its thumbnail, only for users whose scope covers the finding's patrol (a REST
    view so that API clients with a token can fetch the URLs the API gives them)."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request, pk: int, variant: str) -> FileResponse:
        if not isinstance(request.user, User):
            raise NotAuthenticated
        photo = get_object_or_404(FindingPhoto.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


class FabricationFlagListView(ObjectListView[FabricationFlag]):
    """疑似造假提示 for supervisors: filter by kind, status and area; each opens its evidence."""

    model = FabricationFlag
    filterset_class = FabricationFlagFilterSet
    columns = FLAG_COLUMNS
    select_related = ("grid", "user")


class FabricationFlagDetailView(ObjectDetailView[FabricationFlag]):
    model = FabricationFlag
    template_name = "patrols/flag_detail.html"
    select_related = (
        "grid",
        "user",
        "reviewed_by",
        "inspection",
        "scan__building",
        "other_scan__building",
        "photo",
        "other_photo",
    )
    fields = [
        Column("kind", gettext_lazy("类型")),
        Column("status", gettext_lazy("状态")),
        Column("details", gettext_lazy("依据"), value=describe),
        Column("user", gettext_lazy("相关人员"), value=lambda f: str(f.user)),
        Column("grid.name", gettext_lazy("网格")),
        Column("raised_at", gettext_lazy("提示时间"), value=lambda f: _local(f.raised_at)),
        Column(
            "reviewed",
            gettext_lazy("核查"),
            value=lambda f: f"{f.reviewed_by} · {_local(f.reviewed_at)}" if f.reviewed_by else "",
        ),
        Column("review_note", gettext_lazy("核查说明")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        flag, user = self.object, self.request.user
        context["review_form"] = (
            ReviewFlagForm(initial={"version": flag.version})
            if flag.status == "open" and can(user, Action.CHANGE, FabricationFlag) and flag.user_id != user.pk
            else None
        )
        return context


class ReviewFlagView(LoginRequiredMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        flag = get_object_or_404(FabricationFlag.objects.visible_to(request.user), pk=pk)
        version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
        try:
            services.review_flag(
                flag,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("review_note", ""),
                actor=request.user,
                expected_version=version,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已记录核查结论。"))
        return redirect(reverse("patrols:fabricationflag_detail", args=[flag.pk]))
