"""What every FilterSet shares: the area filter (includes descendants), one `q` search, one `sort`."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Area


def visible_areas(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.visible_to(request.user)


class FiregridFilterSet(django_filters.FilterSet):
    """Base FilterSet. Subclasses set `search_fields` and `area_lookup` (path from the model to its grid id).

    Used by the web list, the API, the .xlsx export and figure drill-downs alike.
    """

    search_fields: tuple[str, ...] = ()
    area_lookup: str | None = None

    q = django_filters.CharFilter(method="filter_q", label=_("关键字"))
    area = django_filters.ModelChoiceFilter(queryset=visible_areas, method="filter_area", label=_("区域"))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)

    def filter_area(self, queryset, name, area: Area):
        if area is None or self.area_lookup is None:
            return queryset
        # Passing grid ids directly lets the database use the grid index (see docs/architecture.md).
        return queryset.filter(**{f"{self.area_lookup}__in": area.grid_ids()})
