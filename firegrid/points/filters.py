"""FilterSets of points: the entry list (积分记录), the landlords' totals (房东积分) and the nominations
(评选提名) — each shared by its page, its .xlsx export, the API and the figures' drill-downs."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Area
from firegrid.core.filters import FiregridFilterSet, IdFilter
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Landlord, Premises

from .choices import AwardKind, PointsBand, PointsRule, Sign
from .evaluation import AWARD_KINDS
from .models import Nomination, PointsEntry


def landlords_in_area_q(area: Area) -> Q:
    """Landlords of an area as the area roles see them (registry's landlord scope): registered in one of
    its grids, or owning a premises there."""
    grids = area.grid_ids()
    owns = Premises.objects.filter(landlord=OuterRef("pk"), building__grid_id__in=grids)
    return Q(area_id__in=grids) | Q(Exists(owns))


def _year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(y, y) for y in range(this_year, this_year - 10, -1)]


class PointsEntryFilterSet(FiregridFilterSet):
    search_fields = ("landlord__name", "reason", "source_label")
    form_fields = ("q", "year", "rule", "sign", "manual")

    year = django_filters.TypedChoiceFilter(choices=_year_choices, coerce=int, label=_("年度"))
    rule = django_filters.MultipleChoiceFilter(choices=PointsRule.choices, label=_("积分规则"))
    sign = django_filters.ChoiceFilter(choices=Sign.choices, method="filter_sign", label=_("加分/扣分"))
    manual = django_filters.BooleanFilter(
        field_name="created_by", lookup_expr="isnull", exclude=True, label=_("人工记录")
    )
    landlord = django_filters.ModelChoiceFilter(queryset=Landlord.objects.all(), label=_("房东"))
    premises = IdFilter(field_name="premises_id", label=_("出租户"))
    occurred_from = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("日期从"))
    occurred_to = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("日期至"))
    sort = django_filters.OrderingFilter(
        fields=(("occurred_on", "occurred_on"), ("amount", "amount")),
        field_labels={"occurred_on": _("发生日期"), "amount": _("分值")},
        label=_("排序"),
    )

    class Meta:
        model = PointsEntry
        fields = ["q", "area", "year", "rule", "sign", "manual", "landlord", "premises"]

    def filter_sign(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == Sign.PLUS:
            return queryset.filter(amount__gt=0)
        if value == Sign.MINUS:
            return queryset.filter(amount__lt=0)
        return queryset

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        if area is None:
            return queryset
        return queryset.filter(landlord__in=Landlord.objects.filter(landlords_in_area_q(area)))

    def default_ordering(self) -> list[str]:
        return ["-occurred_on", "-id"]


class LandlordPointsFilterSet(FiregridFilterSet):
    """Over landlords annotated with `points` for the year (`services.with_points`): the view passes the
    year's queryset; `year` here only names it for the form and the links."""

    search_fields = ("name",)
    form_fields = ("q", "year", "band", "award")

    year = django_filters.TypedChoiceFilter(
        choices=_year_choices, coerce=int, method="filter_nothing", label=_("年度")
    )
    band = django_filters.ChoiceFilter(choices=PointsBand.choices, method="filter_band", label=_("积分档次"))
    award = django_filters.ChoiceFilter(choices=AwardKind.choices, method="filter_award", label=_("评选类别"))
    min_points = django_filters.NumberFilter(field_name="points", lookup_expr="gte", label=_("积分不低于"))
    sort = django_filters.OrderingFilter(
        fields=(("points", "points"), ("name", "name")),
        field_labels={"points": _("积分"), "name": _("姓名")},
        label=_("排序"),
    )

    class Meta:
        model = Landlord
        fields = ["q", "area", "year", "band", "award", "min_points"]

    def filter_nothing(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def filter_band(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # `band` is annotated by services.landlords_with_points with the rule set in force.
        return queryset.filter(band=value) if value else queryset

    def filter_award(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not value:
            return queryset
        holds = Premises.objects.filter(landlord=OuterRef("pk"), kind__in=AWARD_KINDS[value]).exclude(
            status=PremisesStatus.DEMOLISHED
        )
        return queryset.filter(Exists(holds))

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        return queryset.filter(landlords_in_area_q(area)) if area is not None else queryset

    def default_ordering(self) -> list[str]:
        # The ranking: most points first (ties by name, then id, so pages are stable).
        return ["-points", "name", "pk"]


class NominationFilterSet(FiregridFilterSet):
    search_fields = ("landlord__name", "serial")
    form_fields = ("q", "year", "award")

    year = django_filters.TypedChoiceFilter(
        field_name="evaluation__year", choices=_year_choices, coerce=int, label=_("年度")
    )
    award = django_filters.ChoiceFilter(choices=AwardKind.choices, label=_("评选类别"))
    sort = django_filters.OrderingFilter(
        fields=(("rank", "rank"), ("points", "points")),
        field_labels={"rank": _("名次"), "points": _("年度积分")},
        label=_("排序"),
    )

    class Meta:
        model = Nomination
        fields = ["q", "area", "year", "award"]

    def filter_area(self, queryset: QuerySet[Any], name: str, area: Area | None) -> QuerySet[Any]:
        if area is None:
            return queryset
        return queryset.filter(landlord__in=Landlord.objects.filter(landlords_in_area_q(area)))

    def default_ordering(self) -> list[str]:
        return ["-evaluation__year", "award", "rank", "pk"]
