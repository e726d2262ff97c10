from django.urls import path

from firegrid.inspections.models import Photo
from firegrid.longterm.models import SelfInspectionPhoto
from firegrid.rectification.models import ProofPhoto

from . import (
    alerts,
    bookings,
    declarations,
    files,
    help,
    patrols,
    points,
    prefs,
    premises,
    self_inspection,
    tenants,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # 长辈模式 on or off for this device (a cookie; the language switch is Django's set_language)
    path("elder-mode/", prefs.ElderModeView.as_view(), name="elder_mode"),
    # 帮助: the landlord's guide inside the portal (firegrid/portal/help.py)
    path("help/", help.HelpView.as_view(), name="help"),
    # One of the landlord's premises: firegrid/portal/premises.py (the staff page sends landlords here)
    path("premises/<int:pk>/", premises.PremisesView.as_view(), name="premises"),
    # 一户一档 as the landlord may read it: firegrid/portal/premises.py
    path("premises/<int:pk>/file/", premises.PremisesFileView.as_view(), name="premises_file"),
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
        files.PhotoFileView.as_view(model=SelfInspectionPhoto),
        name="self_inspection_photo",
    ),
    # 报警处置: the alert cases of the landlord's premises (firegrid/portal/alerts.py; the staff case pages
    # and the landlord's alarm notification lead here)
    path("alerts/", alerts.AlertCaseListView.as_view(), name="alerts"),
    path("alerts/<int:pk>/", alerts.AlertCaseView.as_view(), name="alert_case"),
    # 我的积分: firegrid/portal/points.py; certificates and inspection photos: firegrid/portal/files.py
    path("points/", points.PointsView.as_view(), name="points"),
    path("certificates/<int:pk>.pdf", files.CertificatePdfView.as_view(), name="certificate_pdf"),
    path("photos/<int:pk>/<str:variant>", files.PhotoFileView.as_view(model=Photo), name="evidence_file"),
    # 房东自治巡查队: firegrid/portal/patrols.py (the building plate's staff URL sends landlords to patrol_building)
    path("patrols/", patrols.MyPatrolsView.as_view(), name="patrols"),
    path("patrols/<int:pk>/", patrols.PatrolRunView.as_view(), name="patrol_run"),
    path("patrols/<int:pk>/findings/new/", patrols.FindingNewView.as_view(), name="patrol_finding"),
    path("patrols/<int:pk>/move/<str:move>/", patrols.PatrolMoveView.as_view(), name="patrol_move"),
    path("patrols/b/<int:pk>/", patrols.BuildingScanView.as_view(), name="patrol_building"),
    # The plan page's path is printed as a QR code on every notice (rectification.documents.landlord_url).
    path("plans/<uuid:key>/", views.PlanView.as_view(), name="plan"),
    path("plans/<uuid:key>/pledge/", views.PledgeView.as_view(), name="plan_pledge"),
    path("plans/<uuid:key>/items/<int:item>/photos/", views.ProofUploadView.as_view(), name="plan_proof"),
    path("plans/<uuid:key>/recheck/", views.RecheckView.as_view(), name="plan_recheck"),
    # 预约施工: firegrid/portal/bookings.py
    path("plans/<uuid:key>/book/", bookings.BookView.as_view(), name="plan_book"),
    path("bookings/<int:pk>/cancel/", bookings.BookingCancelView.as_view(), name="booking_cancel"),
    path(
        "proof-photos/<int:pk>/<str:variant>",
        files.PhotoFileView.as_view(model=ProofPhoto),
        name="proof_file",
    ),
    path("documents/<int:pk>.pdf", views.DocumentPdfView.as_view(), name="document_pdf"),
]
