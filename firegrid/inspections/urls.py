from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("start/", views.StartInspectionView.as_view(), name="inspection_start"),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/autosave/", views.AutosaveView.as_view(), name="inspection_autosave"),
    path("<int:pk>/submit/", views.SubmitView.as_view(), name="inspection_submit"),
    path("<int:pk>/photos/<str:item_code>/", views.PhotoUploadView.as_view(), name="inspection_photo"),
    path("photos/<int:pk>/<str:variant>/", views.PhotoFileView.as_view(), name="photo_file"),
    path("hazards/", views.HazardListView.as_view(), name="hazard_list"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("hazards/<int:pk>/void/", views.VoidHazardView.as_view(), name="hazard_void"),
    path("qr/<int:pk>.svg", views.PremisesQRCodeView.as_view(), name="premises_qr"),
    path("scan/<int:pk>/", views.PremisesScanView.as_view(), name="premises_scan"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/<int:pk>/", views.TemplateDetailView.as_view(), name="template_detail"),
]
