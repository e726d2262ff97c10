"""API of the daily report: snapshots (list, one with the rows the caller may see) and `generate/`.

Everyone who may read the report lists the snapshots; the rows inside are scoped as on the page
(`firegrid.reports.services.visible_rows`). Only the command and the system administrator generate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.query import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from firegrid.campaigns.models import Campaign
from firegrid.core.api.schema import FiregridAutoSchema

from .. import services
from ..models import DailySnapshot
from .serializers import DailySnapshotDetailSerializer, DailySnapshotSerializer, GenerateSerializer

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest


class ReportPermission(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user.is_authenticated:  # IsAuthenticated has refused the request already
            return False
        if getattr(view, "action", None) == "generate":
            return services.may_generate(user)
        return services.may_view(user)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("campaign", OpenApiTypes.STR, description="行动代号"),
            OpenApiParameter("day", OpenApiTypes.DATE, description="日期"),
        ]
    )
)
class DailySnapshotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Daily reports (日报): one row per version of a campaign's day; the newest version of a day is the
    one that counts. A snapshot never changes."""

    queryset = DailySnapshot.objects.select_related("campaign", "generated_by").order_by(
        "-day", "-version", "pk"
    )
    permission_classes = [IsAuthenticated, ReportPermission]
    schema = FiregridAutoSchema()

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return DailySnapshotDetailSerializer
        if self.action == "generate":
            return GenerateSerializer
        return DailySnapshotSerializer

    def get_queryset(self) -> QuerySet[DailySnapshot]:
        queryset = super().get_queryset()
        if self.action == "list":
            if code := self.request.query_params.get("campaign"):
                queryset = queryset.filter(campaign__code=code)
            if day := self.request.query_params.get("day"):
                queryset = queryset.filter(day=day)
        return queryset

    @extend_schema(
        request=GenerateSerializer, responses={200: DailySnapshotSerializer, 201: DailySnapshotSerializer}
    )
    @action(detail=False, methods=["post"])
    def generate(self, request: AuthedRequest) -> Response:
        """Generate a day's snapshot (201), or return the existing one (200); `correction` with a `reason`
        makes a new version."""
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = get_object_or_404(Campaign, code=data.validated_data["campaign"])
        day = data.validated_data["day"]
        before = services.newest(campaign, day)
        snapshot = services.generate_snapshot(
            campaign,
            day,
            actor=request.user,
            reason=data.validated_data["reason"],
            correction=data.validated_data["correction"],
        )
        code = (
            status.HTTP_200_OK if before is not None and before.pk == snapshot.pk else status.HTTP_201_CREATED
        )
        return Response(DailySnapshotSerializer(snapshot, context={"request": request}).data, status=code)


def register(router: BaseRouter) -> None:
    router.register("daily-reports", DailySnapshotViewSet, basename="daily-reports")
