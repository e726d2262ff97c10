from django.urls import include, path

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import Plan

app_name = "rectification"

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/history/", ObjectHistoryView.as_view(model=Plan), name="plan_history"),
    path("plans/<int:pk>/move/", views.PlanMoveView.as_view(), name="plan_move"),
    path(
        "plans/<int:pk>/enforcement/new/", views.EnforcementCreateView.as_view(), name="plan_enforcement_add"
    ),
    path("premises/<int:premises>/plan/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path(
        "premises/<int:premises>/enforcement/new/",
        views.EnforcementCreateView.as_view(),
        name="premises_enforcement_add",
    ),
    path("documents/<int:pk>/pdf", views.DocumentPdfView.as_view(), name="document_pdf"),
    path("documents/<int:pk>/reissue/", views.DocumentReissueView.as_view(), name="document_reissue"),
    path(
        "enforcement/attachments/<int:pk>/",
        views.EnforcementAttachmentView.as_view(),
        name="enforcement_attachment",
    ),
    path("proof/<int:pk>/<str:variant>/", views.ProofPhotoFileView.as_view(), name="proof_file"),
    path("ladder/", views.LadderView.as_view(), name="ladder"),
    path("print/", views.BatchPrintView.as_view(), name="batch_print_start"),
    path("print/<int:pk>/", views.BatchPrintStatusView.as_view(), name="batch_print"),
    path("print/<int:pk>/pdf", views.BatchPrintFileView.as_view(), name="batch_print_file"),
    # The premises file (一户一档) has its own module; it shares this namespace.
    path("", include("firegrid.rectification.urls_file")),
]
