"""The self-inspection FilterSets, shared by the staff lists, their exports, the API and the figures'
drill-downs (`figures.py`): self-inspections (自查记录), misses (逾期未自查) and the premises that owe a
period's self-inspection (应自查)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Premises

from .choices import OwedState, SelfInspectionStatus
from .models import SelfInspection, SelfInspectionMiss, SelfInspectionQuerySet
from .owed import has_portal_account, missed, state_q, submitted
from .selfcheck import period_of

PREMISES_SEARCH = ("building__address", "unit_label", "business_name")


class PeriodField(forms.DateField):
    """A period: "2026-03" (what a month input sends) or any day in it, read as the period's first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return period_of(day) if day is not None else None


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(django_filters.DateFilter):
    """自查月份: `2026-03` or a date in the period (`2026-03-01`)."""

    field_class = PeriodField


def _month_input(filterset: FiregridFilterSet) -> None:
    # After FiregridFilterSet made every date field a date input: a period is picked as a month.
    field = filterset.form.fields.get("period")
    if field is not None:
        field.widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class SelfInspectionFilterSet(FiregridFilterSet):
    """房东自查: by area, period, status, drawn for verification, awaiting verification."""

    search_fields = tuple(f"premises__{name}" for name in PREMISES_SEARCH)
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "period", "status", "drawn", "awaiting")

    period = PeriodFilter(field_name="period", label=_("自查月份"))
    status = django_filters.MultipleChoiceFilter(choices=SelfInspectionStatus.choices, label=_("状态"))
    drawn = django_filters.BooleanFilter(
        field_name="draw", lookup_expr="isnull", exclude=True, label=_("抽中核实")
    )
    awaiting = django_filters.BooleanFilter(method="filter_awaiting", label=_("待核实"))
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    sort = django_filters.OrderingFilter(
        fields=(("period", "period"), ("submitted_at", "submitted_at")),
        field_labels={"period": _("自查月份"), "submitted_at": _("提交时间")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = SelfInspection
        fields = ["q", "area", "period", "status", "drawn", "awaiting", "premises"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _month_input(self)

    def todo_first(self) -> TodoFirst:
        """Self-inspections drawn for verification and not yet visited first (the grid workers' to-do)."""
        waiting = SelfInspection.objects.awaiting_verification().values("pk")
        return TodoFirst(open=Q(pk__in=waiting), newest=("-period", "-submitted_at", "-pk"))

    def filter_awaiting(
        self, queryset: SelfInspectionQuerySet, name: str, value: bool | None
    ) -> SelfInspectionQuerySet:
        if value is None:
            return queryset
        waiting = queryset.awaiting_verification()
        return waiting if value else queryset.exclude(pk__in=waiting.values("pk"))


class SelfInspectionMissFilterSet(FiregridFilterSet):
    """逾期未自查: by area, period, premises, reminded or not."""

    search_fields = tuple(f"premises__{name}" for name in PREMISES_SEARCH)
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "period", "reminded")

    period = PeriodFilter(field_name="period", label=_("自查月份"))
    reminded = django_filters.BooleanFilter(
        field_name="reminded_at", lookup_expr="isnull", exclude=True, label=_("已提醒")
    )
    premises = IdFilter(field_name="premises_id", label=_("出租户"))

    class Meta:
        model = SelfInspectionMiss
        fields = ["q", "area", "period", "reminded", "premises"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _month_input(self)


class OwedPremisesFilterSet(FiregridFilterSet):
    """应自查: the premises that owe a period's self-inspection (`owed.py`; the current period when none is
    given), by state — submitted, not submitted, recorded as missed — or the premises in use whose landlord
    has no portal account and so owes none."""

    search_fields = PREMISES_SEARCH
    area_lookup = "building__grid_id"
    form_fields = ("q", "period", "state", "kind")

    period = PeriodFilter(method="keep", label=_("自查月份"))
    state = django_filters.ChoiceFilter(choices=OwedState.choices, method="keep", label=_("自查情况"))
    kind = django_filters.ChoiceFilter(choices=PremisesKind.choices, label=_("出租户类型"))

    class Meta:
        model = Premises
        fields = ["q", "area", "period", "state", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _month_input(self)

    def keep(self, queryset: QuerySet[Premises], name: str, value: object) -> QuerySet[Premises]:
        return queryset  # period and state are applied together in filter_queryset

    def chosen_period(self) -> dt.date:
        data = getattr(self.form, "cleaned_data", {})
        period: dt.date | None = data.get("period")
        return period or period_of(timezone.localdate())

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        period = self.chosen_period()
        state = self.form.cleaned_data.get("state") or ""
        return queryset.filter(state_q(state, period, timezone.localdate())).annotate(
            self_inspected=submitted(period), self_missed=missed(period), portal_account=has_portal_account()
        )
