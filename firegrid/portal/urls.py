from django.urls import path

from . import declarations, patrols, points, self_inspection, tenants, views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # The landlord's four-category declaration (房东申报四类人员身份)
    path("declare/", declarations.DeclareView.as_view(), name="declare"),
    # The landlord's tenant register (流管通): firegrid/portal/tenants.py
    path("tenants/", tenants.TenantListView.as_view(), name="tenants"),
    path("premises/<int:pk>/move-in/", tenants.MoveInView.as_view(), name="tenant_move_in"),
    path("tenants/<int:pk>/move-out/", tenants.MoveOutView.as_view(), name="tenant_move_out"),
    # 房东自查: firegrid/portal/self_inspection.py
    path("self-inspection/", self_inspection.SelfInspectionListView.as_view(), name="self_inspection"),
    path(
        "self-inspection/<int:pk>/",
        self_inspection.SelfInspectionFormView.as_view(),
        name="self_inspection_form",
    ),
    path(
        "self-inspection/photos/<int:pk>/<str:variant>",
        self_inspection.SelfInspectionPhotoFileView.as_view(),
        name="self_inspection_photo",
    ),
    # 我的积分: firegrid/portal/points.py
    path("points/", points.PointsView.as_view(), name="points"),
    # 房东自治巡查队: firegrid/portal/patrols.py (the building plate's staff URL sends landlords to patrol_building)
    path("patrols/", patrols.MyPatrolsView.as_view(), name="patrols"),
    path("patrols/<int:pk>/", patrols.PatrolRunView.as_view(), name="patrol_run"),
    path("patrols/<int:pk>/findings/new/", patrols.FindingNewView.as_view(), name="patrol_finding"),
    path("patrols/b/<int:pk>/", patrols.BuildingScanView.as_view(), name="patrol_building"),
    # The plan page's path is printed as a QR code on every notice (rectification.documents.landlord_url).
    path("plans/<uuid:key>/", views.PlanView.as_view(), name="plan"),
    path("plans/<uuid:key>/pledge/", views.PledgeView.as_view(), name="plan_pledge"),
    path("plans/<uuid:key>/items/<int:item>/photos/", views.ProofUploadView.as_view(), name="plan_proof"),
    path("plans/<uuid:key>/recheck/", views.RecheckView.as_view(), name="plan_recheck"),
    path("proof-photos/<int:pk>/<str:variant>", views.ProofPhotoFileView.as_view(), name="proof_file"),
    path("documents/<int:pk>.pdf", views.DocumentPdfView.as_view(), name="document_pdf"),
]
