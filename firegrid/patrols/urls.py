from django.urls import path

from firegrid.core.views import ObjectDeleteView, ObjectHistoryView

from .models import FabricationFlag, Patrol, PatrolFinding, PatrolTeam
from .views import coverage, patrols, phone, plates, records, teams

app_name = "patrols"

urlpatterns = [
    # 巡查 (patrols/views/patrols.py)
    path("", patrols.PatrolListView.as_view(), name="patrol_list"),
    path("new/", patrols.PatrolPlanView.as_view(), name="patrol_add"),
    path("<int:pk>/", patrols.PatrolDetailView.as_view(), name="patrol_detail"),
    path("<int:pk>/history/", ObjectHistoryView.as_view(model=Patrol), name="patrol_history"),
    path("<int:pk>/move/<str:move>/", patrols.PatrolMoveView.as_view(), name="patrol_move"),
    # The phone side (views/phone.py); the building plate's URL is printed as a QR code: keep it.
    path("mine/", phone.MyPatrolsView.as_view(), name="mine"),
    path("<int:pk>/run/", phone.PatrolRunView.as_view(), name="patrol_run"),
    path("<int:pk>/findings/new/", phone.FindingNewView.as_view(), name="finding_new"),
    path("b/<int:pk>/", phone.BuildingScanView.as_view(), name="building_scan"),
    # Plates (views/plates.py)
    path("b/<int:pk>.svg", plates.BuildingQRCodeView.as_view(), name="building_qr"),
    path("plates/", plates.PlatePrintView.as_view(), name="plates"),
    # 巡查队 (views/teams.py)
    path("teams/", teams.PatrolTeamListView.as_view(), name="patrolteam_list"),
    path("teams/new/", teams.PatrolTeamEditView.as_view(), name="patrolteam_add"),
    path("teams/<int:pk>/", teams.PatrolTeamDetailView.as_view(), name="patrolteam_detail"),
    path("teams/<int:pk>/edit/", teams.PatrolTeamEditView.as_view(), name="patrolteam_edit"),
    path("teams/<int:pk>/delete/", ObjectDeleteView.as_view(model=PatrolTeam), name="patrolteam_delete"),
    path("teams/<int:pk>/history/", ObjectHistoryView.as_view(model=PatrolTeam), name="patrolteam_history"),
    # Scans, findings, flags (views/records.py)
    path("scans/", records.PatrolScanListView.as_view(), name="patrolscan_list"),
    path("scans/<int:pk>/", records.PatrolScanDetailView.as_view(), name="patrolscan_detail"),
    path("findings/", records.PatrolFindingListView.as_view(), name="patrolfinding_list"),
    path("findings/<int:pk>/", records.PatrolFindingDetailView.as_view(), name="patrolfinding_detail"),
    path("findings/<int:pk>/close/", records.CloseFindingView.as_view(), name="patrolfinding_close"),
    path(
        "findings/<int:pk>/history/",
        ObjectHistoryView.as_view(model=PatrolFinding),
        name="patrolfinding_history",
    ),
    path(
        "finding-photos/<int:pk>/<str:variant>/",
        records.FindingPhotoFileView.as_view(),
        name="finding_photo_file",
    ),
    path("flags/", records.FabricationFlagListView.as_view(), name="fabricationflag_list"),
    path("flags/<int:pk>/", records.FabricationFlagDetailView.as_view(), name="fabricationflag_detail"),
    path("flags/<int:pk>/review/", records.ReviewFlagView.as_view(), name="fabricationflag_review"),
    path(
        "flags/<int:pk>/history/",
        ObjectHistoryView.as_view(model=FabricationFlag),
        name="fabricationflag_history",
    ),
    # 巡查覆盖 (views/coverage.py)
    path("coverage/", coverage.CoverageView.as_view(), name="coverage"),
    path("coverage/buildings/", coverage.CoverageBuildingListView.as_view(), name="coverage_buildings"),
]
