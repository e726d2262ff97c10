"""/api/v1/: one router for every app's viewsets, plus the caller (`me/`) and token sign-in."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.areas.api.views import MeView
from firegrid.areas.api.views import register as register_areas
from firegrid.core.api.auth import ObtainTokenView
from firegrid.inspections.api.views import register as register_inspections
from firegrid.rectification.api.views import register as register_rectification
from firegrid.registry.api.views import register as register_registry

router = DefaultRouter()
register_areas(router)
register_registry(router)
register_inspections(router)
register_rectification(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
