from django.urls import path

from firegrid.core.views import ObjectDeleteView, ObjectHistoryView, RevealView

from . import views
from .models import Booking, Contractor, OutreachRecord

app_name = "outreach"

urlpatterns = [
    # The directory (施工单位名录)
    path("contractors/", views.ContractorListView.as_view(), name="contractor_list"),
    path("contractors/new/", views.ContractorEditView.as_view(), name="contractor_add"),
    path("contractors/cards/", views.ContractorCardsView.as_view(), name="contractor_cards"),
    path("contractors/<int:pk>/", views.ContractorDetailView.as_view(), name="contractor_detail"),
    path("contractors/<int:pk>/edit/", views.ContractorEditView.as_view(), name="contractor_edit"),
    path(
        "contractors/<int:pk>/delete/", ObjectDeleteView.as_view(model=Contractor), name="contractor_delete"
    ),
    path(
        "contractors/<int:pk>/history/",
        ObjectHistoryView.as_view(model=Contractor),
        name="contractor_history",
    ),
    path(
        "contractors/<int:pk>/reveal/<str:field>/",
        RevealView.as_view(model=Contractor),
        name="contractor_reveal",
    ),
    path("contractors/<int:pk>/card/", views.ContractorCardsView.as_view(), name="contractor_card"),
    path("contractors/<int:pk>/slots/", views.ContractorSlotsView.as_view(), name="contractor_slots"),
    path("slots/<int:pk>/delete/", views.SlotDeleteView.as_view(), name="slot_delete"),
    # Bookings (施工预约)
    path("book/", views.BookView.as_view(), name="book"),
    path("bookings/", views.BookingListView.as_view(), name="booking_list"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking_detail"),
    path("bookings/<int:pk>/cancel/", views.BookingCancelView.as_view(), name="booking_cancel"),
    path("bookings/<int:pk>/done/", views.BookingDoneView.as_view(), name="booking_done"),
    path("bookings/<int:pk>/history/", ObjectHistoryView.as_view(model=Booking), name="booking_history"),
    path("my/", views.MyBookingsView.as_view(), name="my_bookings"),
    path("photos/<int:pk>/<str:variant>/", views.PhotoFileView.as_view(), name="photo_file"),
    # Outreach records (宣传记录)
    path("records/", views.OutreachRecordListView.as_view(), name="outreachrecord_list"),
    path("records/new/", views.OutreachRecordEditView.as_view(), name="outreachrecord_add"),
    path("records/<int:pk>/", views.OutreachRecordDetailView.as_view(), name="outreachrecord_detail"),
    path("records/<int:pk>/edit/", views.OutreachRecordEditView.as_view(), name="outreachrecord_edit"),
    path(
        "records/<int:pk>/delete/",
        ObjectDeleteView.as_view(model=OutreachRecord),
        name="outreachrecord_delete",
    ),
    path(
        "records/<int:pk>/history/",
        ObjectHistoryView.as_view(model=OutreachRecord),
        name="outreachrecord_history",
    ),
]
