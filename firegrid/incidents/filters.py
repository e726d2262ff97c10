"""The incident FilterSet: the list, its export, and the hotspots' links (area, year, month)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Area
from firegrid.core.filters import FiregridFilterSet

from .choices import IncidentCause, IncidentKind, MatchState
from .models import FireIncident


class FireIncidentFilterSet(FiregridFilterSet):
    search_fields = ("address", "reference")
    form_fields = ("q", "year", "month", "kind", "cause", "match_state")

    year = django_filters.NumberFilter(method="filter_year", label=_("年份"))
    month = django_filters.NumberFilter(method="filter_month", label=_("月份"))
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices, label=_("类别"))
    cause = django_filters.ChoiceFilter(choices=IncidentCause.choices, label=_("起火原因"))
    match_state = django_filters.ChoiceFilter(choices=MatchState.choices, label=_("匹配状态"))

    class Meta:
        model = FireIncident
        fields = ["q", "area", "year", "month", "kind", "cause", "match_state"]

    def filter_area(
        self, queryset: QuerySet[FireIncident], name: str, area: Area | None
    ) -> QuerySet[FireIncident]:
        # Incidents are recorded at any level below the district (a grid when matched, else the area the
        # record gave): the area's whole subtree.
        if area is None:
            return queryset
        return queryset.filter(area__in=Area.objects.subtree(area))

    def _range(self, year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        if month is None:
            return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
        start = dt.datetime(year, month, 1, tzinfo=tz)
        end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
        return start, end

    def filter_year(
        self, queryset: QuerySet[FireIncident], name: str, value: float | None
    ) -> QuerySet[FireIncident]:
        if not value or not 1900 <= int(value) <= 2999:
            return queryset
        month = self.form.cleaned_data.get("month")
        month = int(month) if month and 1 <= int(month) <= 12 else None
        start, end = self._range(int(value), month)
        return queryset.filter(occurred_at__gte=start, occurred_at__lt=end)

    def filter_month(
        self, queryset: QuerySet[FireIncident], name: str, value: float | None
    ) -> QuerySet[FireIncident]:
        return queryset  # applied with the year (a month alone means nothing)

    def default_ordering(self) -> list[str]:
        return ["-occurred_at", "-pk"]
