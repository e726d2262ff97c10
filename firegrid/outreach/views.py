"""Contractor pages: the directory (list, detail, edit, slots, printable contact cards) and bookings
(booking a slot from a plan, the booking list and page, cancelling, the contractor's own bookings on
the phone and marking work done with photos)."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from segno import helpers as segno_helpers

from firegrid.areas.choices import Role
from firegrid.core import services as core_services
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from firegrid.rectification.models import Plan

from . import filters, services
from .choices import BookingStatus, Trade
from .forms import CancelForm, ContractorForm, DoneForm, OutreachRecordForm, SlotFormSet
from .models import Booking, Contractor, OutreachKind, OutreachRecord, Slot, WorkPhoto, contractor_scope_q

# Counts a slot's bookings that hold it (all but the cancelled ones).
ACTIVE_BOOKING = ~Q(bookings__status=BookingStatus.CANCELLED)
# Contact cards printed in one go: a page of cards is for a community's notice board, not the directory.
MAX_CARDS = 100
# Slots offered on the booking page: enough for a month of a busy district.
MAX_OFFERED_SLOTS = 300


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

BOOKING_COLUMNS = [
    Column("slot", gettext_lazy("预约时间"), link=True, sort="starts_at", value=lambda b: str(b.slot)),
    Column("slot.contractor.name", gettext_lazy("施工单位")),
    Column("slot.contractor.trade", gettext_lazy("工种")),
    Column("premises", gettext_lazy("出租户"), value=lambda b: str(b.plan.premises)),
    Column("item", gettext_lazy("整改事项"), value=lambda b: str(b.item) if b.item_id else ""),
    Column("status", gettext_lazy("状态"), sort="status", tag=True),
    Column("booked_by", gettext_lazy("预约人"), value=lambda b: str(b.booked_by)),
    Column("done_at", gettext_lazy("完工时间"), default=False),
]


def _keeps(user, contractor: Contractor, action: str = Action.CHANGE) -> bool:
    """May this user change this contractor (role and the contractor's areas)?"""
    return Contractor.objects.visible_to(user, action).filter(pk=contractor.pk).exists()


def _keeps_slots(user, contractor: Contractor, action: str = Action.ADD) -> bool:
    if not can(user, action, Slot):
        return False
    if user.is_district_wide:
        return True
    return Contractor.objects.filter(contractor_scope_q(user), pk=contractor.pk).exists()


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _plan_url(plan: Plan) -> str:
    """The plan's page, once the plan pages exist; the bookings of the plan until then."""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return reverse("outreach:booking_list") + f"?plan={plan.pk}"


# --- the directory -----------------------------------------------------------------------------------------


class ContractorListView(ObjectListView):
    model = Contractor
    filterset_class = filters.ContractorFilterSet
    columns = CONTRACTOR_COLUMNS
    template_name = "outreach/contractor_list.html"

    def get_queryset(self):
        free = (
            Slot.objects.upcoming()
            .free()
            .filter(contractor=OuterRef("pk"))
            .order_by()
            .values("contractor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset()
            .prefetch_related("areas")
            .annotate(free_slots=Coalesce(Subquery(free, output_field=IntegerField()), 0))
        )

    def get_context_data(self, **kwargs):
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
    fields = [
        Column("name", gettext_lazy("名称")),
        Column("trade", gettext_lazy("工种")),
        Column("company", gettext_lazy("所属公司")),
        Column("mobile", gettext_lazy("手机号码")),
        Column("areas", gettext_lazy("服务区域"), value=_areas_text),
        Column("qualification", gettext_lazy("资质证书")),
        Column("is_active", gettext_lazy("在册")),
    ]

    def get_context_data(self, **kwargs):
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

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not _keeps(self.request.user, obj, Action.CHANGE):
            raise PermissionDenied(_("该施工单位的服务区域不在您的管辖范围内，不能修改。"))
        return obj

    def create(self, data: dict, *, reason: str):
        areas = data.pop("areas", None) or []
        return services.create_contractor(data, areas=areas, actor=self.request.user, reason=reason)

    def update(self, data: dict, *, expected_version: int, reason: str):
        areas = data.pop("areas", None) or []
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conflict = kwargs.get("conflict")
        for row in context.get("conflict_rows", []):
            if conflict is not None and row["label"] == context["form"].fields["areas"].label:
                row["current"] = _areas_text(conflict)
        return context


class ContractorSlotsView(LoginRequiredMixin, View):
    """The contractor's availability: upcoming slots, and rows to add several at once."""

    template_name = "outreach/slot_form.html"

    def setup_contractor(self, request, pk) -> Contractor:
        contractor = get_object_or_404(Contractor.objects.visible_to(request.user), pk=pk)
        if not _keeps_slots(request.user, contractor):
            raise PermissionDenied(_("您不能维护该施工单位的时段。"))
        return contractor

    def render(self, request, contractor, formset, status=200):
        slots = (
            Slot.objects.filter(contractor=contractor)
            .upcoming()
            .annotate(taken=Count("bookings", filter=ACTIVE_BOOKING))
            .order_by("starts_at")[:100]
        )
        context = {"contractor": contractor, "formset": formset, "slots": slots}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        contractor = self.setup_contractor(request, pk)
        return self.render(request, contractor, SlotFormSet())

    def post(self, request, pk):
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


def _slot_errors_to_rows(exc: ValidationError, rows) -> None:
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

    def post(self, request, pk):
        slot = get_object_or_404(Slot.objects.visible_to(request.user).select_related("contractor"), pk=pk)
        if not _keeps_slots(request.user, slot.contractor, Action.DELETE):
            raise PermissionDenied(_("您不能维护该施工单位的时段。"))
        try:
            services.delete_slot(slot, actor=request.user)
            messages.success(request, _("已删除时段 %(slot)s。") % {"slot": slot})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(_next_url(request, reverse("outreach:contractor_slots", args=[slot.contractor_id])))


# --- contact cards ---------------------------------------------------------------------------------------------


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

    def get(self, request, pk=None):
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


# --- bookings ----------------------------------------------------------------------------------------------


class BookingListView(ObjectListView):
    model = Booking
    filterset_class = filters.BookingFilterSet
    columns = BOOKING_COLUMNS
    template_name = "outreach/booking_list.html"
    select_related = ("slot__contractor", "plan__premises__building", "item__hazard__item", "booked_by")


class BookingDetailView(ObjectDetailView):
    model = Booking
    template_name = "outreach/booking_detail.html"
    select_related = ("slot__contractor", "plan__premises__building", "item__hazard__item", "booked_by")
    fields = [
        Column("slot", gettext_lazy("预约时间"), value=lambda b: str(b.slot)),
        Column("slot.contractor.name", gettext_lazy("施工单位")),
        Column("slot.contractor.trade", gettext_lazy("工种")),
        Column("premises", gettext_lazy("出租户"), value=lambda b: str(b.plan.premises)),
        Column("plan.state", gettext_lazy("方案状态")),
        Column("item", gettext_lazy("整改事项"), value=lambda b: str(b.item) if b.item_id else ""),
        Column("status", gettext_lazy("状态")),
        Column("booked_by", gettext_lazy("预约人"), value=lambda b: str(b.booked_by)),
        Column("note", gettext_lazy("预约说明")),
        Column("done_at", gettext_lazy("完工时间"), value=lambda b: _local(b.done_at)),
        Column("done_note", gettext_lazy("完工说明")),
        Column("cancel_reason", gettext_lazy("取消原因")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking, user = self.object, self.request.user
        booked = booking.status == BookingStatus.BOOKED
        may_change = can(user, Action.CHANGE, Booking)
        own_plan = user.role != Role.LANDLORD or booking.plan.landlord_id == user.landlord_id
        context["can_cancel"] = booked and may_change and own_plan
        context["can_mark_done"] = booked and may_change and user.role != Role.LANDLORD
        context["photos"] = booking.photos.all()
        context["plan_url"] = _plan_url(booking.plan) if can(user, Action.VIEW, Plan) else ""
        context["cancel_form"] = CancelForm()
        context["can_change"] = False  # a booking changes only through its actions
        return context


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class BookingCancelView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        booking = get_object_or_404(Booking.objects.visible_to(request.user), pk=pk)
        if not can(request.user, Action.CHANGE, booking):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = CancelForm(request.POST)
        reason = form.data.get("reason", "")
        try:
            services.cancel_booking(booking, actor=request.user, reason=reason)
            messages.success(request, _("已取消预约，该时段可重新预约。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(_next_url(request, booking.get_absolute_url()))


class BookingDoneView(LoginRequiredMixin, View):
    """标记完工: the contractor's phone page — a note and photos of the finished work."""

    template_name = "outreach/booking_done.html"

    def get_booking(self, request, pk) -> Booking:
        queryset = Booking.objects.visible_to(request.user).select_related(
            "slot__contractor", "plan__premises__building", "item__hazard__item"
        )
        booking = get_object_or_404(queryset, pk=pk)
        if not can(request.user, Action.CHANGE, booking) or request.user.role == Role.LANDLORD:
            raise PermissionDenied(_("完工由施工单位或工作人员确认。"))
        return booking

    def get(self, request, pk):
        booking = self.get_booking(request, pk)
        return render(request, self.template_name, {"booking": booking, "form": DoneForm()})

    def post(self, request, pk):
        booking = self.get_booking(request, pk)
        form = DoneForm(request.POST)
        photo_errors = []
        if form.is_valid():
            try:
                services.mark_done(
                    booking,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"photos": exc.messages}
                photo_errors = errors.pop("photos", [])
                for messages_ in errors.values():
                    form.add_error(None, messages_)
            else:
                messages.success(request, _("已标记完工，谢谢！"))
                default = (
                    reverse("outreach:my_bookings")
                    if request.user.role == Role.CONTRACTOR
                    else booking.get_absolute_url()
                )
                return redirect(_next_url(request, default))
        context = {"booking": booking, "form": form, "photo_errors": photo_errors}
        return render(request, self.template_name, context, status=400)


class MyBookingsView(LoginRequiredMixin, View):
    """The contractor's own bookings, phone first: what is coming, then what was done."""

    def get(self, request):
        user = request.user
        if user.role != Role.CONTRACTOR or not user.contractor_id:
            raise PermissionDenied(_("此页面供施工单位使用。"))
        bookings = (
            Booking.objects.visible_to(user)
            .select_related("slot", "plan__premises__building", "plan__landlord", "item__hazard__item")
            .order_by("slot__starts_at")
        )
        context = {
            "contractor": user.contractor,
            "upcoming": bookings.filter(status=BookingStatus.BOOKED),
            "done": bookings.filter(status=BookingStatus.DONE).order_by("-done_at")[:20],
            "free_slots": Slot.objects.filter(contractor_id=user.contractor_id).upcoming().free().count(),
        }
        return render(request, "outreach/my_bookings.html", context)


class BookView(LoginRequiredMixin, View):
    """Book a contractor for a plan (?plan=<id>): the free slots of the active contractors serving the
    premises' area, by contractor; a taken slot comes back with a clear message."""

    template_name = "outreach/book.html"

    def get_plan(self, request) -> Plan:
        try:
            plan_id = int(request.GET.get("plan") or request.POST.get("plan") or "")
        except ValueError:
            raise Http404 from None
        plan = get_object_or_404(
            Plan.objects.visible_to(request.user).select_related("premises__building__grid", "landlord"),
            pk=plan_id,
        )
        if not can(request.user, Action.ADD, Booking):
            raise PermissionDenied(_("您的角色无权预约施工。"))
        return plan

    def context(self, request, plan: Plan, **extra) -> dict:
        trade = request.GET.get("trade") or request.POST.get("trade") or ""
        contractors = Contractor.objects.active().serving_premises(plan.premises)
        if trade in Trade.values:
            contractors = contractors.filter(trade=trade)
        slots = (
            Slot.objects.filter(contractor__in=contractors)
            .upcoming()
            .free()
            .select_related("contractor")
            .order_by("contractor__trade", "contractor__name", "contractor_id", "starts_at")[
                :MAX_OFFERED_SLOTS
            ]
        )
        return {
            "plan": plan,
            "plan_url": _plan_url(plan),
            "items": plan.items.select_related("hazard__item"),
            "slots": slots,
            "trades": Trade.choices,
            "trade": trade,
            "booked": Booking.objects.filter(plan=plan).active().select_related("slot__contractor"),
            **extra,
        }

    def get(self, request):
        plan = self.get_plan(request)
        return render(request, self.template_name, self.context(request, plan))

    def post(self, request):
        plan = self.get_plan(request)
        slot_id = request.POST.get("slot", "")
        slot = Slot.objects.filter(pk=slot_id).first() if slot_id.isdigit() else None
        item_id = request.POST.get("item", "")
        item = plan.items.filter(pk=item_id).first() if item_id.isdigit() else None
        note = request.POST.get("note", "")[:2000]
        errors: dict[str, list[str]] = {}
        if slot is None:
            errors["slot"] = [_("请选择一个时段。")]
        else:
            try:
                booking = services.book_slot(slot, plan, actor=request.user, item=item, note=note)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"slot": exc.messages}
            except PermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                messages.success(request, _("已预约 %(booking)s。") % {"booking": booking})
                return redirect(booking.get_absolute_url())
        context = self.context(request, plan, errors=errors, note=note, chosen_item=item_id)
        return render(request, self.template_name, context, status=400)


class PhotoFileView(LoginRequiredMixin, View):
    """A work photo or its thumbnail, only for users who see its booking."""

    def get(self, request, pk, variant):
        photo = get_object_or_404(WorkPhoto.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


# --- outreach records (宣传) ---------------------------------------------------------------------------------

OUTREACH_RECORD_COLUMNS = [
    Column("held_on", gettext_lazy("日期"), link=True, sort="held_on"),
    Column("kind", gettext_lazy("宣传形式"), sort="kind", tag=True),
    Column("area.name", gettext_lazy("区域")),
    Column("audience", pgettext_lazy("audience", "对象")),
    Column("attendance", gettext_lazy("参加人数")),
    Column("material", gettext_lazy("资料类型")),
    Column("copies", gettext_lazy("份数")),
    Column("campaign.name", gettext_lazy("专项整治行动"), default=False),
    Column("recorded_by", gettext_lazy("登记人"), value=lambda r: str(r.recorded_by), default=False),
    Column("note", gettext_lazy("备注"), default=False),
]


def outreach_totals_rows(totals: dict) -> list[dict]:
    return [{"kind": OutreachKind(kind).label, "key": kind, **figures} for kind, figures in totals.items()]


class OutreachRecordListView(ObjectListView):
    """宣传记录: filtered by kind, area (with the areas below), campaign and dates, with the totals per
    kind of what the filters select."""

    model = OutreachRecord
    filterset_class = filters.OutreachRecordFilterSet
    columns = OUTREACH_RECORD_COLUMNS
    template_name = "outreach/record_list.html"
    select_related = ("area", "campaign", "recorded_by")

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "list-results":
            return ["outreach/record_list_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        records = self.filterset.qs if self.filterset.is_valid() else OutreachRecord.objects.none()
        context["totals"] = outreach_totals_rows(services.outreach_totals(None, records=records))
        return context


class OutreachRecordDetailView(ObjectDetailView):
    model = OutreachRecord
    select_related = ("area", "campaign", "recorded_by")
    fields = [
        Column("kind", gettext_lazy("宣传形式")),
        Column("held_on", gettext_lazy("日期")),
        Column("area.name", gettext_lazy("区域")),
        Column("campaign.name", gettext_lazy("专项整治行动")),
        Column("audience", pgettext_lazy("audience", "对象")),
        Column("attendance", gettext_lazy("参加人数")),
        Column("material", gettext_lazy("资料类型")),
        Column("copies", gettext_lazy("份数")),
        Column("note", gettext_lazy("备注")),
        Column("recorded_by", gettext_lazy("登记人"), value=lambda r: str(r.recorded_by)),
    ]


class OutreachRecordEditView(ObjectEditView):
    model = OutreachRecord
    form_class = OutreachRecordForm

    def create(self, data: dict, *, reason: str):
        return services.create_outreach_record(data, actor=self.request.user, reason=reason)

    def update(self, data: dict, *, expected_version: int, reason: str):
        return services.update_outreach_record(
            self.object, data, actor=self.request.user, expected_version=expected_version, reason=reason
        )
