"""预约施工 in the portal: from the plan page, the landlord books a registered contractor's free slot for
their plan (optionally for one hazard of it), sees the plan's bookings and cancels one with a reason. What
it writes is the outreach app's (`outreach.services.book_slot` / `cancel_booking`, which check that the
plan is the landlord's own and still open); the plan is found by its public key inside the landlord's
scope, a booking inside their scope (anyone else's: 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core.permissions import Action, can
from firegrid.outreach import services as outreach
from firegrid.outreach.choices import BookingStatus, Trade
from firegrid.outreach.models import Booking, Contractor, Slot
from firegrid.rectification.choices import PROOF_STATES
from firegrid.rectification.models import Plan

from .views import PlanMixin, PortalMixin, plan_url

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

# Slots offered on the page: a month of a busy district, as on the staff booking page.
MAX_OFFERED_SLOTS = 300


def book_url(plan: Plan) -> str:
    return reverse("portal:plan_book", args=[plan.public_key])


def may_book(plan: Plan) -> bool:
    """Booking makes sense while there is work to do on the plan (the states that take after-photos)."""
    return plan.state in PROOF_STATES


class BookView(PlanMixin, View):
    template_name = "portal/book.html"
    request: AuthedHttpRequest

    def get_plan(self) -> Plan:
        plan = super().get_plan()
        if not can(self.request.user, Action.ADD, Booking):
            raise PermissionDenied(_("您的角色无权预约施工。"))
        return plan

    def render_page(self, plan: Plan, status: int = 200, **extra: Any) -> HttpResponse:
        trade = self.request.GET.get("trade") or self.request.POST.get("trade") or ""
        slots: list[Slot] = []
        if may_book(plan):
            contractors = Contractor.objects.active().serving_premises(plan.premises)
            if trade in Trade.values:
                contractors = contractors.filter(trade=trade)
            slots = list(
                Slot.objects.filter(contractor__in=contractors)
                .upcoming()
                .free()
                .select_related("contractor")
                .order_by("contractor__trade", "contractor__name", "contractor_id", "starts_at")[
                    :MAX_OFFERED_SLOTS
                ]
            )
        context = {
            "plan": plan,
            "premises": plan.premises,
            "plan_url": plan_url(plan),
            "may_book": may_book(plan),
            "items": plan.items.select_related("hazard__item").order_by("deadline", "pk"),
            "slots": slots,
            "trades": Trade.choices,
            "trade": trade,
            "bookings": Booking.objects.visible_to(self.request.user)
            .filter(plan=plan)
            .select_related("slot__contractor", "item__hazard__item")
            .order_by("slot__starts_at", "pk"),
            "booked": BookingStatus.BOOKED,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: AuthedHttpRequest, key: str) -> HttpResponse:
        return self.render_page(self.get_plan())

    def post(self, request: AuthedHttpRequest, key: str) -> HttpResponse:
        plan = self.get_plan()
        slot_id = request.POST.get("slot", "")
        slot = Slot.objects.filter(pk=slot_id).first() if slot_id.isdigit() else None
        item_id = request.POST.get("item", "")
        item = plan.items.filter(pk=item_id).first() if item_id.isdigit() else None
        note = request.POST.get("note", "")[:2000]
        if slot is None:
            errors = [_("请选择一个时段。")]
        else:
            try:
                booking = outreach.book_slot(slot, plan, actor=request.user, item=item, note=note)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("已预约 %(booking)s。") % {"booking": booking})
                return redirect(book_url(plan))
        return self.render_page(plan, status=400, errors=errors, note=note, chosen_item=item_id)


class BookingCancelView(PortalMixin, View):
    """取消预约 with a reason; the slot is free again."""

    http_method_names = ["post"]
    request: AuthedHttpRequest

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        booking = get_object_or_404(Booking.objects.visible_to(request.user).select_related("plan"), pk=pk)
        try:
            outreach.cancel_booking(booking, actor=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已取消预约，该时段可重新预约。"))
        return redirect(book_url(booking.plan))
