"""Registry pages: thin declarations over the base views in firegrid.core.views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from firegrid.areas.choices import AREA_ROLES
from firegrid.areas.models import User
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView, ScopedMixin

from . import filters, services
from .models import Building, Landlord, Premises, Room, TenantHousehold, four_category_q

# Parts of the premises page that apps above the registry supply (inspections: start a visit, hazards
# by bucket, past visits). Each registers, from its AppConfig.ready(), a function (premises, user) →
# template context; registry/premises_detail.html renders what they give.
PremisesPagePart = Callable[[Premises, User], dict[str, Any]]
PREMISES_PAGE_PARTS: dict[str, PremisesPagePart] = {}


def register_premises_page_part(name: str, context: PremisesPagePart) -> None:
    PREMISES_PAGE_PARTS[name] = context


# The unit list (areas app, below the registry) shows how many four-category landlords each unit
# employs; RegistryConfig.ready() hands it this column and its annotation (areas.views.register_unit_figure).
UNIT_LANDLORDS_COLUMN = Column("landlord_count", _("四类人员房东"), value=lambda u: u.landlord_count)


def unit_landlord_count() -> Count:
    return Count("landlords", filter=four_category_q("landlords__"), distinct=True)


BUILDING_COLUMNS = [
    Column("address", _("地址"), link=True, sort="address"),
    Column("name", _("楼名/幢号")),
    Column("grid.name", _("网格")),
    Column("floors", _("层数"), sort="floors"),
    Column("structure", _("结构")),
    Column("use", _("用途"), default=False),
    Column("year_built", _("建成年份"), sort="year_built", default=False),
    Column("premises_count", _("出租户数"), value=lambda b: b.premises_count),
]

PREMISES_COLUMNS = [
    Column("building.address", _("地址"), link=True, sort="address"),
    Column("unit_label", _("门牌/户号"), link=True),
    Column("kind", _("类型"), sort="kind", tag=True),
    Column("business_name", _("字号"), default=False),
    Column("is_shared_rental", _("群租房")),
    Column("floor_area_m2", _("面积 (m²)"), sort="floor_area_m2"),
    Column("landlord.name", _("房东")),
    Column("building.grid.name", _("网格")),
    Column("status", _("状态"), tag=True),
]

ROOM_COLUMNS = [
    Column("number", _("房间号"), link=True, sort="number"),
    Column("premises", _("出租户"), value=lambda r: str(r.premises)),
    Column("area_m2", _("面积 (m²)"), sort="area_m2"),
    Column("use", _("用途")),
    Column("occupants", _("人数"), sort="occupants"),
    Column("has_window", _("有外窗")),
]

LANDLORD_COLUMNS = [
    Column("name", _("姓名"), link=True, sort="name"),
    Column("id_number", _("身份证号码")),
    Column("mobile", _("手机号码")),
    Column("four_category", _("四类人员"), value=lambda o: enumerate_items(o.four_category_labels())),
    Column("employer_unit.name", _("工作单位")),
    Column("area.name", _("登记网格")),
    Column("address", _("住址"), default=False),
]

TENANT_COLUMNS = [
    Column("head_name", _("户主"), link=True, sort="head_name"),
    Column("id_number", _("身份证号码")),
    Column("mobile", _("手机号码")),
    Column("people", _("人数"), sort="people"),
    Column("premises", _("出租户"), value=lambda t: str(t.premises), truncate=True),
    Column("room.number", _("房间")),
    Column("moved_in", _("入住日期"), sort="moved_in"),
    Column("moved_out", _("搬离日期")),
]


TO_VERIFY_LIST = "registry/to_verify_list.html"


def to_verify_count(model: type[Building] | type[Premises] | type[Landlord], user: User) -> int:
    """Records in the user's scope with fields still to verify (待核实): the list toolbar's link and count
    (one COUNT over the scoped queryset; the filter `to_verify=1` lists them)."""
    return model.objects.visible_to(user).exclude(to_verify=[]).count()


class BuildingListView(ObjectListView):
    request: AuthedHttpRequest
    model = Building
    template_name = TO_VERIFY_LIST

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "to_verify_count": to_verify_count(Building, self.request.user),
        }

    filterset_class = filters.BuildingFilterSet
    columns = BUILDING_COLUMNS
    select_related = ("grid",)

    def get_queryset(self) -> QuerySet[Building]:
        return super().get_queryset().annotate(premises_count=Count("premises"))


class PremisesListView(ObjectListView):
    request: AuthedHttpRequest
    model = Premises
    template_name = TO_VERIFY_LIST

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "to_verify_count": to_verify_count(Premises, self.request.user),
        }

    filterset_class = filters.PremisesFilterSet
    columns = PREMISES_COLUMNS
    select_related = ("building__grid", "landlord")


class RoomListView(ObjectListView):
    model = Room
    filterset_class = filters.RoomFilterSet
    columns = ROOM_COLUMNS
    select_related = ("premises__building",)


class LandlordListView(ObjectListView):
    request: AuthedHttpRequest
    model = Landlord
    template_name = TO_VERIFY_LIST

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "to_verify_count": to_verify_count(Landlord, self.request.user),
        }

    filterset_class = filters.LandlordFilterSet
    columns = LANDLORD_COLUMNS
    select_related = ("employer_unit", "area")


class TenantHouseholdListView(ObjectListView):
    model = TenantHousehold
    filterset_class = filters.TenantHouseholdFilterSet
    columns = TENANT_COLUMNS
    select_related = ("premises__building", "room")


class BuildingDetailView(ObjectDetailView):
    request: AuthedHttpRequest
    object: Building
    model = Building
    template_name = "registry/building_detail.html"
    select_related = ("grid",)
    fields = [
        Column("address", _("地址")),
        Column("name", _("楼名/幢号")),
        Column(
            "grid",
            _("网格"),
            value=lambda b: " / ".join([*(a.name for a in b.grid.ancestors()), b.grid.name]),
        ),
        Column("floors", _("地上层数")),
        Column("height_m", _("建筑高度 (m)")),
        Column("structure", _("结构")),
        Column("use", _("用途")),
        Column("year_built", _("建成年份")),
        Column(
            "coordinates", _("坐标"), value=lambda b: f"{b.latitude}, {b.longitude}" if b.latitude else ""
        ),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        premises = Premises.objects.visible_to(self.request.user).filter(building=self.object)
        context["premises_list"] = premises.select_related("landlord").annotate(
            room_count=Count("rooms", distinct=True),
        )
        return context


def to_verify_labels(obj: Building | Premises | Landlord) -> str:
    """The fields of a record still to verify (待核实), by their labels: "建筑面积 (m²)、字号/经营名称"."""
    return enumerate_items(
        str(getattr(obj._meta.get_field(name), "verbose_name", name)) for name in obj.to_verify or []
    )


class PremisesDetailView(ObjectDetailView):
    request: AuthedHttpRequest
    object: Premises
    model = Premises
    template_name = "registry/premises_detail.html"
    select_related = ("building__grid", "landlord__employer_unit")
    fields = [
        Column("building.address", _("地址")),
        Column("unit_label", _("门牌/户号")),
        Column("kind", _("类型")),
        Column("business_name", _("字号/经营名称")),
        Column("is_shared_rental", _("群租房")),
        Column("floors", _("楼层"), value=lambda p: f"{p.floor_from}–{p.floor_to}"),
        Column("floor_area_m2", _("建筑面积 (m²)")),
        Column("landlord.name", _("房东")),
        Column("status", _("状态")),
        Column("building.grid.name", _("网格")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["rooms"] = Room.objects.visible_to(user).filter(premises=self.object)
        context["tenants"] = (
            TenantHousehold.objects.visible_to(user).filter(premises=self.object).select_related("room")
        )
        context["occupancy"] = services.occupancy(self.object)
        context["to_verify_labels"] = to_verify_labels(self.object)
        for part in PREMISES_PAGE_PARTS.values():
            context.update(part(self.object, user))
        return context


class RoomDetailView(ObjectDetailView):
    model = Room
    select_related = ("premises__building",)
    fields = [
        Column("premises", _("出租户"), value=lambda r: str(r.premises)),
        Column("number", _("房间号")),
        Column("area_m2", _("使用面积 (m²)")),
        Column("use", _("用途")),
        Column("occupants", _("居住人数")),
        Column("has_window", _("有外窗")),
    ]


class LandlordDetailView(ObjectDetailView):
    request: AuthedHttpRequest
    object: Landlord
    model = Landlord
    template_name = "registry/landlord_detail.html"
    select_related = ("employer_unit", "area")
    fields = [
        Column("name", _("姓名")),
        Column("id_number", _("身份证号码")),
        Column("mobile", _("手机号码")),
        Column("address", _("住址")),
        Column(
            "four_category",
            _("四类人员"),
            value=lambda o: enumerate_items(o.four_category_labels()) or gettext("否"),
        ),
        Column("employer_unit.name", _("工作单位")),
        Column("area.name", _("登记网格")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["premises_list"] = (
            Premises.objects.visible_to(self.request.user)
            .filter(landlord=self.object)
            .select_related("building")
        )
        context["to_verify_labels"] = to_verify_labels(self.object)
        return context


class TenantHouseholdDetailView(ObjectDetailView):
    model = TenantHousehold
    select_related = ("premises__building", "room")
    fields = [
        Column("head_name", _("户主姓名")),
        Column("id_number", _("身份证号码")),
        Column("mobile", _("手机号码")),
        Column("people", _("人数")),
        Column("premises", _("出租户"), value=lambda t: str(t.premises)),
        Column("room.number", _("房间")),
        Column("moved_in", _("入住日期")),
        Column("moved_out", _("搬离日期")),
    ]


# --- tenant moves (流管通): what landlords reported, for a grid worker to confirm at the next visit ------


def _move_label(household: TenantHousehold) -> str:
    return gettext("搬离") if household.move_out_reported_at else gettext("入住")


TENANT_MOVE_COLUMNS = [
    Column("head_name", _("户主"), link=True, sort="head_name"),
    Column("move", _("变动"), value=_move_label),
    Column("id_number", _("身份证号码")),
    Column("mobile", _("手机号码")),
    Column("people", _("人数"), sort="people"),
    Column("premises", _("出租户"), value=lambda t: str(t.premises), truncate=True),
    Column("room.number", _("房间")),
    Column("moved_in", _("入住日期"), sort="moved_in"),
    Column("moved_out", _("搬离日期")),
    Column("reported_late", _("逾期登记"), value=lambda t: gettext("是") if t.reported_late else ""),
]


class TenantMoveListView(ObjectListView):
    """租户变动待核实: moves landlords reported in the grid worker's scope, each with a confirm button."""

    model = TenantHousehold
    filterset_class = filters.TenantMoveFilterSet
    columns = TENANT_MOVE_COLUMNS
    select_related = ("premises__building", "room")
    template_name = "registry/tenant_moves.html"

    def get_queryset(self) -> QuerySet[TenantHousehold]:
        return super().get_queryset().filter(pk__in=TenantHousehold.objects.awaiting_confirmation())

    def get_template_names(self) -> list[str]:
        if self.request.htmx and self.request.htmx.target == "list-results":
            return ["registry/_tenant_moves_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["verbose_name_plural"] = gettext("租户变动待核实")
        context["can_confirm"] = self.request.user.role in AREA_ROLES and context["can_change"]
        return context


class TenantMoveConfirmView(ScopedMixin[TenantHousehold], View):
    """POST: a grid worker confirms a reported move (核实). Out of scope: 404; a landlord: 403."""

    model = TenantHousehold
    action = Action.CHANGE

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        household = self.get_object()
        try:
            services.confirm_move(household, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("已核实 %(name)s 的租户变动。") % {"name": household.head_name})
        return redirect(reverse("registry:tenant_moves"))
