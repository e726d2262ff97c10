"""One FilterSet per monitoring list: web lists, API, exports and the figures' drill-downs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst

from .choices import OPEN_STATES, CaseOutcome, CaseState, DeviceKind, DeviceState
from .models import AlertCase, Device


class DeviceFilterSet(FiregridFilterSet):
    search_fields = (
        "serial",
        "device_model",
        "installer",
        "premises__unit_label",
        "premises__building__address",
    )
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "state", "kind")

    state = django_filters.MultipleChoiceFilter(choices=DeviceState.choices, label=_("状态"))
    kind = django_filters.MultipleChoiceFilter(choices=DeviceKind.choices, label=_("类型"))
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    building = IdFilter(field_name="premises__building_id", label=_("建筑"))
    sort = django_filters.OrderingFilter(
        fields=(("serial", "serial"), ("last_heartbeat_at", "last_heartbeat_at"), ("state", "state")),
        field_labels={"serial": _("设备编号"), "last_heartbeat_at": _("最后心跳"), "state": _("状态")},
        label=_("排序"),
    )

    class Meta:
        model = Device
        fields = ["q", "area", "state", "kind", "premises", "building"]


class AlertCaseFilterSet(FiregridFilterSet):
    search_fields = ("device__serial", "premises__unit_label", "premises__building__address", "note")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "state", "kind", "outcome", "since", "until")

    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices, label=_("状态"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("未办结"))
    kind = django_filters.MultipleChoiceFilter(choices=DeviceKind.choices, label=_("传感器类型"))
    outcome = django_filters.ChoiceFilter(choices=CaseOutcome.choices, label=_("核查结论"))
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label=_("已响应")
    )
    closed = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", exclude=True, label=_("已办结")
    )
    since = django_filters.DateFilter(method="filter_since", label=_("报警日期从"))
    until = django_filters.DateFilter(method="filter_until", label=_("报警日期至"))
    device = IdFilter(field_name="device_id", label=_("传感器"))
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    sort = django_filters.OrderingFilter(
        fields=(("opened_at", "opened_at"), ("last_alarm_at", "last_alarm_at")),
        field_labels={"opened_at": _("报警时间"), "last_alarm_at": _("最近报警")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = AlertCase
        fields = [
            "q",
            "area",
            "state",
            "open",
            "kind",
            "outcome",
            "acknowledged",
            "closed",
            "device",
            "premises",
        ]

    # Dates are local days (Asia/Shanghai), turned into an instant range so the index on opened_at serves.
    @staticmethod
    def _day_start(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_since(self, queryset: QuerySet[Any], name: str, value: dt.date | None) -> QuerySet[Any]:
        return queryset.filter(opened_at__gte=self._day_start(value)) if value else queryset

    def filter_until(self, queryset: QuerySet[Any], name: str, value: dt.date | None) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(opened_at__lt=self._day_start(value + dt.timedelta(days=1)))

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(state__in=OPEN_STATES) if value else queryset.exclude(state__in=OPEN_STATES)

    def todo_first(self) -> TodoFirst:
        """Cases nobody has taken yet on top (flagged), then the others not closed, newest first."""
        return TodoFirst(
            open=Q(state__in=OPEN_STATES),
            newest=("-opened_at", "-pk"),
            flagged=Q(state=CaseState.OPEN),
            badge=_("待响应"),
        )
