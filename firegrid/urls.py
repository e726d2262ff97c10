from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
    path("", include("firegrid.core.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
