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
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from firegrid.registry.models import Premises

from . import services
from .choices import DueState
from .filters import GradeChangeFilterSet, KeyAreaFilterSet, PremisesGradeFilterSet
from .forms import KeyAreaForm
from .models import GradeChange, KeyArea, PremisesGrade

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


# --- key areas (重点区域) -------------------------------------------------------------------------------------


def _period(k: KeyArea) -> str:
    start = f"{k.starts_on:%Y-%m-%d}"
    return f"{start} — {k.ends_on:%Y-%m-%d}" if k.ends_on else _("%(start)s 起，长期") % {"start": start}


def _in_force(k: KeyArea) -> str:
    today = timezone.localdate()
    current = k.starts_on <= today and (k.ends_on is None or k.ends_on >= today)
    return str(_("现行")) if current else (str(_("未开始")) if k.starts_on > today else str(_("已结束")))


KEY_AREA_COLUMNS = [
    Column("area", gettext_lazy("区域"), link=True, value=lambda k: str(k.area)),
    Column("state", gettext_lazy("状态"), value=_in_force, tag=True),
    Column("period", gettext_lazy("期限"), value=_period),
    Column("reason", gettext_lazy("设立原因"), truncate=True),
    Column("weight", gettext_lazy("加权分")),
    Column("interval_percent", gettext_lazy("复查间隔比例")),
]


class KeyAreaListView(ObjectListView[KeyArea]):
    """重点区域: the command's designations, newest first, with whether each is in force today."""

    model = KeyArea
    filterset_class = KeyAreaFilterSet
    columns = KEY_AREA_COLUMNS
    select_related = ("area",)


class KeyAreaDetailView(ObjectDetailView[KeyArea]):
    model = KeyArea
    select_related = ("area",)
    fields = [
        Column("area", gettext_lazy("区域"), value=lambda k: str(k.area)),
        Column("state", gettext_lazy("状态"), value=_in_force),
        Column("period", gettext_lazy("期限"), value=_period),
        Column("reason", gettext_lazy("设立原因")),
        Column("weight", gettext_lazy("加权分")),
        Column("interval_percent", gettext_lazy("复查间隔比例")),
    ]


class KeyAreaEditView(ObjectEditView[KeyArea, KeyAreaForm]):
    """设立 / 修改重点区域 (the district command): saved through `services.save_key_area`, which grades the area's
    premises again once committed."""

    model = KeyArea
    form_class = KeyAreaForm

    def create(self, data: dict[str, Any], *, reason: str) -> KeyArea:
        return services.save_key_area(None, data, actor=self.request.user, reason=reason)

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> KeyArea:
        assert self.object is not None
        return services.save_key_area(
            self.object, data, actor=self.request.user, expected_version=expected_version, reason=reason
        )

    def created_message(self) -> str:
        return _("已设立重点区域：%(area)s。区域内出租户的风险等级将重新计算。") % {"area": self.object}
