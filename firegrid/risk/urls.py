from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.FiguresView.as_view(), name="figures"),
    path("due/", views.DueListView.as_view(), name="premisesgrade_list"),
]
