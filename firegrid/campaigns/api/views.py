"""API of the campaign command: campaigns (with milestones) and work groups (read, create, partial
update with the `version` read), target premises (read, add, remove), claims (list, claim, transfer,
release) and the unclaimed four-category landlords.

Every write goes through `firegrid.campaigns.services`, as the pages' do: permission, scope, the checks
made together (a campaign's milestones against its period, a work group's areas against the other
groups'), audit. Neither is deleted here: the pages offer no deletion either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models.query import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.serializers import BaseSerializer

from firegrid.core.api.base import ReadAfterWriteMixin, ScopedModelViewSet, ScopedViewSetMixin
from firegrid.core.api.schema import CONFLICT, ERRORS, UPDATE_ACTIONS
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
    TargetRemoveSerializer,
    TransferSerializer,
    WorkGroupSerializer,
    WorkGroupUpdateSerializer,
)

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest

ACTIONS = ScopedViewSetMixin.action_permissions
# Read, create and partial update: no PUT (a client sends what it changes) and no delete.
WRITABLE_METHODS = ["get", "post", "patch", "head", "options"]


@extend_schema_view(
    list=extend_schema(summary="专项整治行动列表"),
    retrieve=extend_schema(summary="专项整治行动详情"),
    create=extend_schema(
        summary="新建专项整治行动",
        description="区指挥部、系统管理员。节点目标的日期须在行动期间内，否则 400，错误在 milestones 上，"
        "写明第几个节点；代号不能重复。",
        responses={201: CampaignSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改专项整治行动",
        description="须提交读取时的 version；他人已修改返回 409。提交 milestones 则整体替换原有节点；"
        "修改行动期间时，原有节点也须仍在期间内（否则 400，错误在 milestones 上）。",
        responses={200: CampaignSerializer, **ERRORS, **CONFLICT},
    ),
)
class CampaignViewSet(ReadAfterWriteMixin, ScopedModelViewSet):
    """Campaigns (专项整治行动) with their period, scope (areas), status and milestones (节点目标)."""

    queryset = Campaign.objects.prefetch_related("areas", "milestones")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    http_method_names = WRITABLE_METHODS
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "unclaimed_landlords": Action.VIEW}

    @extend_schema(
        summary="未认领的四类人员房东",
        description="行动范围内有出租户、尚无单位认领的四类人员房东（调用者管辖范围内）。",
        responses=LandlordSerializer(many=True),
        parameters=[OpenApiParameter("q", str, description="姓名或住址关键字")],
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="unclaimed-landlords", filter_backends=[])
    def unclaimed_landlords(self, request: AuthedRequest, pk: str | None = None) -> Response:
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
    list=extend_schema(summary="专项整治工作组列表"),
    retrieve=extend_schema(summary="工作组详情"),
    create=extend_schema(
        summary="新建工作组",
        description="区指挥部、系统管理员。负责区域须在行动范围内，且不能已属于本次行动的其他工作组"
        "（按网格计：社区与其下的网格不能分属两个组），否则 400，错误在 areas 上并写明所属工作组；"
        "网格长和成员为在职的工作人员。",
        responses={201: WorkGroupSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改工作组",
        description="须提交读取时的 version；他人已修改返回 409。工作组不能改到其他行动（campaign 只读）。"
        "区域规则同新建。",
        responses={200: WorkGroupSerializer, **ERRORS, **CONFLICT},
    ),
)
class WorkGroupViewSet(ReadAfterWriteMixin, ScopedModelViewSet):
    """Work groups (专项整治工作组): leader, members, departments and the areas they own."""

    queryset = WorkGroup.objects.prefetch_related("members", "departments", "areas")
    serializer_class = WorkGroupSerializer
    filterset_class = WorkGroupFilterSet
    http_method_names = WRITABLE_METHODS

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in UPDATE_ACTIONS:
            return WorkGroupUpdateSerializer
        return super().get_serializer_class()


@extend_schema_view(
    list=extend_schema(
        summary="整治对象列表",
        description="每行是一段成为整治对象的期间：joined_on 起计入，left_on 起不再计入（空：仍是整治对象）。"
        "移出的行保留。`member_on=YYYY-MM-DD` 列出该日的整治对象，`current=true` 列出未移出的；"
        "`progress` 需同时给出 `campaign`。",
    ),
    retrieve=extend_schema(summary="整治对象详情"),
)
class CampaignTargetViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A campaign's target memberships (整治对象) in the caller's scope, with their dates: from the hazards
    found or added by hand; the command adds and removes them (removal needs a `reason`, and ends the
    membership on a day — the row stays, so past figures keep their lists)."""

    queryset = CampaignTarget.objects.select_related("premises__building", "left_by")
    serializer_class = CampaignTargetSerializer
    filterset_class = CampaignTargetFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "remove": Action.DELETE}
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[CampaignTarget]:
        user = self.request.user
        if not can(user, Action.VIEW, CampaignTarget):
            return self.queryset.none()
        return self.queryset.filter(premises__in=Premises.objects.visible_to(user).values("pk")).order_by(
            "-pk"
        )

    @extend_schema(
        summary="加入整治对象",
        description="区指挥部、系统管理员。行动已结束的，须填写原因，并生成最后一日日报的更正版本。",
        request=TargetAddSerializer,
        responses={201: CampaignTargetSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = TargetAddSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.add_target(
            data["campaign"],
            data["premises"],
            actor=request.user,
            reason=data["reason"],
            on=data["joined_on"],
        )
        return Response(CampaignTargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="移出整治对象",
        description="区指挥部、系统管理员，须填写原因。自 left_on（默认今天）起不再计入；此前各日的数字和清单不变。"
        "行动已结束的，生成最后一日日报的更正版本。",
        request=TargetRemoveSerializer,
        responses={200: CampaignTargetSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def remove(self, request: AuthedRequest, pk: str | None = None) -> Response:
        target = self.get_object()
        serializer = TargetRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        removed = services.remove_target(
            target, actor=request.user, reason=data["reason"], on=data["left_on"]
        )
        return Response(CampaignTargetSerializer(removed).data)


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

    def _read(self, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
        return Response(ClaimSerializer(claim).data, status=code)

    @extend_schema(
        summary="认领房东",
        description="房东须为四类人员、在行动范围内有出租户、尚未被其他单位认领（错误中写明认领单位）。"
        "单位联络人只能为本单位认领（否则 403）。",
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
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
    def transfer(self, request: AuthedRequest, pk: str | None = None) -> Response:
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
    def release(self, request: AuthedRequest, pk: str | None = None) -> Response:
        claim = self.get_object()
        serializer = ClaimReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._read(
            services.release(claim, actor=request.user, reason=serializer.validated_data["reason"])
        )


def register(router: BaseRouter) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaigns")
    router.register("work-groups", WorkGroupViewSet, basename="work-groups")
    router.register("campaign-targets", CampaignTargetViewSet, basename="campaign-targets")
    router.register("claims", ClaimViewSet, basename="claims")
