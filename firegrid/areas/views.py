"""Organisation pages: the area tree, departments and units (maintained by the system admin)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView
from firegrid.registry.models import four_category_q

from . import filters
from .models import Area, Department, Unit


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

    def get_context_data(self, **kwargs):
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
    columns = [
        Column("name", _("名称"), link=True),
        Column("kind", _("类别"), tag=True),
        Column("credit_code", _("统一社会信用代码"), default=False),
        Column("landlord_count", _("四类人员房东"), value=lambda u: u.landlord_count),
    ]

    def get_queryset(self):
        four_category = four_category_q("landlords__")
        return (
            super()
            .get_queryset()
            .annotate(landlord_count=Count("landlords", filter=four_category, distinct=True))
        )


class UnitDetailView(ObjectDetailView):
    model = Unit
    fields = [
        Column("name", _("名称")),
        Column("kind", _("类别")),
        Column("credit_code", _("统一社会信用代码")),
        Column("contact_name", _("联系人")),
        Column("contact_mobile", _("联系电话")),
    ]
