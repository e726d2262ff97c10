"""API of the rental registry: buildings, premises, rooms, landlords, tenant households."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.core.api.base import PersonalDataViewSetMixin, ScopedModelViewSet
from firegrid.core.api.schema import ERRORS
from firegrid.core.permissions import Action

from .. import services
from ..filters import (
    BuildingFilterSet,
    LandlordFilterSet,
    PremisesFilterSet,
    RoomFilterSet,
    TenantHouseholdFilterSet,
)
from ..models import Building, Landlord, Premises, Room, TenantHousehold
from .serializers import (
    BuildingSerializer,
    LandlordSerializer,
    PremisesSerializer,
    RoomSerializer,
    TenantHouseholdSerializer,
    TenantMoveInSerializer,
    TenantMoveOutSerializer,
)

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest


class BuildingViewSet(ScopedModelViewSet):
    """Buildings (幢) in the caller's grids. `area` filters by any area, descendants included."""

    queryset = Building.objects.select_related("grid")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet


class PremisesViewSet(ScopedModelViewSet):
    """Premises (户): rentals, rented shops and mixed-use premises in the caller's scope."""

    queryset = Premises.objects.select_related("building__grid", "landlord")
    serializer_class = PremisesSerializer
    filterset_class = PremisesFilterSet


class RoomViewSet(ScopedModelViewSet):
    """Rooms (间) of the premises in the caller's scope."""

    queryset = Room.objects.select_related("premises__building")
    serializer_class = RoomSerializer
    filterset_class = RoomFilterSet


class LandlordViewSet(PersonalDataViewSetMixin, ScopedModelViewSet):
    """Landlords (房东). ID and mobile numbers are masked; `reveal` shows one in full and is audited."""

    queryset = Landlord.objects.select_related("area", "employer_unit")
    serializer_class = LandlordSerializer
    filterset_class = LandlordFilterSet


class TenantHouseholdViewSet(PersonalDataViewSetMixin, ScopedModelViewSet):
    """Tenant households (租户). ID and mobile numbers are masked; `reveal` shows one in full, audited.

    Tenant moves (流管通): `move-in`, `{id}/move-out/` (a landlord's wait for confirmation, `awaiting=true`
    lists them) and `{id}/confirm/` (a grid worker confirms at a visit)."""

    queryset = TenantHousehold.objects.select_related("premises__building", "room")
    serializer_class = TenantHouseholdSerializer
    filterset_class = TenantHouseholdFilterSet
    action_permissions = {
        **ScopedModelViewSet.action_permissions,
        "move_in": Action.ADD,
        "move_out": Action.CHANGE,
        "confirm": Action.CHANGE,
    }

    def _read(self, household: TenantHousehold, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=household.pk)
        return Response(
            TenantHouseholdSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        summary="租户入住登记",
        description="房东登记的入住待网格员核实（awaiting_confirmation）；网格员登记的即为已核实。"
        "身份证号码校验位不正确等错误按字段返回。",
        request=TenantMoveInSerializer,
        responses={201: TenantHouseholdSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="move-in", filter_backends=[])
    def move_in(self, request: AuthedRequest) -> Response:
        serializer = TenantMoveInSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._read(serializer.save(), status.HTTP_201_CREATED)

    @extend_schema(
        summary="租户搬离登记",
        description="房东登记的搬离待网格员核实。",
        request=TenantMoveOutSerializer,
        responses={200: TenantHouseholdSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="move-out", filter_backends=[])
    def move_out(self, request: AuthedRequest, pk: str | None = None) -> Response:
        household = self.get_object()
        serializer = TenantMoveOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved_out = serializer.validated_data["moved_out"]
        return self._read(services.register_move_out(household, moved_out, actor=request.user))

    @extend_schema(
        summary="核实租户变动",
        description="网格员（或社区、街道工作人员）核实房东登记的入住或搬离；房东不能核实（403）。",
        request=None,
        responses={200: TenantHouseholdSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request: AuthedRequest, pk: str | None = None) -> Response:
        household = self.get_object()
        return self._read(services.confirm_move(household, actor=request.user))


def register(router: BaseRouter) -> None:
    router.register("buildings", BuildingViewSet, basename="buildings")
    router.register("premises", PremisesViewSet, basename="premises")
    router.register("rooms", RoomViewSet, basename="rooms")
    router.register("landlords", LandlordViewSet, basename="landlords")
    router.register("tenant-households", TenantHouseholdViewSet, basename="tenant-households")
