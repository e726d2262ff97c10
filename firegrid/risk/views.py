"""Risk pages: 长效管理 figures per area, the due re-inspection list (复查到期), and the grade box of the
premises page (handed to the registry by RiskConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from firegrid.areas.models import Area, User
from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column, join_sentences
from firegrid.core.views import ObjectListView
from firegrid.registry.models import Premises

from .choices import DueState
from .figures import figure_rows
from .filters import PremisesGradeFilterSet
from .models import GradeChange, PremisesGrade

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


def _due_state(grade: PremisesGrade) -> str:
    state = grade.due_state()
    return str(DueState(state).label) if state else ""


GRADE_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, value=lambda g: str(g.premises)),
    Column("grade", gettext_lazy("风险等级"), sort="grade", tag=True),
    Column("score", gettext_lazy("风险分"), sort="score"),
    Column("reasons", gettext_lazy("原因"), value=lambda g: join_sentences(g.reason_texts())),
    Column("next_due", gettext_lazy("下次复查日期"), sort="next_due"),
    Column("due_state", gettext_lazy("复查到期"), value=_due_state),
    Column("days_overdue", gettext_lazy("超期天数"), value=lambda g: g.days_overdue() or ""),
    Column(
        "last_covering_inspection_at",
        gettext_lazy("上次检查时间"),
        value=lambda g: (
            timezone.localtime(g.last_covering_inspection_at).strftime("%Y-%m-%d")
            if g.last_covering_inspection_at
            else _("从未检查")
        ),
    ),
    Column("premises.building.grid.name", gettext_lazy("网格")),
    Column("premises.kind", gettext_lazy("类型"), default=False),
    Column("rule_set.code", gettext_lazy("风险规则版本"), default=False),
]


class DueListView(ObjectListView[PremisesGrade]):
    """复查到期: premises by grade, then the longest overdue; each row opens the premises page."""

    model = PremisesGrade
    filterset_class = PremisesGradeFilterSet
    columns = GRADE_COLUMNS
    select_related = ("premises__building__grid", "rule_set")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A grade's primary key is its premises': the row opens the premises page.
        context["detail_url_name"] = "registry:premises_detail"
        context["verbose_name_plural"] = _("复查到期")
        return context


class FiguresView(LoginRequiredMixin, TemplateView):
    """长效管理: per area, the grade distribution and the re-inspections due; each figure opens its list."""

    request: AuthedHttpRequest
    template_name = "risk/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        if not can(user, Action.VIEW, PremisesGrade):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        context = super().get_context_data(**kwargs)
        area = None
        if self.request.GET.get("area", "").isdigit():
            area = get_object_or_404(Area.objects.visible_to(user), pk=self.request.GET["area"])
        context.update(area=area, rows=figure_rows(user, area), today=timezone.localdate())
        return context


def premises_grade_context(premises: Premises, user: User) -> dict[str, Any]:
    """The grade box of a premises page: grade, reasons, next re-inspection, and its grade history."""
    if not can(user, Action.VIEW, PremisesGrade):
        return {}
    grade = (
        PremisesGrade.objects.visible_to(user).filter(premises=premises).select_related("rule_set").first()
    )
    history = GradeChange.objects.visible_to(user).filter(premises=premises).select_related("rule_set")[:10]
    return {"risk_part": True, "risk_grade": grade, "risk_history": list(history)}
