from django.urls import path

from . import evaluation_views, views

app_name = "points"

urlpatterns = [
    path("entries/", views.EntryListView.as_view(), name="pointsentry_list"),
    path("entries/<int:pk>/source/", views.EntrySourceView.as_view(), name="entry_source"),
    path("landlords/", views.LandlordTotalsView.as_view(), name="landlord_totals"),
    path("landlords/<int:pk>/", views.LandlordPointsView.as_view(), name="landlord_points"),
    path("landlords/<int:pk>/entries/new/", views.ManualEntryView.as_view(), name="manual_entry"),
    path("evaluations/", evaluation_views.EvaluationView.as_view(), name="evaluation_current"),
    path("evaluations/<int:year>/", evaluation_views.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluations/<int:year>/compute/", evaluation_views.ComputeView.as_view(), name="evaluation_compute"
    ),
    path(
        "evaluations/<int:year>/confirm/", evaluation_views.ConfirmView.as_view(), name="evaluation_confirm"
    ),
    path("nominations/", evaluation_views.NominationListView.as_view(), name="nomination_list"),
    path(
        "nominations/<int:pk>/certificate.pdf",
        evaluation_views.CertificatePdfView.as_view(),
        name="certificate_pdf",
    ),
]
