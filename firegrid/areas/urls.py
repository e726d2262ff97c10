from django.urls import path

from firegrid.core.views import RevealView

from . import views
from .models import Unit

app_name = "areas"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("outlines/import/", views.OutlineImportView.as_view(), name="outline_import"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department_detail"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/reveal/<str:field>/", RevealView.as_view(model=Unit), name="unit_reveal"),
]
