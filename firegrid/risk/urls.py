from django.urls import path

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import KeyArea

app_name = "risk"

urlpatterns = [
    path("due/", views.DueListView.as_view(), name="premisesgrade_list"),
    path("changes/", views.GradeChangeListView.as_view(), name="gradechange_list"),
    # 重点区域: designated by the district command
    path("key-areas/", views.KeyAreaListView.as_view(), name="keyarea_list"),
    path("key-areas/new/", views.KeyAreaEditView.as_view(), name="keyarea_add"),
    path("key-areas/<int:pk>/", views.KeyAreaDetailView.as_view(), name="keyarea_detail"),
    path("key-areas/<int:pk>/edit/", views.KeyAreaEditView.as_view(), name="keyarea_edit"),
    path("key-areas/<int:pk>/history/", ObjectHistoryView.as_view(model=KeyArea), name="keyarea_history"),
]
