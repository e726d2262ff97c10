"""One FilterSet per registry model: web lists, API, exports and drill-downs all use these."""

import django_filters
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet
from firegrid.inspections.coverage import BUILDING_SURVEY, PREMISES_SURVEY, ROOM_SURVEY

from .choices import BuildingStructure, BuildingUse, FourCategory, PremisesKind, PremisesStatus, RoomUse
from .models import FOUR_CATEGORY_Q, Building, Landlord, Premises, Room, TenantHousehold


class BuildingFilterSet(FiregridFilterSet):
    search_fields = ("address", "name")
    area_lookup = "grid_id"
    form_fields = ("q", "structure", "use", "survey")

    survey = django_filters.ChoiceFilter(
        choices=[("complete", _("已排查完")), ("incomplete", _("未排查完"))],
        method="filter_survey",
        label=_("排查"),
    )

    structure = django_filters.MultipleChoiceFilter(choices=BuildingStructure.choices, label=_("结构"))
    use = django_filters.MultipleChoiceFilter(choices=BuildingUse.choices, label=_("用途"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("address", "address"),
            ("floors", "floors"),
            ("year_built", "year_built"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "address": _("地址"),
            "floors": _("层数"),
            "year_built": _("建成年份"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Building
        fields = ["q", "area", "structure", "use", "grid", "survey"]

    def filter_survey(self, queryset, name, value):
        return BUILDING_SURVEY[value](queryset) if value else queryset


class PremisesFilterSet(FiregridFilterSet):
    search_fields = ("building__address", "unit_label", "business_name", "landlord__name")
    area_lookup = "building__grid_id"
    form_fields = ("q", "kind", "status", "is_shared_rental", "four_category", "survey")

    survey = django_filters.ChoiceFilter(
        choices=[
            ("covered", _("已排查")),
            ("uncovered", _("未排查")),
            ("never", _("从未上门")),
            ("return", _("待回访")),
        ],
        method="filter_survey",
        label=_("排查"),
    )

    kind = django_filters.MultipleChoiceFilter(choices=PremisesKind.choices, label=_("类型"))
    status = django_filters.MultipleChoiceFilter(choices=PremisesStatus.choices, label=_("状态"))
    is_shared_rental = django_filters.BooleanFilter(label=_("群租房"))
    four_category = django_filters.BooleanFilter(method="filter_four_category", label=_("四类人员房东"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("building__address", "address"),
            ("kind", "kind"),
            ("floor_area_m2", "floor_area_m2"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "building__address": _("地址"),
            "kind": _("类型"),
            "floor_area_m2": _("面积"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Premises
        fields = [
            "q",
            "area",
            "kind",
            "status",
            "is_shared_rental",
            "four_category",
            "building",
            "landlord",
            "survey",
        ]

    def filter_survey(self, queryset, name, value):
        return PREMISES_SURVEY[value](queryset) if value else queryset

    def filter_four_category(self, queryset, name, value):
        if value is None:
            return queryset
        landlords = Landlord.objects.filter(FOUR_CATEGORY_Q).values("pk")
        return queryset.filter(landlord__in=landlords) if value else queryset.exclude(landlord__in=landlords)


class RoomFilterSet(FiregridFilterSet):
    search_fields = ("number", "premises__unit_label", "premises__building__address")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "use", "has_window", "survey")

    survey = django_filters.ChoiceFilter(
        choices=[("inspected", _("已查")), ("uninspected", _("未查"))],
        method="filter_survey",
        label=_("排查"),
    )

    use = django_filters.MultipleChoiceFilter(choices=RoomUse.choices, label=_("用途"))
    has_window = django_filters.BooleanFilter(label=_("有外窗"))
    sort = django_filters.OrderingFilter(
        fields=(("number", "number"), ("area_m2", "area_m2"), ("occupants", "occupants")),
        field_labels={"number": _("房间号"), "area_m2": _("面积"), "occupants": _("人数")},
        label=_("排序"),
    )

    class Meta:
        model = Room
        fields = ["q", "area", "use", "has_window", "premises", "survey"]

    def filter_survey(self, queryset, name, value):
        return ROOM_SURVEY[value](queryset) if value else queryset


class LandlordFilterSet(FiregridFilterSet):
    search_fields = ("name", "address")
    area_lookup = "area_id"
    form_fields = ("q", "four_category", "category")

    four_category = django_filters.BooleanFilter(method="filter_four_category", label=_("四类人员"))
    category = django_filters.ChoiceFilter(
        choices=FourCategory.choices, method="filter_category", label=_("类别")
    )
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated_at")),
        field_labels={"name": _("姓名"), "updated_at": _("更新时间")},
        label=_("排序"),
    )

    class Meta:
        model = Landlord
        fields = ["q", "area", "four_category", "category", "employer_unit"]

    def filter_four_category(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(FOUR_CATEGORY_Q) if value else queryset.exclude(FOUR_CATEGORY_Q)

    def filter_category(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value else queryset


class TenantHouseholdFilterSet(FiregridFilterSet):
    search_fields = ("head_name", "premises__building__address", "premises__unit_label")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "current")

    current = django_filters.BooleanFilter(method="filter_current", label=_("在住"))
    sort = django_filters.OrderingFilter(
        fields=(("head_name", "head_name"), ("moved_in", "moved_in"), ("people", "people")),
        field_labels={"head_name": _("户主"), "moved_in": _("入住日期"), "people": _("人数")},
        label=_("排序"),
    )

    class Meta:
        model = TenantHousehold
        fields = ["q", "area", "current", "premises", "room"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.model.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)
