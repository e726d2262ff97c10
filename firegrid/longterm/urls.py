from django.urls import path

from firegrid.core.views import ObjectHistoryView

from . import self_inspection_views as self_inspections
from . import views
from .models import SelfInspection

app_name = "longterm"

urlpatterns = [
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("queue/start/", views.QueueStartView.as_view(), name="queue_start"),
    path("scan/", views.ScanView.as_view(), name="scan"),
    # 房东自查 (staff): firegrid/longterm/self_inspection_views.py
    path(
        "self-inspections/",
        self_inspections.SelfInspectionListView.as_view(),
        name="selfinspection_list",
    ),
    path("self-inspections/owed/", self_inspections.OwedListView.as_view(), name="owed_list"),
    path(
        "self-inspections/<int:pk>/",
        self_inspections.SelfInspectionDetailView.as_view(),
        name="selfinspection_detail",
    ),
    path(
        "self-inspections/<int:pk>/history/",
        ObjectHistoryView.as_view(model=SelfInspection),
        name="selfinspection_history",
    ),
    path(
        "self-inspections/photos/<int:pk>/<str:variant>/",
        self_inspections.SelfInspectionPhotoFileView.as_view(),
        name="selfinspectionphoto_file",
    ),
]
