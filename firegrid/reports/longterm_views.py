"""Pages of the 长效管理日报: the days made, one day's figures per area with their change since the day
before, and making today's (the command)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import longterm_report as lt
from .models import LongtermReport
from .services import may_generate

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


def _require_viewer(request: AuthedHttpRequest) -> None:
    if not lt.may_view_report(request.user):
        raise PermissionDenied(_("您的角色无权查看日报。"))


@login_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    _require_viewer(request)
    newest: dict[dt.date, LongtermReport] = {}
    for report in LongtermReport.objects.defer("content").select_related("generated_by")[:400]:
        newest.setdefault(report.day, report)
    today = timezone.localdate()
    return render(
        request,
        "reports/longterm_index.html",
        {
            "reports": list(newest.values()),
            "today": today,
            "made_today": today in newest,
            "may_generate": may_generate(request.user),
        },
    )


@login_required
@require_POST
def generate(request: AuthedHttpRequest) -> HttpResponse:
    if not may_generate(request.user):
        raise PermissionDenied(_("您的角色无权生成日报。"))
    try:
        report = lt.generate_longterm_report(
            actor=request.user,
            reason=request.POST.get("reason", ""),
            correction=bool(request.POST.get("correction")),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:longterm_index")
    messages.success(
        request,
        _("已生成 %(day)s 长效管理日报（第 %(version)s 版）。")
        % {"day": report.day, "version": report.version},
    )
    return redirect("reports:longterm_day", report.day.isoformat())


@login_required
def day_page(request: AuthedHttpRequest, day: str) -> HttpResponse:
    _require_viewer(request)
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    versions = list(LongtermReport.objects.filter(day=when).order_by("-version"))
    if not versions:
        raise Http404
    report = versions[0]
    if request.GET.get("version", "").isdigit():
        report = next((v for v in versions if v.version == int(request.GET["version"])), None) or report
    previous = LongtermReport.objects.filter(day__lt=when).order_by("-day", "-version").first()
    area_id = int(request.GET["area"]) if request.GET.get("area", "").isdigit() else None
    sections = lt.report_sections(report, request.user, area_id, previous)
    if area_id is not None and not sections:
        raise Http404
    return render(
        request,
        "reports/longterm_day.html",
        {
            "report": report,
            "versions": versions,
            "previous": previous,
            "sections": sections,
            "is_today": when == timezone.localdate(),
            "may_generate": may_generate(request.user),
        },
    )
