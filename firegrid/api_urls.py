"""/api/v1/: one router for every app's viewsets."""

from rest_framework.routers import DefaultRouter

from firegrid.areas.api.views import register as register_areas
from firegrid.registry.api.views import register as register_registry

router = DefaultRouter()
register_areas(router)
register_registry(router)

urlpatterns = router.urls
