"""API of the rental registry: buildings, premises, rooms, landlords, tenant households."""

from __future__ import annotations

from rest_framework.routers import BaseRouter

from firegrid.core.api.base import PersonalDataViewSetMixin, ScopedModelViewSet

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
)


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
    """Tenant households (租户). ID and mobile numbers are masked; `reveal` shows one in full, audited."""

    queryset = TenantHousehold.objects.select_related("premises__building", "room")
    serializer_class = TenantHouseholdSerializer
    filterset_class = TenantHouseholdFilterSet


def register(router: BaseRouter) -> None:
    router.register("buildings", BuildingViewSet, basename="buildings")
    router.register("premises", PremisesViewSet, basename="premises")
    router.register("rooms", RoomViewSet, basename="rooms")
    router.register("landlords", LandlordViewSet, basename="landlords")
    router.register("tenant-households", TenantHouseholdViewSet, basename="tenant-households")
