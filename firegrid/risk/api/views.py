"""API of risk: premises grades (read-only, scoped, filtered like the due list, reasons in the reader's
language, with their grade history) and rule sets (read by every role that reads grades; the system
administrator makes a draft version, sets its parameters and publishes it through the services)."""

from __future__ import annotations

from typing import ClassVar

from django.db.models import F
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action

from .. import services
from ..filters import PremisesGradeFilterSet
from ..models import GradeChange, PremisesGrade, RiskRuleSet
from .serializers import (
    GradeChangeSerializer,
    PremisesGradeSerializer,
    RiskRuleSetSerializer,
    RuleSetParametersSerializer,
    RuleSetVersionSerializer,
)

ACTIONS = ScopedViewSetMixin.action_permissions


@extend_schema_view(
    list=extend_schema(
        summary="风险等级列表", description="按风险等级、再按超期天数排序；筛选同复查到期清单。"
    ),
    retrieve=extend_schema(summary="出租户的风险等级", description="id 即出租户的 id。"),
)
class PremisesGradeViewSet(ScopedReadOnlyModelViewSet[PremisesGrade]):
    """Risk grades (风险等级) of the premises in the caller's scope, computed by the system. A grade's key
    is its premises' id: `risk-grades/{premises}/` is that premises' grade."""

    queryset = PremisesGrade.objects.select_related("premises__building__grid", "rule_set")
    serializer_class = PremisesGradeSerializer
    filterset_class = PremisesGradeFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "changes": Action.VIEW}

    @extend_schema(
        summary="等级变化",
        description="该出租户风险等级的变化记录，最新的在前。",
        responses=GradeChangeSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def changes(self, request: AuthedRequest, pk: str | None = None) -> Response:
        grade = self.get_object()
        rows = (
            GradeChange.objects.visible_to(request.user)
            .filter(premises_id=grade.pk)
            .select_related("rule_set")
            .order_by("-computed_at", "-id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(GradeChangeSerializer(page, many=True).data)


class RiskRuleSetViewSet(ScopedReadOnlyModelViewSet[RiskRuleSet]):
    """Risk rule sets (风险规则), one row per version. A published version never changes; the system
    administrator copies it into a draft (`new-version`), edits it (`parameters`) and publishes it."""

    queryset = RiskRuleSet.objects.select_related("based_on").order_by(
        F("published_at").desc(nulls_first=True), "code"
    )
    serializer_class = RiskRuleSetSerializer
    filterset_fields = ["status"]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "new_version": Action.ADD,
        "parameters": Action.CHANGE,
        "publish": Action.CHANGE,
    }

    def _respond(self, rule_set: RiskRuleSet, code: int = status.HTTP_200_OK) -> Response:
        return Response(RiskRuleSetSerializer(rule_set).data, status=code)

    @extend_schema(
        summary="创建新版本",
        description="复制该版本的参数为一个新的草稿版本。仅系统管理员。",
        request=RuleSetVersionSerializer,
        responses={201: RiskRuleSetSerializer},
    )
    @action(detail=True, methods=["post"], url_path="new-version", filter_backends=[])
    def new_version(self, request: AuthedRequest, pk: str | None = None) -> Response:
        base = self.get_object()
        serializer = RuleSetVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.create_rule_set_draft(
            base,
            code=serializer.validated_data["code"],
            name=serializer.validated_data.get("name", ""),
            actor=request.user,
        )
        return self._respond(draft, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改参数",
        description="设置草稿版本的参数：{parameters: {分组: {参数名: 值}}, version}。已发布的版本不能修改"
        "（400）；错误按“分组.参数名”返回。仅系统管理员。",
        request=RuleSetParametersSerializer,
        responses=RiskRuleSetSerializer,
    )
    @action(detail=True, methods=["patch"], filter_backends=[])
    def parameters(self, request: AuthedRequest, pk: str | None = None) -> Response:
        rule_set = self.get_object()
        serializer = RuleSetParametersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.update_rule_set_parameters(
            rule_set,
            serializer.validated_data["parameters"],
            actor=request.user,
            expected_version=serializer.validated_data.get("version"),
        )
        return self._respond(updated)

    @extend_schema(
        summary="发布",
        description="发布草稿版本：此后的风险等级按该版本计算（发布后全部重算），原版本停用。仅系统管理员。",
        request=None,
        responses=RiskRuleSetSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._respond(services.publish_rule_set(self.get_object(), actor=request.user))


def register(router: BaseRouter) -> None:
    router.register("risk-grades", PremisesGradeViewSet, basename="risk-grades")
    router.register("risk-rule-sets", RiskRuleSetViewSet, basename="risk-rule-sets")
