"""API of the organisation: areas (read-only), departments, units, and `me`.

Only system administrators may write departments and units (the permissions table); the area tree is
read-only in the API: it is built by `firegrid.areas.services` (create_area, move_area), which keep
the materialised path.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from firegrid.core.api.base import PersonalDataViewSetMixin, ScopedModelViewSet, ScopedReadOnlyModelViewSet

from ..filters import AreaFilterSet, DepartmentFilterSet, UnitFilterSet
from ..models import Area, Department, Unit
from .serializers import (
    AreaDetailSerializer,
    AreaSerializer,
    DepartmentSerializer,
    MeSerializer,
    UnitSerializer,
)


class AreaViewSet(ScopedReadOnlyModelViewSet):
    """The area tree (district > subdistrict > community > grid) inside the caller's scope; read-only.

    The detail includes the area's outline (GeoJSON); lists leave it out.
    """

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return AreaDetailSerializer if self.action == "retrieve" else super().get_serializer_class()


class DepartmentViewSet(ScopedModelViewSet):
    """Functional departments (职能部门). Written by system administrators only."""

    queryset = Department.objects.select_related("area")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet


class UnitViewSet(PersonalDataViewSetMixin, ScopedModelViewSet):
    """Employer units (单位). Written by system administrators only; a unit liaison sees their own.

    The contact's mobile is masked; `POST …/{id}/reveal/` shows it and records the look."""

    queryset = Unit.objects.select_related("area")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class MeView(APIView):
    """The signed-in user: role, the roots of their scope, and what the role may do."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="当前用户")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


def register(router: BaseRouter) -> None:
    router.register("areas", AreaViewSet, basename="areas")
    router.register("departments", DepartmentViewSet, basename="departments")
    router.register("units", UnitViewSet, basename="units")
