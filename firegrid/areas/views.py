"""Organisation pages: the area tree, departments and units (maintained by the system admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Expression, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView

from . import filters, outlines
from .forms import OutlineImportForm
from .models import Area, Department, Unit

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

# Figures on the unit list that belong to apps above this one (the registry: the four-category landlords
# a unit employs). Each app hands in a column and the annotation it reads, from its AppConfig.ready().
UNIT_FIGURES: dict[str, tuple[Column, Callable[[], Expression]]] = {}


def register_unit_figure(column: Column, annotation: Callable[[], Expression]) -> None:
    """Add a column to the unit list; `annotation()` gives the queryset annotation named `column.key`."""
    UNIT_FIGURES[column.key] = (column, annotation)


class AreaListView(ObjectListView):
    model = Area
    template_name = "areas/area_list.html"
    filterset_class = filters.AreaFilterSet
    select_related = ("parent",)
    columns = [
        Column("name", _("名称"), link=True),
        Column("level", _("层级"), tag=True),
        Column("code", _("行政区划代码")),
        Column("parent.name", _("上级区域")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_import_outlines"] = can(self.request.user, Action.CHANGE, Area)
        return context


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


class OutlineImportView(LoginRequiredMixin, FormView):
    """区域边界导入: upload a GeoJSON FeatureCollection; every feature is checked and reported, and the
    outlines are written only when none has a problem (firegrid.areas.outlines)."""

    form_class = OutlineImportForm
    template_name = "areas/outline_import.html"
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can(request.user, Action.CHANGE, Area):
            raise PermissionDenied(gettext_now("您的角色无权导入区域边界。"))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: OutlineImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            data = outlines.read_feature_collection(upload.read())
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        report = outlines.import_outlines(
            data,
            actor=self.request.user,
            match=form.cleaned_data["match"],
            dry_run=form.cleaned_data["dry_run"],
            source=upload.name,
        )
        return self.render_to_response(self.get_context_data(form=form, report=report))


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
