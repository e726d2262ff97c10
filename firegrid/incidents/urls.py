from django.urls import path

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import FireIncident

app_name = "incidents"

urlpatterns = [
    path("", views.FireIncidentListView.as_view(), name="fireincident_list"),
    path("new/", views.FireIncidentEditView.as_view(), name="fireincident_add"),
    path("hotspots/", views.HotspotsView.as_view(), name="hotspots"),
    path("<int:pk>/", views.FireIncidentDetailView.as_view(), name="fireincident_detail"),
    path("<int:pk>/edit/", views.FireIncidentEditView.as_view(), name="fireincident_edit"),
    path("<int:pk>/history/", ObjectHistoryView.as_view(model=FireIncident), name="fireincident_history"),
    path("<int:pk>/match/<str:move>/", views.MatchMoveView.as_view(), name="fireincident_match"),
]
