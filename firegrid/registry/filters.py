"""One FilterSet per registry model: web lists, API, exports and drill-downs all use these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst

from .choices import BuildingStructure, BuildingUse, FourCategory, PremisesKind, PremisesStatus, RoomUse
from .models import FOUR_CATEGORY_Q, Building, Landlord, Premises, Room, TenantHousehold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The `survey` filter (排查) of the building, premises and room lists: the drill-downs of the survey
# coverage page. The values and their labels are the lists' own; what each value selects is the
# inspections app's definition of coverage (firegrid.inspections.coverage). Inspections sits above the
# registry, so it hands its filters in from InspectionsConfig.ready() instead of being imported here.
# Each function takes the list's queryset and the instant coverage is counted at (`survey_at`; None: now).
SurveyFilters = dict[str, Callable[[QuerySet, dt.datetime | None], QuerySet]]
SURVEY_FILTERS: dict[str, SurveyFilters] = {}  # model label → survey value → queryset filter


class SurveyFilter(django_filters.ChoiceFilter):
    def __init__(self, *, choices: list[tuple[str, StrOrPromise]]) -> None:
        super().__init__(choices=choices, label=_("排查"))

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        at = self.parent.form.cleaned_data.get("survey_at") if self.parent is not None else None
        return SURVEY_FILTERS[qs.model._meta.label_lower][value](qs, at)


def survey_at_filter() -> django_filters.IsoDateTimeFilter:
    """`survey_at`: count the `survey` filter as coverage stood at this instant (a daily report's
    drill-down: the survey figure of its day). It selects nothing by itself."""
    return django_filters.IsoDateTimeFilter(method=lambda qs, name, value: qs, label=_("排查截至"))


def to_verify_filter() -> django_filters.ChoiceFilter:
    """`to_verify=1`: records with fields still to verify (待核实: a ledger import could not fill them)."""
    return django_filters.ChoiceFilter(
        choices=[("1", _("待核实"))], method=filter_to_verify, label=_("待核实"), empty_label=_("全部")
    )


def filter_to_verify(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return queryset.exclude(to_verify=[]) if value == "1" else queryset


def register_survey_filters(filterset: type[FiregridFilterSet], filters: SurveyFilters) -> None:
    """Install what each `survey` value of a registry list selects: one function per value it offers."""
    offered = {value for value, _label in filterset.base_filters["survey"].extra["choices"]}
    if set(filters) != offered:
        raise ImproperlyConfigured(
            f"{filterset.__name__}: survey filters {sorted(filters)}, offered {sorted(offered)}"
        )
    SURVEY_FILTERS[filterset._meta.model._meta.label_lower] = dict(filters)


class BuildingFilterSet(FiregridFilterSet):
    search_fields = ("address", "name")
    area_lookup = "grid_id"
    form_fields = ("q", "structure", "use", "survey", "to_verify")
    to_verify = to_verify_filter()

    survey = SurveyFilter(choices=[("complete", _("已排查完")), ("incomplete", _("未排查完"))])
    survey_at = survey_at_filter()

    structure = django_filters.MultipleChoiceFilter(choices=BuildingStructure.choices, label=_("结构"))
    use = django_filters.MultipleChoiceFilter(choices=BuildingUse.choices, label=_("用途"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("sort_key", "address"),  # natural order: 1号, 2号, 10号
            ("floors", "floors"),
            ("year_built", "year_built"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "sort_key": _("地址"),
            "floors": _("层数"),
            "year_built": _("建成年份"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Building
        fields = ["q", "area", "structure", "use", "grid", "survey", "survey_at", "to_verify"]


class PremisesFilterSet(FiregridFilterSet):
    search_fields = ("building__address", "unit_label", "business_name", "landlord__name")
    area_lookup = "building__grid_id"
    form_fields: tuple[str, ...] = (
        "q",
        "kind",
        "status",
        "is_shared_rental",
        "four_category",
        "survey",
        "to_verify",
    )
    to_verify = to_verify_filter()

    survey = SurveyFilter(
        choices=[
            ("covered", _("已排查")),
            ("uncovered", _("未排查")),
            ("never", _("从未上门")),
            ("return", _("待回访")),
        ],
    )
    survey_at = survey_at_filter()

    kind = django_filters.MultipleChoiceFilter(choices=PremisesKind.choices, label=_("类型"))
    status = django_filters.MultipleChoiceFilter(choices=PremisesStatus.choices, label=_("状态"))
    is_shared_rental = django_filters.BooleanFilter(label=_("群租房"))
    four_category = django_filters.BooleanFilter(method="filter_four_category", label=_("四类人员房东"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("sort_key", "address"),  # natural order of the building address, then the door label
            ("kind", "kind"),
            ("floor_area_m2", "floor_area_m2"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "sort_key": _("地址"),
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
            "survey_at",
            "to_verify",
        ]

    def filter_four_category(
        self, queryset: QuerySet[Premises], name: str, value: bool | None
    ) -> QuerySet[Premises]:
        if value is None:
            return queryset
        landlords = Landlord.objects.filter(FOUR_CATEGORY_Q).values("pk")
        return queryset.filter(landlord__in=landlords) if value else queryset.exclude(landlord__in=landlords)


class RoomFilterSet(FiregridFilterSet):
    search_fields = ("number", "premises__unit_label", "premises__building__address")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "use", "has_window", "survey")

    survey = SurveyFilter(choices=[("inspected", _("已查")), ("uninspected", _("未查"))])
    survey_at = survey_at_filter()

    use = django_filters.MultipleChoiceFilter(choices=RoomUse.choices, label=_("用途"))
    has_window = django_filters.BooleanFilter(label=_("有外窗"))
    sort = django_filters.OrderingFilter(
        fields=(("sort_key", "number"), ("area_m2", "area_m2"), ("occupants", "occupants")),
        field_labels={"sort_key": _("房间号"), "area_m2": _("面积"), "occupants": _("人数")},
        label=_("排序"),
    )

    class Meta:
        model = Room
        fields = ["q", "area", "use", "has_window", "premises", "survey", "survey_at"]


class LandlordFilterSet(FiregridFilterSet):
    search_fields = ("name", "address")
    area_lookup = "area_id"
    form_fields: tuple[str, ...] = ("q", "four_category", "category", "to_verify")
    to_verify = to_verify_filter()

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
        fields = ["q", "area", "four_category", "category", "employer_unit", "to_verify"]

    def filter_four_category(
        self, queryset: QuerySet[Landlord], name: str, value: bool | None
    ) -> QuerySet[Landlord]:
        if value is None:
            return queryset
        return queryset.filter(FOUR_CATEGORY_Q) if value else queryset.exclude(FOUR_CATEGORY_Q)

    def filter_category(self, queryset: QuerySet[Landlord], name: str, value: str) -> QuerySet[Landlord]:
        return queryset.filter(**{value: True}) if value else queryset


class TenantHouseholdFilterSet(FiregridFilterSet):
    search_fields = ("head_name", "premises__building__address", "premises__unit_label")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "current")

    current = django_filters.BooleanFilter(method="filter_current", label=_("在住"))
    awaiting = django_filters.BooleanFilter(method="filter_awaiting", label=_("待核实"))
    sort = django_filters.OrderingFilter(
        fields=(("head_name", "head_name"), ("moved_in", "moved_in"), ("people", "people")),
        field_labels={"head_name": _("户主"), "moved_in": _("入住日期"), "people": _("人数")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = TenantHousehold
        fields = ["q", "area", "current", "awaiting", "premises", "room"]

    def todo_first(self) -> TodoFirst:
        """Moves a landlord reported and nobody has confirmed yet on top (新上报), then the households
        living there now, then those gone; inside each, the list's own order."""
        # The queryset's own definitions, as subqueries the database computes once for the page.
        households = TenantHousehold.objects
        return TodoFirst(
            flagged=Q(pk__in=households.awaiting_confirmation().values("pk")),
            badge=_("新上报"),
            open=Q(pk__in=households.current().values("pk")),
            # The model's own order (its ordering names fields only).
            newest=tuple(cast("list[str]", TenantHousehold._meta.ordering)),
        )

    def filter_awaiting(
        self, queryset: QuerySet[TenantHousehold], name: str, value: bool | None
    ) -> QuerySet[TenantHousehold]:
        if value is None:
            return queryset
        awaiting = queryset.model.objects.awaiting_confirmation().values("pk")
        return queryset.filter(pk__in=awaiting) if value else queryset.exclude(pk__in=awaiting)

    def filter_current(
        self, queryset: QuerySet[TenantHousehold], name: str, value: bool | None
    ) -> QuerySet[TenantHousehold]:
        if value is None:
            return queryset
        current = queryset.model.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class TenantMoveFilterSet(TenantHouseholdFilterSet):
    """The tenant moves awaiting confirmation (待核实): the rows are already those; filter by kind of move."""

    form_fields = ("q", "move")

    move = django_filters.ChoiceFilter(
        method="filter_move", choices=(("in", _("入住")), ("out", _("搬离"))), label=_("变动")
    )

    class Meta:
        model = TenantHousehold
        fields = ["q", "area", "move", "premises"]

    def filter_move(
        self, queryset: QuerySet[TenantHousehold], name: str, value: str
    ) -> QuerySet[TenantHousehold]:
        if value == "out":
            return queryset.filter(move_out_reported_at__isnull=False)
        if value == "in":
            return queryset.filter(move_out_reported_at__isnull=True)
        return queryset
