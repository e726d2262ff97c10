"""Pages of the work queue (今日任务): the queue itself (a grid worker's phone home; officers see their
area by grid first), starting an inspection from a queue item, and opening a premises from its QR code."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.core.http import AuthedHttpRequest
from firegrid.core.tables import enumerate_items
from firegrid.inspections.views import StartInspectionView
from firegrid.registry.models import Premises

from .choices import QueueKind
from .forms import QueueQueryForm
from .queue import (
    covered_today,
    grid_rows,
    is_personal_queue,
    kind_counts,
    kind_qs,
    may_view_queue,
    work_queue,
)


def require_queue(user: Any) -> None:
    """403 for roles without a work queue (landlords, unit liaisons, contractors)."""
    if not may_view_queue(user):
        raise PermissionDenied(_("您的角色无权查看此页面。"))


# Grids per page of an officer's overview.
GRID_PAGE = 12


def queue_context(user: Any, data: Any, *, today: Any) -> dict[str, Any]:
    """What the queue page (and the home page's 今日任务) shows for this query."""
    form = QueueQueryForm(data, user=user, today=today)
    query = form.query()
    grid = form.cleaned_data.get("grid") if form.is_valid() else None
    kinds = [(k, str(QueueKind(k).label)) for k in kind_qs(today)]
    by_items = is_personal_queue(user) or grid is not None
    context: dict[str, Any] = {"today": today, "grid": grid, "kind": query["kind"], "kinds": kinds}
    if by_items:
        counts = kind_counts(user, today=today, grid_ids=query["grid_ids"])
        context["queue"] = work_queue(user, today=today, **query)
        if query["grid_ids"] is None and is_personal_queue(user):
            context["queue_total"] = counts["total"]  # the tab's badge: the queue is not read again for it
    else:
        # Grids in code order, never ranked (GridRow). A district holds hundreds of grids, a province
        # thousands: a page at a time, so a phone shows a few screens, not a hundred. The area's figures
        # are the grids' sums (a premises lies in one grid): the queue is read once.
        rows = grid_rows(user, today=today)
        counts = {k: sum(row.counts.get(k, 0) for row in rows) for k in ["total", *dict(kinds)]}
        page = Paginator(rows, GRID_PAGE).get_page(data.get("page"))
        context["grid_page"] = page
        context["grid_rows"] = [(row, [(k, row.counts.get(k, 0)) for k, _label in kinds]) for row in page]
    context.update(
        counts=counts, kind_figures=[(k, label, counts.get(k, 0)) for k, label in kinds], by_items=by_items
    )
    return context


class QueueView(LoginRequiredMixin, TemplateView):
    """今日任务: a grid worker's items along a walking route; an officer's grids with what each owes today
    (a grid opens its items). Counts of outcomes, never of anyone's app usage."""

    request: AuthedHttpRequest
    template_name = "longterm/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        require_queue(self.request.user)
        context = super().get_context_data(**kwargs)
        context.update(queue_context(self.request.user, self.request.GET, today=timezone.localdate()))
        context["position_used"] = bool(self.request.GET.get("lat"))
        return context


class QueueStartView(LoginRequiredMixin, View):
    """开始检查 from a queue item: the inspections' own start (same form fields, same service), with a notice
    when another visit already covered the premises today — a notice, not a refusal: the queue a worker
    holds may be older than that visit."""

    def post(self, request: AuthedHttpRequest) -> HttpResponseBase:
        require_queue(request.user)
        pk = request.POST.get("premises", "")
        premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk if pk.isdigit() else 0)
        covering = covered_today(premises, today=timezone.localdate())
        if covering is not None:
            names = enumerate_items(covering.inspectors.all()) or _("他人")
            when = timezone.localtime(covering.submitted_at) if covering.submitted_at else None
            messages.warning(
                request,
                _("该户今天已由 %(names)s 检查（%(time)s，%(outcome)s），请确认是否仍需检查。")
                % {
                    "names": names,
                    "time": f"{when:%H:%M}" if when else "",
                    "outcome": covering.get_outcome_display(),
                },
            )
        return StartInspectionView.as_view()(request)


# What a premises' QR code holds: the absolute URL of inspections:premises_scan (…/inspections/scan/<id>/).
SCANNED_URL = re.compile(r"/inspections/scan/(\d+)/?(?:[?#].*)?$")


class ScanView(LoginRequiredMixin, TemplateView):
    """扫码: the camera reads a premises' QR code (BarcodeDetector, where the browser has it) or the worker
    types the number printed under it; either opens the premises (404 outside the user's scope)."""

    request: AuthedHttpRequest
    template_name = "longterm/scan.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_queue(self.request.user)
        code = request.GET.get("code", "").strip()
        if code:
            match = SCANNED_URL.search(code)
            pk = match.group(1) if match else code if code.isdigit() and len(code) < 12 else None
            if pk is not None:
                return redirect(reverse("inspections:premises_scan", args=[int(pk)]))
            return self.render_to_response(
                self.get_context_data(code=code, error=_("无法识别：请扫描门牌二维码，或输入出租户编号。"))
            )
        return super().get(request, *args, **kwargs)
