"""One FilterSet per listed outreach model: the web lists, exports and drill-downs use these."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from firegrid.areas.models import Area
from firegrid.campaigns.models import Campaign
from firegrid.core.filters import FiregridFilterSet

from .choices import BookingStatus, Trade
from .models import (
    Booking,
    Contractor,
    ContractorQuerySet,
    OutreachKind,
    OutreachRecord,
    OutreachRecordQuerySet,
)


class ContractorFilterSet(FiregridFilterSet):
    search_fields = ("name", "company", "qualification")
    form_fields = ("q", "trade", "is_active")

    # The directory is public, and so is the area tree it is filtered by: a landlord looks for the
    # contractors of their own subdistrict without seeing any area's records.
    area = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(queryset=Area.objects.all(), method="filter_area", label=_("区域"))
    )
    trade = django_filters.MultipleChoiceFilter(choices=Trade.choices, label=_("工种"))
    is_active = django_filters.BooleanFilter(label=_("在册"))
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("trade", "trade"), ("updated_at", "updated_at")),
        field_labels={"name": _("名称"), "trade": _("工种"), "updated_at": _("更新时间")},
        label=_("排序"),
    )

    class Meta:
        model = Contractor
        fields = ["q", "area", "trade", "is_active"]

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        # Contractors covering the area whole (serving it or an ancestor) and those serving part of it.
        contractors = cast(ContractorQuerySet, queryset)  # this FilterSet filters contractors only
        return contractors.overlapping(area) if area is not None else queryset


class BookingFilterSet(FiregridFilterSet):
    search_fields = ("slot__contractor__name", "plan__premises__building__address", "note")
    area_lookup = "plan__premises__building__grid_id"
    form_fields = ("q", "status", "trade")

    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices, label=_("状态"))
    trade = django_filters.MultipleChoiceFilter(
        field_name="slot__contractor__trade", choices=Trade.choices, label=_("工种")
    )
    contractor = django_filters.ModelChoiceFilter(
        field_name="slot__contractor", queryset=Contractor.objects.all(), label=_("施工单位")
    )
    sort = django_filters.OrderingFilter(
        fields=(("slot__starts_at", "starts_at"), ("status", "status"), ("created_at", "created_at")),
        field_labels={"slot__starts_at": _("预约时间"), "status": _("状态"), "created_at": _("创建时间")},
        label=_("排序"),
    )

    class Meta:
        model = Booking
        fields = ["q", "area", "status", "trade", "contractor", "plan"]


class OutreachRecordFilterSet(FiregridFilterSet):
    search_fields = ("audience", "material", "note")
    form_fields = ("q", "kind", "campaign", "held_from", "held_to")

    kind = django_filters.MultipleChoiceFilter(choices=OutreachKind.choices, label=_("宣传形式"))
    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("日期自"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("日期至"))
    sort = django_filters.OrderingFilter(
        fields=(("held_on", "held_on"), ("kind", "kind"), ("created_at", "created_at")),
        field_labels={"held_on": _("日期"), "kind": _("宣传形式"), "created_at": _("创建时间")},
        label=_("排序"),
    )

    class Meta:
        model = OutreachRecord
        fields = ["q", "area", "kind", "campaign", "held_from", "held_to"]

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        # Records sit on any level (a district fair, a community meeting): the area and its subtree.
        records = cast(OutreachRecordQuerySet, queryset)  # this FilterSet filters outreach records only
        return records.within(area) if area is not None else queryset
