from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobRunListView.as_view(), name="run_list"),
    path("<int:pk>/progress", views.ProgressView.as_view(), name="progress"),
    path("<int:pk>/retry", views.RetryView.as_view(), name="retry"),
]
