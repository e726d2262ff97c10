"""Risk pages: the due re-inspection list (复查到期), the grade change list (等级变化), and the grade box of
the premises page (handed to the registry by RiskConfig.ready()). The figures per area are in
`figures.py`, shown on the 长效管理 page (dashboards)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.areas.models import User
from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column, join_sentences
from firegrid.core.views import ObjectListView
from firegrid.registry.models import Premises

from .choices import DueState
from .filters import GradeChangeFilterSet, PremisesGradeFilterSet
from .models import GradeChange, PremisesGrade

if TYPE_CHECKING:
    pass


def _due_state(grade: PremisesGrade) -> str:
    state = grade.due_state()
    return str(DueState(state).label) if state else ""


GRADE_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, value=lambda g: str(g.premises), truncate=True),
    Column("grade", gettext_lazy("风险等级"), sort="grade", tag=True),
    Column("score", gettext_lazy("风险分"), sort="score"),
    Column("reasons", gettext_lazy("原因"), value=lambda g: join_sentences(g.reason_texts()), truncate=True),
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
        wide_only=True,
    ),
    Column("premises.building.grid.name", gettext_lazy("网格"), wide_only=True),
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


CHANGE_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, value=lambda c: str(c.premises), truncate=True),
    Column("old_grade", gettext_lazy("原等级"), tag=True),
    Column("new_grade", gettext_lazy("新等级"), tag=True),
    Column("score", gettext_lazy("风险分")),
    Column("reasons", gettext_lazy("原因"), value=lambda c: join_sentences(c.reason_texts()), truncate=True),
    Column("cause", gettext_lazy("起因")),
    Column(
        "computed_at",
        gettext_lazy("时间"),
        value=lambda c: timezone.localtime(c.computed_at).strftime("%Y-%m-%d %H:%M"),
    ),
    Column("premises.building.grid.name", gettext_lazy("网格")),
    Column("rule_set.code", gettext_lazy("风险规则版本"), default=False),
]


class GradeChangeListView(ObjectListView[GradeChange]):
    """等级变化: the grade history of the premises in scope, newest first; each row opens the premises."""

    model = GradeChange
    filterset_class = GradeChangeFilterSet
    columns = CHANGE_COLUMNS
    select_related = ("premises__building__grid", "rule_set")
    detail_pk = "premises_id"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["detail_url_name"] = "registry:premises_detail"
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
