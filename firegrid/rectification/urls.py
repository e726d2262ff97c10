from django.urls import path

from firegrid.core.views import ObjectHistoryView

from .models import Plan
from .views import documents, drafting, editing, enforcement, plans, premises_file

app_name = "rectification"

urlpatterns = [
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/draft/", drafting.DraftPlanView.as_view(), name="plan_draft"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", editing.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/history/", ObjectHistoryView.as_view(model=Plan), name="plan_history"),
    path("plans/<int:pk>/move/", plans.PlanMoveView.as_view(), name="plan_move"),
    path(
        "plans/<int:pk>/enforcement/new/",
        enforcement.EnforcementCreateView.as_view(),
        name="plan_enforcement_add",
    ),
    path("premises/<int:premises>/plan/new/", editing.PlanCreateView.as_view(), name="plan_create"),
    path(
        "premises/<int:premises>/enforcement/new/",
        enforcement.EnforcementCreateView.as_view(),
        name="premises_enforcement_add",
    ),
    path("documents/<int:pk>/pdf", documents.DocumentPdfView.as_view(), name="document_pdf"),
    path("documents/<int:pk>/reissue/", documents.DocumentReissueView.as_view(), name="document_reissue"),
    path(
        "enforcement/attachments/<int:pk>/",
        enforcement.EnforcementAttachmentView.as_view(),
        name="enforcement_attachment",
    ),
    path("proof/<int:pk>/<str:variant>/", documents.ProofPhotoFileView.as_view(), name="proof_file"),
    path("ladder/", enforcement.LadderView.as_view(), name="ladder"),
    path("print/", documents.BatchPrintView.as_view(), name="batch_print_start"),
    path("print/<int:pk>/", documents.BatchPrintStatusView.as_view(), name="batch_print"),
    path("print/<int:pk>/pdf", documents.BatchPrintFileView.as_view(), name="batch_print_file"),
    # The premises file (一户一档).
    path("premises/<int:pk>/file/", premises_file.PremisesFileView.as_view(), name="premises_file"),
    path("premises/<int:pk>/file.pdf", premises_file.PremisesDossierView.as_view(), name="premises_dossier"),
    path(
        "premises/<int:pk>/file/notes/", premises_file.PremisesNoteView.as_view(), name="premises_file_note"
    ),
]
