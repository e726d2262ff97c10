"""Bookings in the premises file (一户一档): registered as sources of
`firegrid.rectification.premises_file` from `OutreachConfig.ready()`.

Two events per booking are told by booking rows: it was made (at `created_at`) and, when done, the
work was finished (at `done_at`, with the contractor's photos). Their audit entries are left out so
the file does not tell them twice; a cancellation stays an audit entry (status and reason changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models.query import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can

from .choices import BookingStatus
from .models import Booking

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.models import AuditEntry
    from firegrid.rectification.premises_file import Entry
    from firegrid.registry.models import Premises

KIND = "booking"


def booking_rows(premises: Premises, user: User) -> QuerySet[Booking] | None:
    if not can(user, Action.VIEW, Booking):
        return None
    return Booking.objects.visible_to(user).filter(plan__premises=premises)


def done_rows(premises: Premises, user: User) -> QuerySet[Booking] | None:
    rows = booking_rows(premises, user)
    return None if rows is None else rows.filter(status=BookingStatus.DONE, done_at__isnull=False)


def _bookings(pks: Iterable[int]) -> QuerySet[Booking]:
    return Booking.objects.filter(pk__in=pks).select_related(
        "slot__contractor", "item__hazard__item", "booked_by", "done_by"
    )


def _link(booking: Booking) -> str:
    from firegrid.rectification.premises_file import safe_reverse

    return safe_reverse("outreach:booking_detail", booking.pk)


def booking_entries(pks: Iterable[int], user: User) -> dict[int, Entry]:
    from firegrid.rectification.premises_file import Entry

    result: dict[int, Entry] = {}
    for booking in _bookings(pks):
        contractor = booking.slot.contractor
        result[booking.pk] = Entry(
            time=booking.created_at,
            kind=KIND,
            title=_("预约施工：%(contractor)s（%(trade)s）")
            % {"contractor": contractor, "trade": contractor.get_trade_display()},
            text="\n".join(
                line
                for line in (
                    _("时段：%(slot)s") % {"slot": booking.slot},
                    _("整改事项：%(item)s") % {"item": booking.item} if booking.item_id else "",
                    booking.note,
                )
                if line
            ),
            actor=str(booking.booked_by),
            link=_link(booking),
            tags=[(booking.status, booking.get_status_display())],
        )
    return result


def done_entries(pks: Iterable[int], user: User) -> dict[int, Entry]:
    from firegrid.rectification.premises_file import Entry, Thumb

    result: dict[int, Entry] = {}
    for booking in _bookings(pks).prefetch_related("photos"):
        assert booking.done_at is not None  # done_rows lists finished bookings only
        contractor = booking.slot.contractor
        result[booking.pk] = Entry(
            time=booking.done_at,
            kind=KIND,
            title=_("施工完工：%(contractor)s（%(trade)s）")
            % {"contractor": contractor, "trade": contractor.get_trade_display()},
            text=booking.done_note,
            actor=str(booking.done_by) if booking.done_by_id else "",
            link=_link(booking),
            photos=[
                Thumb(p.get_thumbnail_url(), p.get_image_url(), p.thumbnail, _("完工照片"))
                for p in booking.photos.all()
            ],
            tags=[(BookingStatus.DONE, str(BookingStatus.DONE.label))],
        )
    return result


def dedupe_audit(rows: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    """Leave out the audit entries the booking rows already tell: the booking made, the work done."""
    booking_type = ContentType.objects.get_for_model(Booking)
    return rows.exclude(content_type=booking_type, action=AuditAction.CREATE).exclude(
        content_type=booking_type, action=AuditAction.UPDATE, after__status=BookingStatus.DONE
    )


def register() -> None:
    from firegrid.rectification.premises_file import Source, register_source

    register_source(
        Source(
            key="booking",
            time_field="created_at",
            rows=booking_rows,
            build=booking_entries,
            kinds={KIND: gettext_lazy("施工预约")},
            dedupe_audit=dedupe_audit,
            audit_kinds={"outreach.booking": KIND},
        )
    )
    register_source(Source(key="booking_done", time_field="done_at", rows=done_rows, build=done_entries))
