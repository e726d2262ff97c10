"""The contractors' directory (施工单位名录): list, page, form, the contractor's slots, and printable
contact cards (联系卡) with a QR code."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.db.models.query import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from segno import helpers as segno_helpers

from firegrid.areas.choices import Role
from firegrid.core import services as core_services
from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .. import filters, services
from ..choices import BookingStatus, Trade
from ..forms import ContractorForm, SlotFormSet, SlotRowForm
from ..models import Booking, Contractor, ContractorQuerySet, Slot, contractor_scope_q
from .common import next_url

if TYPE_CHECKING:
    from django.forms.formsets import BaseFormSet

    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest

# Counts a slot's bookings that hold it (all but the cancelled ones).
ACTIVE_BOOKING = ~Q(bookings__status=BookingStatus.CANCELLED)
# Contact cards printed in one go: a page of cards is for a community's notice board, not the directory.
MAX_CARDS = 100


def _areas_text(contractor: Contractor) -> str:
    return enumerate_items(a.name for a in contractor.areas.all())


CONTRACTOR_COLUMNS = [
    Column("name", gettext_lazy("名称"), link=True, sort="name"),
    Column("trade", gettext_lazy("工种"), sort="trade"),
    Column("company", gettext_lazy("所属公司")),
    Column("mobile", gettext_lazy("手机号码")),
    Column("areas", gettext_lazy("服务区域"), value=_areas_text),
    Column("qualification", gettext_lazy("资质证书"), default=False),
    Column("free_slots", gettext_lazy("可预约时段"), value=lambda c: getattr(c, "free_slots", "")),
    Column("is_active", gettext_lazy("在册")),
]


def _keeps(user: User, contractor: Contractor, action: str = Action.CHANGE) -> bool:
    """May this user change this contractor (role and the contractor's areas)?"""
    return Contractor.objects.visible_to(user, action).filter(pk=contractor.pk).exists()


def _keeps_slots(user: User, contractor: Contractor, action: str = Action.ADD) -> bool:
    if not can(user, action, Slot):
        return False
    if user.is_district_wide:
        return True
    return Contractor.objects.filter(contractor_scope_q(user), pk=contractor.pk).exists()


class ContractorListView(ObjectListView):
    model = Contractor
    filterset_class = filters.ContractorFilterSet
    columns = CONTRACTOR_COLUMNS
    template_name = "outreach/contractor_list.html"
    request: AuthedHttpRequest

    def get_queryset(self) -> QuerySet[Contractor]:
        # The base list's rows keep the model's queryset class (filtered by its FilterSet).
        contractors = cast("ContractorQuerySet", super().get_queryset())
        return contractors.prefetch_related("areas").with_free_slots()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        for name in ("page", "export", "sort"):
            params.pop(name, None)
        context["cards_url"] = reverse("outreach:contractor_cards") + (
            f"?{params.urlencode()}" if params else ""
        )
        context["can_print_cards"] = can(self.request.user, Action.REVEAL, Contractor)
        context["my_bookings_url"] = (
            reverse("outreach:my_bookings") if self.request.user.role == Role.CONTRACTOR else ""
        )
        return context


class ContractorDetailView(ObjectDetailView):
    model = Contractor
    template_name = "outreach/contractor_detail.html"
    request: AuthedHttpRequest
    fields = [
        Column("name", gettext_lazy("名称")),
        Column("trade", gettext_lazy("工种")),
        Column("company", gettext_lazy("所属公司")),
        Column("mobile", gettext_lazy("手机号码")),
        Column("areas", gettext_lazy("服务区域"), value=_areas_text),
        Column("qualification", gettext_lazy("资质证书")),
        Column("is_active", gettext_lazy("在册")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, contractor = self.request.user, self.object
        # The directory is public; editing depends on the contractor's areas, so ask per row.
        context["can_change"] = _keeps(user, contractor, Action.CHANGE)
        context["can_delete"] = _keeps(user, contractor, Action.DELETE)
        context["can_keep_slots"] = _keeps_slots(user, contractor)
        context["can_print_card"] = can(user, Action.REVEAL, Contractor)
        context["slots"] = (
            Slot.objects.filter(contractor=contractor)
            .upcoming()
            .annotate(taken=Count("bookings", filter=ACTIVE_BOOKING))
            .order_by("starts_at")[:60]
        )
        context["bookings"] = (
            Booking.objects.visible_to(user)
            .filter(slot__contractor=contractor)
            .select_related("slot", "plan__premises__building", "item__hazard")
            .order_by("-slot__starts_at")[:30]
        )
        return context


class ContractorEditView(ObjectEditView):
    """Create or edit a contractor through the outreach services (the served areas are many-to-many,
    which the generic services do not write)."""

    model = Contractor
    form_class = ContractorForm
    template_name = "outreach/contractor_form.html"
    request: AuthedHttpRequest
    object: Contractor | None

    def get_object(self, queryset: QuerySet[Contractor] | None = None) -> Contractor:
        obj = super().get_object(queryset)
        if not _keeps(self.request.user, obj, Action.CHANGE):
            raise PermissionDenied(_("该施工单位的服务区域不在您的管辖范围内，不能修改。"))
        return obj

    def create(self, data: dict[str, Any], *, reason: str) -> Contractor:
        areas = data.pop("areas", None) or []
        return services.create_contractor(data, areas=areas, actor=self.request.user, reason=reason)

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> Contractor:
        areas = data.pop("areas", None) or []
        assert self.object is not None  # an update edits the object the page was opened on
        return services.update_contractor(
            self.object,
            data,
            areas=areas,
            actor=self.request.user,
            expected_version=expected_version,
            reason=reason,
        )

    def created_message(self) -> str:
        return _("已新增施工单位：%(obj)s") % {"obj": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        conflict = kwargs.get("conflict")
        for row in context.get("conflict_rows", []):
            if conflict is not None and row["label"] == context["form"].fields["areas"].label:
                row["current"] = _areas_text(conflict)
        return context


class ContractorSlotsView(LoginRequiredMixin, View):
    """The contractor's availability: upcoming slots, and rows to add several at once."""

    template_name = "outreach/slot_form.html"

    def setup_contractor(self, request: AuthedHttpRequest, pk: int) -> Contractor:
        contractor = get_object_or_404(Contractor.objects.visible_to(request.user), pk=pk)
        if not _keeps_slots(request.user, contractor):
            raise PermissionDenied(_("您不能维护该施工单位的时段。"))
        return contractor

    def render(
        self,
        request: HttpRequest,
        contractor: Contractor,
        formset: BaseFormSet[SlotRowForm],
        status: int = 200,
    ) -> HttpResponse:
        slots = (
            Slot.objects.filter(contractor=contractor)
            .upcoming()
            .annotate(taken=Count("bookings", filter=ACTIVE_BOOKING))
            .order_by("starts_at")[:100]
        )
        context = {"contractor": contractor, "formset": formset, "slots": slots}
        return render(request, self.template_name, context, status=status)

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        contractor = self.setup_contractor(request, pk)
        return self.render(request, contractor, SlotFormSet())

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        contractor = self.setup_contractor(request, pk)
        formset = SlotFormSet(request.POST)
        if not formset.is_valid():
            return self.render(request, contractor, formset, status=400)
        rows = [form for form in formset.forms if not form.is_blank()]
        if not rows:
            formset.forms[0].add_error("date", _("请至少填写一个时段。"))
            return self.render(request, contractor, formset, status=400)
        try:
            slots = services.add_slots(contractor, [form.period() for form in rows], actor=request.user)
        except ValidationError as exc:
            _slot_errors_to_rows(exc, rows)
            return self.render(request, contractor, formset, status=400)
        messages.success(request, _("已添加 %(n)s 个时段。") % {"n": len(slots)})
        return redirect("outreach:contractor_slots", pk=contractor.pk)


def _slot_errors_to_rows(exc: ValidationError, rows: Sequence[SlotRowForm]) -> None:
    """Put each of the service's errors beside the row it names (params["row"], 1-based)."""
    for field, errors in exc.error_dict.items():
        for error in errors:
            row = (error.params or {}).get("row")
            message = error.message % error.params if error.params else error.message
            if row is not None and 0 < row <= len(rows):
                rows[row - 1].add_error(rows[row - 1].FIELD_FOR.get(field), message)
            else:
                rows[0].add_error(None, message)


class SlotDeleteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        slot = get_object_or_404(Slot.objects.visible_to(request.user).select_related("contractor"), pk=pk)
        if not _keeps_slots(request.user, slot.contractor, Action.DELETE):
            raise PermissionDenied(_("您不能维护该施工单位的时段。"))
        try:
            services.delete_slot(slot, actor=request.user)
            messages.success(request, _("已删除时段 %(slot)s。") % {"slot": slot})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(next_url(request, reverse("outreach:contractor_slots", args=[slot.contractor_id])))


def contact_qr_svg(contractor: Contractor) -> str:
    """An inline SVG QR code holding the contractor as a contact card (vCard): scanning it on a phone
    offers to save the contact or call."""
    data = segno_helpers.make_vcard_data(
        name=f"{contractor.name};",
        displayname=contractor.name,
        cellphone=contractor.mobile,
        org=contractor.company or None,
        title=contractor.get_trade_display(),
        memo=_("服务区域：%(areas)s") % {"areas": _areas_text(contractor)},
    )
    qr = segno.make(data, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=3, border=1, xmldecl=False, svgns=True, title=str(contractor))
    return buffer.getvalue().decode("utf-8")


class ContractorCardsView(LoginRequiredMixin, View):
    """Printable contact cards (联系卡), several to an A4 page: one contractor (pk) or the directory as
    filtered. A card shows the full mobile, so printing it is recorded like any reveal."""

    def get(self, request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
        user = request.user
        if not can(user, Action.REVEAL, Contractor):
            raise PermissionDenied(_("您的角色无权打印联系卡。"))
        base = Contractor.objects.visible_to(user, Action.REVEAL).prefetch_related("areas")
        if pk is not None:
            contractors = [get_object_or_404(base, pk=pk)]
            too_many = False
        else:
            filterset = filters.ContractorFilterSet(request.GET, queryset=base, request=request)
            rows = filterset.qs.order_by("trade", "name", "pk") if filterset.is_valid() else base.none()
            contractors = list(rows[: MAX_CARDS + 1])
            too_many = len(contractors) > MAX_CARDS
            contractors = contractors[:MAX_CARDS]
        cards = []
        for contractor in contractors:
            core_services.reveal_personal_data(contractor, "mobile", actor=user)
            # segno writes the SVG from the QR matrix and escapes the title: nothing typed reaches it raw.
            qr = mark_safe(contact_qr_svg(contractor))
            cards.append({"contractor": contractor, "areas": _areas_text(contractor), "qr": qr})
        return render(
            request,
            "outreach/contractor_cards.html",
            {"cards": cards, "too_many": too_many, "max_cards": MAX_CARDS, "trades": Trade},
        )
