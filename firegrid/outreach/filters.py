"""One FilterSet per listed outreach model: the web lists, exports and drill-downs use these."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from firegrid.areas.models import Area
from firegrid.core.filters import FiregridFilterSet

from .choices import BookingStatus, Trade
from .models import Booking, Contractor


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

    def filter_area(self, queryset, name, area: Area):
        # Contractors covering the area whole (serving it or an ancestor) and those serving part of it.
        return queryset.overlapping(area) if area is not None else queryset


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
