"""API of the campaign command: campaigns (with milestones), work groups, target premises (read, add,
remove), claims (list, claim, transfer, release) and the unclaimed four-category landlords.

Campaigns and work groups are read here; the command edits them on their pages (a campaign's milestones
and a work group's areas are checked together, which the pages do in one form). Every write goes through
`firegrid.campaigns.services`: permission, scope, audit.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.permissions import Action, can
from firegrid.registry.api.serializers import LandlordSerializer
from firegrid.registry.filters import LandlordFilterSet
from firegrid.registry.models import Premises

from .. import services
from ..filters import CampaignFilterSet, CampaignTargetFilterSet, ClaimFilterSet, WorkGroupFilterSet
from ..models import Campaign, CampaignTarget, Claim, WorkGroup
from ..views import unclaimed_in_scope
from .serializers import (
    CampaignSerializer,
    CampaignTargetSerializer,
    ClaimCreateSerializer,
    ClaimReasonSerializer,
    ClaimSerializer,
    TargetAddSerializer,
    TransferSerializer,
    WorkGroupSerializer,
)

ACTIONS = ScopedViewSetMixin.action_permissions
ERRORS = {
    400: OpenApiResponse(description="字段错误（按字段名返回），或 non_field_errors"),
    403: OpenApiResponse(description="角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}


@extend_schema_view(
    list=extend_schema(summary="专项整治行动列表"), retrieve=extend_schema(summary="专项整治行动详情")
)
class CampaignViewSet(ScopedReadOnlyModelViewSet):
    """Campaigns (专项整治行动) with their period, scope (areas), status and milestones (节点目标)."""

    queryset = Campaign.objects.prefetch_related("areas", "milestones")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "unclaimed_landlords": Action.VIEW}

    @extend_schema(
        summary="未认领的四类人员房东",
        description="行动范围内有出租户、尚无单位认领的四类人员房东（调用者管辖范围内）。",
        responses=LandlordSerializer(many=True),
        parameters=[OpenApiParameter("q", str, description="姓名或住址关键字")],
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="unclaimed-landlords", filter_backends=[])
    def unclaimed_landlords(self, request, pk=None):
        campaign = self.get_object()
        if not can(request.user, Action.VIEW, Claim):
            raise PermissionDenied
        queryset = unclaimed_in_scope(campaign, request.user).select_related("employer_unit", "area")
        filterset = LandlordFilterSet(request.query_params, queryset=queryset, request=request)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            LandlordSerializer(page, many=True, context=self.get_serializer_context()).data
        )


@extend_schema_view(
    list=extend_schema(summary="专项整治工作组列表"), retrieve=extend_schema(summary="工作组详情")
)
class WorkGroupViewSet(ScopedReadOnlyModelViewSet):
    """Work groups (专项整治工作组): leader, members, departments and the areas they own."""

    queryset = WorkGroup.objects.prefetch_related("members", "departments", "areas")
    serializer_class = WorkGroupSerializer
    filterset_class = WorkGroupFilterSet


@extend_schema_view(
    list=extend_schema(summary="整治对象列表", description="`progress` 需同时给出 `campaign`。"),
    retrieve=extend_schema(summary="整治对象详情"),
)
class CampaignTargetViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A campaign's target premises (整治对象) in the caller's scope: from the hazards found or added by
    hand; the command adds and removes them (removal needs a `reason`)."""

    queryset = CampaignTarget.objects.select_related("premises__building")
    serializer_class = CampaignTargetSerializer
    filterset_class = CampaignTargetFilterSet

    def get_queryset(self):
        user = self.request.user
        if not can(user, Action.VIEW, CampaignTarget):
            return self.queryset.none()
        return self.queryset.filter(premises__in=Premises.objects.visible_to(user).values("pk")).order_by(
            "-pk"
        )

    @extend_schema(
        summary="加入整治对象",
        request=TargetAddSerializer,
        responses={201: CampaignTargetSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = TargetAddSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.add_target(
            data["campaign"], data["premises"], actor=request.user, reason=data["reason"]
        )
        return Response(CampaignTargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="移出整治对象", request=ClaimReasonSerializer, responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        target = self.get_object()
        serializer = ClaimReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.remove_target(target, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="单位认领列表"), retrieve=extend_schema(summary="认领详情"))
class ClaimViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Claims (认领) of four-category landlords by their employer units: one active claim per landlord per
    campaign. A unit liaison claims for their own unit; the command for any unit, and transfers and
    releases (with a reason)."""

    queryset = Claim.objects.select_related("landlord", "unit")
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "transfer": Action.CHANGE,
        "release": Action.CHANGE,
    }

    def _read(self, claim: Claim, code=status.HTTP_200_OK) -> Response:
        return Response(ClaimSerializer(claim).data, status=code)

    @extend_schema(
        summary="认领房东",
        description="房东须为四类人员、在行动范围内有出租户、尚未被其他单位认领（错误中写明认领单位）。"
        "单位联络人只能为本单位认领（否则 403）。",
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = ClaimCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = services.claim(
            data["landlord"],
            data["unit"],
            campaign=data["campaign"],
            actor=request.user,
            reason=data["reason"],
        )
        return self._read(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="移交给其他单位", request=TransferSerializer, responses={201: ClaimSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def transfer(self, request, pk=None):
        claim = self.get_object()
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = services.transfer(claim, data["to_unit"], actor=request.user, reason=data["reason"])
        return self._read(new, status.HTTP_201_CREATED)

    @extend_schema(
        summary="释放认领", request=ClaimReasonSerializer, responses={200: ClaimSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def release(self, request, pk=None):
        claim = self.get_object()
        serializer = ClaimReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._read(
            services.release(claim, actor=request.user, reason=serializer.validated_data["reason"])
        )


def register(router) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaigns")
    router.register("work-groups", WorkGroupViewSet, basename="work-groups")
    router.register("campaign-targets", CampaignTargetViewSet, basename="campaign-targets")
    router.register("claims", ClaimViewSet, basename="claims")
