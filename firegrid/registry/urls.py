from django.urls import path

from firegrid.core.views import crud_urls

from . import forms, ledger_views, views
from .models import Building, Landlord, Premises, Room, TenantHousehold

app_name = "registry"

urlpatterns = [
    *crud_urls(
        Building,
        list_view=views.BuildingListView,
        detail_view=views.BuildingDetailView,
        form_class=forms.BuildingForm,
        prefix="buildings",
    ),
    *crud_urls(
        Premises,
        list_view=views.PremisesListView,
        detail_view=views.PremisesDetailView,
        form_class=forms.PremisesForm,
        prefix="premises",
    ),
    *crud_urls(
        Room,
        list_view=views.RoomListView,
        detail_view=views.RoomDetailView,
        form_class=forms.RoomForm,
        prefix="rooms",
    ),
    *crud_urls(
        Landlord,
        list_view=views.LandlordListView,
        detail_view=views.LandlordDetailView,
        form_class=forms.LandlordForm,
        prefix="landlords",
    ),
    *crud_urls(
        TenantHousehold,
        list_view=views.TenantHouseholdListView,
        detail_view=views.TenantHouseholdDetailView,
        form_class=forms.TenantHouseholdForm,
        prefix="tenant-households",
    ),
]

# Tenant moves awaiting confirmation (流管通): firegrid/registry/services.py
urlpatterns += [
    path("tenant-moves/", views.TenantMoveListView.as_view(), name="tenant_moves"),
    path(
        "tenant-moves/<int:pk>/confirm/",
        views.TenantMoveConfirmView.as_view(),
        name="tenant_move_confirm",
    ),
]

# Ledger import (台账导入): firegrid/registry/ledger_views.py
urlpatterns += [
    path("ledger/", ledger_views.LedgerHomeView.as_view(), name="ledger_home"),
    path(
        "ledger/templates/<str:kind>.xlsx",
        ledger_views.TemplateDownloadView.as_view(),
        name="ledger_template",
    ),
    path("ledger/jobs/<int:pk>/", ledger_views.JobView.as_view(), name="ledger_job"),
    path("ledger/jobs/<int:pk>/mapping/", ledger_views.MappingView.as_view(), name="ledger_mapping"),
    path("ledger/jobs/<int:pk>/values/", ledger_views.ValuesView.as_view(), name="ledger_values"),
    path("ledger/jobs/<int:pk>/progress/", ledger_views.ProgressView.as_view(), name="ledger_progress"),
    path("ledger/jobs/<int:pk>/validate/", ledger_views.ValidateView.as_view(), name="ledger_validate"),
    path("ledger/jobs/<int:pk>/commit/", ledger_views.CommitView.as_view(), name="ledger_commit"),
    path("ledger/jobs/<int:pk>/report.xlsx", ledger_views.ReportView.as_view(), name="ledger_report"),
]
