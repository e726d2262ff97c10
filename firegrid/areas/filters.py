"""FilterSets for the organisation: areas, departments, units."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet

from .choices import AreaLevel, DepartmentKind, UnitKind
from .models import Area, Department, Unit


class AreaFilterSet(FiregridFilterSet):
    search_fields = ("name", "code")
    form_fields = ("q", "level")

    level = django_filters.MultipleChoiceFilter(choices=AreaLevel.choices, label=_("层级"))

    class Meta:
        model = Area
        fields = ["q", "level", "parent"]

    def filter_area(self, queryset: QuerySet[Area], name: str, area: Area | None) -> QuerySet[Area]:
        return queryset.filter(path__startswith=area.path) if area else queryset


class DepartmentFilterSet(FiregridFilterSet):
    search_fields = ("name",)
    form_fields = ("q", "kind")
    kind = django_filters.MultipleChoiceFilter(choices=DepartmentKind.choices, label=_("类别"))

    class Meta:
        model = Department
        fields = ["q", "kind"]


class UnitFilterSet(FiregridFilterSet):
    search_fields = ("name", "credit_code")
    form_fields = ("q", "kind")
    area_lookup = None
    kind = django_filters.MultipleChoiceFilter(choices=UnitKind.choices, label=_("类别"))

    class Meta:
        model = Unit
        fields = ["q", "kind"]
