"""Bookings (施工预约): booking a contractor's slot from a plan, the booking list and page, cancelling,
the contractor's own bookings on the phone and marking work done with photos."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from firegrid.areas.choices import Role
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response
from firegrid.core.tables import Column
from firegrid.core.views import ObjectDetailView, ObjectListView
from firegrid.rectification.models import Plan

from .. import filters, services
from ..choices import BookingStatus, Trade
from ..forms import CancelForm, DoneForm
from ..models import Booking, Contractor, Slot, WorkPhoto
from .common import next_url

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

# Slots offered on the booking page: enough for a month of a busy district.
MAX_OFFERED_SLOTS = 300

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


def _plan_url(plan: Plan) -> str:
    """The plan's page, once the plan pages exist; the bookings of the plan until then."""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return reverse("outreach:booking_list") + f"?plan={plan.pk}"


class BookingListView(ObjectListView):
    model = Booking
    filterset_class = filters.BookingFilterSet
    columns = BOOKING_COLUMNS
    template_name = "outreach/booking_list.html"
    select_related = ("slot__contractor", "plan__premises__building", "item__hazard__item", "booked_by")


class BookingDetailView(ObjectDetailView):
    model = Booking
    template_name = "outreach/booking_detail.html"
    request: AuthedHttpRequest
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
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


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class BookingCancelView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
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
        return redirect(next_url(request, booking.get_absolute_url()))


class BookingDoneView(LoginRequiredMixin, View):
    """标记完工: the contractor's phone page — a note and photos of the finished work."""

    template_name = "outreach/booking_done.html"

    def get_booking(self, request: AuthedHttpRequest, pk: int) -> Booking:
        queryset = Booking.objects.visible_to(request.user).select_related(
            "slot__contractor", "plan__premises__building", "item__hazard__item"
        )
        booking = get_object_or_404(queryset, pk=pk)
        if not can(request.user, Action.CHANGE, booking) or request.user.role == Role.LANDLORD:
            raise PermissionDenied(_("完工由施工单位或工作人员确认。"))
        return booking

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        booking = self.get_booking(request, pk)
        return render(request, self.template_name, {"booking": booking, "form": DoneForm()})

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        booking = self.get_booking(request, pk)
        form = DoneForm(request.POST)
        photo_errors: list[str] = []
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
                return redirect(next_url(request, default))
        context = {"booking": booking, "form": form, "photo_errors": photo_errors}
        return render(request, self.template_name, context, status=400)


class MyBookingsView(LoginRequiredMixin, View):
    """The contractor's own bookings, phone first: what is coming, then what was done."""

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
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

    def get_plan(self, request: AuthedHttpRequest) -> Plan:
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

    def context(self, request: AuthedHttpRequest, plan: Plan, **extra: Any) -> dict[str, Any]:
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

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        plan = self.get_plan(request)
        return render(request, self.template_name, self.context(request, plan))

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
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

    def get(self, request: AuthedHttpRequest, pk: int, variant: str) -> FileResponse:
        photo = get_object_or_404(WorkPhoto.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)
