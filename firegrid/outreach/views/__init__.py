"""Outreach pages, by sub-domain: the contractors' directory with slots and contact cards
(`contractors`), bookings of contractors from a plan (`bookings`), outreach records (`records`)."""

from .bookings import (
    BOOKING_COLUMNS,
    BookingCancelView,
    BookingDetailView,
    BookingDoneView,
    BookingListView,
    BookView,
    MyBookingsView,
    PhotoFileView,
)
from .contractors import (
    CONTRACTOR_COLUMNS,
    ContractorCardsView,
    ContractorDetailView,
    ContractorEditView,
    ContractorListView,
    ContractorSlotsView,
    SlotDeleteView,
    contact_qr_svg,
)
from .records import (
    OUTREACH_RECORD_COLUMNS,
    OutreachRecordDetailView,
    OutreachRecordEditView,
    OutreachRecordListView,
    outreach_totals_rows,
)

__all__ = [
    "BOOKING_COLUMNS",
    "CONTRACTOR_COLUMNS",
    "OUTREACH_RECORD_COLUMNS",
    "BookView",
    "BookingCancelView",
    "BookingDetailView",
    "BookingDoneView",
    "BookingListView",
    "ContractorCardsView",
    "ContractorDetailView",
    "ContractorEditView",
    "ContractorListView",
    "ContractorSlotsView",
    "MyBookingsView",
    "OutreachRecordDetailView",
    "OutreachRecordEditView",
    "OutreachRecordListView",
    "PhotoFileView",
    "SlotDeleteView",
    "contact_qr_svg",
    "outreach_totals_rows",
]
