from firegrid.core.views import crud_urls

from . import forms, views
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
