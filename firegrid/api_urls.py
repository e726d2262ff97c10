"""/api/v1/: one router for every app's viewsets, plus the caller (`me/`) and token sign-in."""

from django.urls import path

from firegrid.areas.api.views import MeView
from firegrid.areas.api.views import register as register_areas
from firegrid.campaigns.api.views import register as register_campaigns
from firegrid.core.api.auth import ObtainTokenView
from firegrid.core.api.routers import FiregridRouter
from firegrid.inspections.api.views import register as register_inspections
from firegrid.longterm.api.views import register as register_longterm
from firegrid.monitoring.api.views import register as register_monitoring
from firegrid.outreach.api.records import register as register_outreach_records
from firegrid.outreach.api.views import register as register_outreach
from firegrid.patrols.api.views import register as register_patrols
from firegrid.points.api.views import register as register_points
from firegrid.rectification.api.views import register as register_rectification
from firegrid.registry.api.ledger import register as register_ledger
from firegrid.registry.api.views import register as register_registry
from firegrid.reports.api.views import register as register_reports
from firegrid.risk.api.views import register as register_risk
from firegrid.tasks.api.views import register as register_tasks

router = FiregridRouter()
register_areas(router)
register_registry(router)
register_ledger(router)
register_inspections(router)
register_rectification(router)
register_campaigns(router)
register_outreach(router)
register_outreach_records(router)
register_tasks(router)
register_reports(router)
register_risk(router)
register_longterm(router)
register_patrols(router)
register_monitoring(router)
register_points(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
