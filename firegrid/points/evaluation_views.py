"""年度评选 pages: a year's evaluation (the thresholds, the ranked landlords per award in the user's scope,
compute and confirm for the district commander, certificate links), the nominations list, and the
certificate PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column
from firegrid.core.views import ObjectListView

from . import evaluation as evaluations
from .choices import AwardKind
from .filters import NominationFilterSet
from .models import Nomination, YearEndEvaluation
from .rules import nomination_threshold
from .services import current_parameters

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


def _year(value: int) -> int:
    this_year = timezone.localdate().year
    if not 2000 <= value <= this_year:
        raise Http404
    return value


class EvaluationView(LoginRequiredMixin, TemplateView):
    """年度评选 of one year: per award, the threshold, the share and how many may be nominated, then the
    landlords at or above the threshold in rank order (those the user may see), the nominees marked; the
    commander computes it, computes it again while it is a draft, and confirms it."""

    template_name = "points/evaluation.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not can(user, Action.VIEW, YearEndEvaluation):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        year = _year(self.kwargs.get("year") or timezone.localdate().year)
        evaluation = YearEndEvaluation.objects.filter(year=year).select_related("rule_set").first()
        rows = evaluations.rows_visible_to(evaluation, user) if evaluation is not None else []
        nominations = {
            (n.landlord_id, n.award): n
            for n in Nomination.objects.visible_to(user).filter(evaluation__year=year)
        }
        parameters = evaluation.rule_set.full_parameters() if evaluation else current_parameters()
        awards = []
        for award in AwardKind:
            minimum, share = nomination_threshold(award, parameters)
            award_rows = [
                {**row, "nomination": nominations.get((row["landlord"], row["award"]))}
                for row in rows
                if row["award"] == award
            ]
            awards.append(
                {
                    "award": award,
                    "min_points": minimum,
                    "share_percent": share,
                    "summary": (evaluation.summary.get(str(award), {}) if evaluation else {}),
                    "rows": award_rows,
                }
            )
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        context.update(
            year=year,
            years=list(range(this_year, this_year - 5, -1)),
            evaluation=evaluation,
            awards=awards,
            can_compute=can(user, Action.ADD, YearEndEvaluation)
            and (evaluation is None or not evaluation.is_confirmed),
            can_confirm=can(user, Action.CHANGE, YearEndEvaluation)
            and evaluation is not None
            and not evaluation.is_confirmed,
        )
        return context


class ComputeView(LoginRequiredMixin, View):
    """POST: compute the year's evaluation (again, while a draft)."""

    request: AuthedHttpRequest

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        year = _year(year)
        try:
            evaluations.evaluate(year, actor=self.request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已计算 %(year)s 年度评选。") % {"year": year})
        return redirect(reverse("points:evaluation", args=[year]))


class ConfirmView(LoginRequiredMixin, View):
    """POST (with the version read): the commander confirms the year's evaluation; certificates are issued."""

    request: AuthedHttpRequest

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        evaluation = get_object_or_404(
            YearEndEvaluation.objects.visible_to(self.request.user), year=_year(year)
        )
        raw = request.POST.get("version", "")
        try:
            evaluations.confirm_evaluation(
                evaluation, actor=self.request.user, expected_version=int(raw) if raw.isdigit() else None
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ConcurrentEditError:
            messages.error(request, _("评选结果已重新计算，请核对最新结果后再确认。"))
        else:
            messages.success(request, _("%(year)s 年度评选已确认，荣誉证书已出具。") % {"year": year})
        return redirect(reverse("points:evaluation", args=[year]))


class CertificatePdfView(LoginRequiredMixin, View):
    """A nominee's certificate (荣誉证书) as a PDF: the same file every time."""

    request: AuthedHttpRequest

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        nomination = get_object_or_404(
            Nomination.objects.visible_to(self.request.user).select_related("evaluation"), pk=pk
        )
        data = evaluations.certificate_pdf(nomination)
        return pdf_response(data, f"{nomination.serial}.pdf", max_age=86400)


NOMINATION_COLUMNS = [
    Column("evaluation.year", gettext_lazy("年度")),
    Column("award", gettext_lazy("评选类别"), tag=True),
    Column("rank", gettext_lazy("名次"), sort="rank"),
    Column("landlord.name", gettext_lazy("房东")),
    Column("points", gettext_lazy("年度积分"), sort="points"),
    Column("serial", gettext_lazy("证书编号"), link=True),
]


class NominationListView(ObjectListView[Nomination]):
    """评选提名: the nominees of confirmed evaluations in the user's scope; a row opens the certificate."""

    model = Nomination
    filterset_class = NominationFilterSet
    columns = NOMINATION_COLUMNS
    select_related = ("evaluation", "landlord")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["detail_url_name"] = "points:certificate_pdf"
        return context
