from django.urls import path

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import AlertCase, Device

app_name = "monitoring"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/new/", views.DeviceEditView.as_view(), name="device_add"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/edit/", views.DeviceEditView.as_view(), name="device_edit"),
    path("devices/<int:pk>/history/", ObjectHistoryView.as_view(model=Device), name="device_history"),
    path("cases/", views.AlertCaseListView.as_view(), name="alertcase_list"),
    path("cases/<int:pk>/", views.AlertCaseDetailView.as_view(), name="alertcase_detail"),
    path("cases/<int:pk>/history/", ObjectHistoryView.as_view(model=AlertCase), name="alertcase_history"),
    path("cases/<int:pk>/move/<str:move>/", views.AlertCaseMoveView.as_view(), name="alertcase_move"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
]
