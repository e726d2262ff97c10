"""The premises grade FilterSet: the due re-inspection list, its export, the API and the figures' drill-downs."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.registry.choices import PremisesKind

from .choices import DueState, GradeDirection, RiskGrade
from .models import (
    GradeChange,
    GradeChangeQuerySet,
    KeyArea,
    KeyAreaQuerySet,
    PremisesGrade,
    PremisesGradeQuerySet,
)


class PremisesGradeFilterSet(FiregridFilterSet):
    search_fields = ("premises__building__address", "premises__unit_label", "premises__business_name")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "grade", "due", "inspected", "kind")

    grade = django_filters.MultipleChoiceFilter(choices=RiskGrade.choices, label=_("风险等级"))
    due = django_filters.ChoiceFilter(choices=DueState.choices, method="filter_due", label=_("复查到期"))
    inspected = django_filters.BooleanFilter(
        field_name="last_covering_inspection_at", lookup_expr="isnull", exclude=True, label=_("曾检查")
    )
    kind = django_filters.ChoiceFilter(
        field_name="premises__kind", choices=PremisesKind.choices, label=_("出租户类型")
    )
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    sort = django_filters.OrderingFilter(
        fields=(("rank", "grade"), ("next_due", "next_due"), ("score", "score")),
        field_labels={"grade": _("风险等级"), "next_due": _("下次复查日期"), "score": _("风险分")},
        label=_("排序"),
    )

    class Meta:
        model = PremisesGrade
        fields = ["q", "area", "grade", "due", "inspected", "kind", "premises"]

    def filter_due(self, queryset: PremisesGradeQuerySet, name: str, value: str) -> PremisesGradeQuerySet:
        return queryset.due_state(value) if value else queryset

    def default_ordering(self) -> list[str]:
        # Always grade first, then the longest overdue (served by the rank, next_due index).
        return ["rank", "next_due", "premises_id"]


class GradeChangeFilterSet(FiregridFilterSet):
    """等级变化: the grade history of every premises in scope, for the figures' "worse / better in the last
    30 days" and for anyone asking what moved."""

    search_fields = ("premises__building__address", "premises__unit_label", "premises__business_name")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "direction", "new_grade", "days")

    new_grade = django_filters.MultipleChoiceFilter(choices=RiskGrade.choices, label=_("新等级"))
    old_grade = django_filters.MultipleChoiceFilter(choices=RiskGrade.choices, label=_("原等级"))
    direction = django_filters.ChoiceFilter(
        choices=GradeDirection.choices, method="filter_direction", label=_("变化方向")
    )
    days = django_filters.NumberFilter(method="filter_days", label=_("最近天数"), min_value=1)
    premises = IdFilter(field_name="premises_id", label=_("出租户"))

    class Meta:
        model = GradeChange
        fields = ["q", "area", "new_grade", "old_grade", "direction", "days", "premises"]

    def filter_direction(self, queryset: GradeChangeQuerySet, name: str, value: str) -> GradeChangeQuerySet:
        return queryset.filter(GradeDirection.q(value)) if value else queryset

    def filter_days(self, queryset: GradeChangeQuerySet, name: str, value: int | None) -> GradeChangeQuerySet:
        return queryset.within_days(int(value)) if value else queryset

    def default_ordering(self) -> list[str]:
        return ["-computed_at", "-id"]


class KeyAreaFilterSet(FiregridFilterSet):
    """重点区域: designations in force today first (the list's default), or those of one state."""

    search_fields = ("area__name", "reason")
    form_fields = ("q", "current")

    current = django_filters.BooleanFilter(method="filter_current", label=_("现行"))

    class Meta:
        model = KeyArea
        fields = ["q", "current"]

    def filter_current(self, queryset: KeyAreaQuerySet, name: str, value: bool | None) -> KeyAreaQuerySet:
        if value is None:
            return queryset
        active = queryset.active_on(timezone.localdate())
        return active if value else queryset.exclude(pk__in=active.values("pk"))

    def default_ordering(self) -> list[str]:
        return ["-starts_on", "-pk"]
