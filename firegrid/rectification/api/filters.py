"""FilterSets of the documents and enforcement actions the API lists (plans use `..filters.PlanFilterSet`,
shared with the web list)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from firegrid.core.filters import FiregridFilterSet
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst

from ..choices import DocumentKind, DocumentStatus, EnforcementKind
from ..models import Document, EnforcementAction


class DocumentFilterSet(FiregridFilterSet):
    search_fields = ("serial", "plan__premises__building__address", "signed_name")
    area_lookup = "plan__premises__building__grid_id"
    form_fields = ("q", "kind", "status")

    kind = django_filters.MultipleChoiceFilter(choices=DocumentKind.choices, label=_("文书类型"))
    status = django_filters.MultipleChoiceFilter(choices=DocumentStatus.choices, label=_("状态"))
    sort = django_filters.OrderingFilter(
        fields=(("issued_at", "issued_at"), ("serial", "serial")),
        field_labels={"issued_at": _("出具时间"), "serial": _("文号")},
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Document
        fields = ["q", "area", "kind", "status", "plan"]

    def todo_first(self) -> TodoFirst:
        """Documents in force first (a reissued one is replaced), newest first."""
        return TodoFirst(open=Q(status=DocumentStatus.ISSUED), newest=("-issued_at", "-pk"))


class EnforcementActionFilterSet(FiregridFilterSet):
    search_fields = ("premises__building__address", "premises__unit_label", "document_number", "note")
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "kind", "since", "until")

    kind = django_filters.MultipleChoiceFilter(choices=EnforcementKind.choices, label=_("措施"))
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期"))
    sort = django_filters.OrderingFilter(
        fields=(("date", "date"), ("premises__sort_key", "address")),
        field_labels={"date": _("日期"), "premises__sort_key": _("地址")},
        label=_("排序"),
    )

    class Meta:
        model = EnforcementAction
        fields = ["q", "area", "kind", "premises", "plan", "department"]
