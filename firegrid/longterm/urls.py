from django.urls import path

from . import views

app_name = "longterm"

urlpatterns = [
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("queue/start/", views.QueueStartView.as_view(), name="queue_start"),
    path("scan/", views.ScanView.as_view(), name="scan"),
]
