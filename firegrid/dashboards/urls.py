from csp.decorators import csp_update
from django.urls import path

from . import screen_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardIndexView.as_view(), name="index"),
    path("longterm/", views.LongtermView.as_view(), name="longterm"),
    path("screen/", screen_views.ScreenView.as_view(), name="screen"),
    path("screen/data.json", screen_views.ScreenDataView.as_view(), name="screen_data"),
    # ECharts writes its tooltips as HTML with style attributes: allowed here (attributes only, no
    # <style> element and no script), on this page alone.
    path(
        "campaigns/<int:pk>/",
        csp_update({"style-src-attr": ["'unsafe-inline'"]})(views.CampaignDashboardView.as_view()),
        name="campaign",
    ),
    path("campaigns/<int:pk>/points.json", views.MapPointsView.as_view(), name="points"),
    path("campaigns/<int:pk>/hazards/", views.CampaignHazardListView.as_view(), name="hazards"),
    path(
        "campaigns/<int:pk>/reports/<str:day>/not-surveyed/",
        views.SnapshotPremisesView.as_view(),
        name="snapshot_premises",
    ),
    path("campaigns/<int:pk>/overdue/", views.OverduePlanListView.as_view(), name="overdue_plans"),
]
