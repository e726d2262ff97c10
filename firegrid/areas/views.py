"""Organisation pages: the area tree, departments and units (maintained by the system admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Expression, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView

from . import filters
from .models import Area, Department, Unit

# Figures on the unit list that belong to apps above this one (the registry: the four-category landlords
# a unit employs). Each app hands in a column and the annotation it reads, from its AppConfig.ready().
UNIT_FIGURES: dict[str, tuple[Column, Callable[[], Expression]]] = {}


def register_unit_figure(column: Column, annotation: Callable[[], Expression]) -> None:
    """Add a column to the unit list; `annotation()` gives the queryset annotation named `column.key`."""
    UNIT_FIGURES[column.key] = (column, annotation)


class AreaListView(ObjectListView):
    model = Area
    filterset_class = filters.AreaFilterSet
    select_related = ("parent",)
    columns = [
        Column("name", _("名称"), link=True),
        Column("level", _("层级"), tag=True),
        Column("code", _("行政区划代码")),
        Column("parent.name", _("上级区域")),
    ]


class AreaDetailView(ObjectDetailView):
    model = Area
    template_name = "areas/area_detail.html"
    fields = [
        Column("name", _("名称")),
        Column("level", _("层级")),
        Column("code", _("行政区划代码")),
        Column("parent.name", _("上级区域")),
    ]

    object: Area

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["children"] = self.object.children.order_by("name")
        context["ancestors"] = self.object.ancestors()
        return context


class DepartmentListView(ObjectListView):
    model = Department
    filterset_class = filters.DepartmentFilterSet
    show_area_tree = False
    select_related = ("area",)
    columns = [
        Column("name", _("名称"), link=True),
        Column("kind", _("类别"), tag=True),
        Column("area.name", _("所属区域")),
    ]


class DepartmentDetailView(ObjectDetailView):
    model = Department
    fields = [Column("name", _("名称")), Column("kind", _("类别")), Column("area.name", _("所属区域"))]


class UnitListView(ObjectListView):
    model = Unit
    filterset_class = filters.UnitFilterSet
    show_area_tree = False
    unit_columns = [
        Column("name", _("名称"), link=True),
        Column("kind", _("类别"), tag=True),
        Column("credit_code", _("统一社会信用代码"), default=False),
    ]

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        # Read per request: the figures are registered at ready(), after this class is built.
        self.columns = [*self.unit_columns, *(column for column, _annotation in UNIT_FIGURES.values())]

    def get_queryset(self) -> QuerySet[Unit]:
        figures = {key: annotation() for key, (_column, annotation) in UNIT_FIGURES.items()}
        return super().get_queryset().annotate(**figures)


class UnitDetailView(ObjectDetailView):
    model = Unit
    fields = [
        Column("name", _("名称")),
        Column("kind", _("类别")),
        Column("credit_code", _("统一社会信用代码")),
        Column("contact_name", _("联系人")),
        Column("contact_mobile", _("联系电话")),
    ]
