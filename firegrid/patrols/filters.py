"""One FilterSet per patrol list: web lists, API, exports and the coverage figures' drill-downs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Area
from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst
from firegrid.registry.models import Building

from .choices import (
    FindingKind,
    FindingStatus,
    FlagKind,
    FlagStatus,
    PatrolKind,
    PatrolStatus,
    ScanSource,
    TeamKind,
)
from .coverage import patrolled_q, week_bounds
from .models import FabricationFlag, Patrol, PatrolFinding, PatrolScan, PatrolTeam


class _PlacedInAreaFilterSet(FiregridFilterSet):
    """Teams and patrols are placed in a grid or a community: choosing an area lists those placed in it or
    below it (a community's own team and its grids' teams)."""

    area_lookup = "area_id"

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        if area is None:
            return queryset
        return queryset.filter(area__path__startswith=area.path)


class PatrolTeamFilterSet(_PlacedInAreaFilterSet):
    search_fields = ("name", "note")
    form_fields = ("q", "kind", "active")

    kind = django_filters.ChoiceFilter(choices=TeamKind.choices, label=_("类型"))
    active = django_filters.BooleanFilter(label=_("在用"))
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("area__code", "area")),
        field_labels={"name": _("队名"), "area": _("巡查区域")},
        label=_("排序"),
    )

    class Meta:
        model = PatrolTeam
        fields = ["q", "area", "kind", "active"]


class PatrolFilterSet(_PlacedInAreaFilterSet):
    search_fields = ("team__name", "note")
    form_fields = ("q", "status", "kind", "since", "until")

    status = django_filters.MultipleChoiceFilter(choices=PatrolStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=PatrolKind.choices, label=_("类型"))
    team = django_filters.ModelChoiceFilter(queryset=PatrolTeam.objects.all(), label=_("巡查队"))
    since = django_filters.DateFilter(
        field_name="window_start", lookup_expr="date__gte", label=_("开始日期从")
    )
    until = django_filters.DateFilter(
        field_name="window_start", lookup_expr="date__lte", label=_("开始日期至")
    )
    sort = django_filters.OrderingFilter(
        fields=(("window_start", "window_start"), ("status", "status")),
        field_labels={"window_start": _("计划开始"), "status": _("状态")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Patrol
        fields = ["q", "area", "status", "kind", "team", "since", "until"]

    def todo_first(self) -> TodoFirst:
        """Patrols under way or planned first, the soonest first; finished and cancelled ones newest first."""
        return TodoFirst(
            open=Q(status__in=(PatrolStatus.PLANNED, PatrolStatus.IN_PROGRESS)),
            deadline="window_start",
            newest=("-window_start", "-pk"),
        )


class PatrolScanFilterSet(FiregridFilterSet):
    search_fields = ("building__address", "building__name")
    area_lookup = "building__grid_id"
    form_fields = ("q", "week", "on_route", "in_window", "source")

    week = django_filters.DateFilter(method="filter_week", label=_("周（该周任一天）"))
    on_route = django_filters.BooleanFilter(label=_("在路线上"))
    in_window = django_filters.BooleanFilter(label=_("在计划时段内"))
    source = django_filters.ChoiceFilter(choices=ScanSource.choices, label=_("方式"))
    patrol = IdFilter(field_name="patrol_id", label=_("巡查"))
    building = IdFilter(field_name="building_id", label=_("建筑"))
    sort = django_filters.OrderingFilter(
        fields=(("scanned_at", "scanned_at"),), field_labels={"scanned_at": _("打卡时间")}, label=_("排序")
    )

    class Meta:
        model = PatrolScan
        fields = ["q", "area", "week", "on_route", "in_window", "source", "patrol", "building"]

    def filter_week(self, queryset: QuerySet[Any], name: str, value: dt.date | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        start, end = week_bounds(value)
        return queryset.filter(scanned_at__gte=start, scanned_at__lt=end)

    def default_ordering(self) -> list[str]:
        return ["-scanned_at", "-pk"]


class PatrolFindingFilterSet(FiregridFilterSet):
    search_fields = ("building__address", "premises__unit_label", "note")
    area_lookup = "building__grid_id"
    form_fields = ("q", "status", "kind")

    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices, label=_("类型"))
    patrol = IdFilter(field_name="patrol_id", label=_("巡查"))
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    building = IdFilter(field_name="building_id", label=_("建筑"))
    sort = django_filters.OrderingFilter(
        fields=(("reported_at", "reported_at"),),
        field_labels={"reported_at": _("发现时间")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = PatrolFinding
        fields = ["q", "area", "status", "kind", "patrol", "premises", "building"]

    def todo_first(self) -> TodoFirst:
        """Findings still waiting (待处理) first, newest first."""
        return TodoFirst(open=Q(status=FindingStatus.OPEN), newest=("-reported_at", "-pk"))


class FabricationFlagFilterSet(FiregridFilterSet):
    search_fields = ("review_note",)
    area_lookup = "grid_id"
    form_fields = ("kind", "status", "since", "until")

    kind = django_filters.MultipleChoiceFilter(choices=FlagKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=FlagStatus.choices, label=_("状态"))
    since = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__gte", label=_("提示日期从"))
    until = django_filters.DateFilter(field_name="raised_at", lookup_expr="date__lte", label=_("提示日期至"))
    sort = django_filters.OrderingFilter(
        fields=(("raised_at", "raised_at"),),
        field_labels={"raised_at": _("提示时间")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = FabricationFlag
        fields = ["q", "area", "kind", "status", "since", "until"]

    def todo_first(self) -> TodoFirst:
        """Hints still to review (待核查) first, newest first."""
        return TodoFirst(open=Q(status=FlagStatus.OPEN), newest=("-raised_at", "-pk"))


class PatrolCoverageFilterSet(FiregridFilterSet):
    """Buildings by weekly patrol coverage (巡查覆盖): the drill-down of every coverage figure. Without
    `week` the current week counts."""

    search_fields = ("address", "name")
    area_lookup = "grid_id"
    form_fields = ("q", "week", "patrolled")

    week = django_filters.DateFilter(method="filter_nothing", label=_("周（该周任一天）"))
    patrolled = django_filters.BooleanFilter(method="filter_patrolled", label=_("本周已巡查"))
    sort = django_filters.OrderingFilter(
        fields=(("sort_key", "address"),), field_labels={"sort_key": _("地址")}, label=_("排序")
    )

    class Meta:
        model = Building
        fields = ["q", "area", "week", "patrolled"]

    def week_of(self) -> dt.date:
        value = self.form.cleaned_data.get("week") if hasattr(self.form, "cleaned_data") else None
        return value or timezone.localdate()

    def filter_nothing(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset  # read by `patrolled`

    def filter_patrolled(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        q = patrolled_q(self.week_of())
        return queryset.filter(q) if value else queryset.exclude(q)
