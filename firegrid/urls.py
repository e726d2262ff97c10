from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from firegrid.core.otp import OTPSetupView, OTPVerifyView
from firegrid.core.passwords import PasswordChangeView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    # The second-factor code after the password, for users who turned it on (firegrid.core.otp).
    path("login/verify/", OTPVerifyView.as_view(), name="otp_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/two-factor/", OTPSetupView.as_view(), name="otp_setup"),
    path("me/password/", PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script is served as a file (the split view, `?script`), so script-src stays
    # 'self'; its page has one <style> element and Swagger UI styles elements inline.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("api/v1/", include("firegrid.api_urls")),
    path("areas/", include("firegrid.areas.urls")),
    path("registry/", include("firegrid.registry.urls")),
    path("inspections/", include("firegrid.inspections.urls")),
    path("rectification/", include("firegrid.rectification.urls")),
    path("jobs/", include("firegrid.jobs.urls")),
    path("portal/", include("firegrid.portal.urls")),
    path("outreach/", include("firegrid.outreach.urls")),
    path("campaigns/", include("firegrid.campaigns.urls")),
    path("reports/", include("firegrid.reports.urls")),
    path("dashboards/", include("firegrid.dashboards.urls")),
    path("tasks/", include("firegrid.tasks.urls")),
    path("risk/", include("firegrid.risk.urls")),
    path("longterm/", include("firegrid.longterm.urls")),
    path("patrols/", include("firegrid.patrols.urls")),
    path("monitoring/", include("firegrid.monitoring.urls")),
    path("incidents/", include("firegrid.incidents.urls")),
    path("points/", include("firegrid.points.urls")),
    path("", include("firegrid.pages.urls")),
    path("", include("firegrid.core.urls")),
]
# Nothing is served from MEDIA_URL: every uploaded file (photos, attachments, documents, ledgers) holds
# personal data and goes through a view that looks it up inside the user's scope first
# (firegrid.core.responses, firegrid.core.api.files). Not even under DEBUG.
