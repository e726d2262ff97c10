from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("due/", views.DueListView.as_view(), name="premisesgrade_list"),
    path("changes/", views.GradeChangeListView.as_view(), name="gradechange_list"),
]
