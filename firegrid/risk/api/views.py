"""API of risk: premises grades (read-only, scoped, filtered like the due list, reasons in the reader's
language, with their grade history) and rule sets (read by every role that reads grades; the system
administrator makes a draft version, sets its parameters and publishes it through the services)."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.areas.models import User
from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.api.rulesets import RuleSetViewSetMixin
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action

from .. import services
from ..filters import PremisesGradeFilterSet
from ..models import GradeChange, PremisesGrade, RiskRuleSet
from .serializers import GradeChangeSerializer, PremisesGradeSerializer, RiskRuleSetSerializer

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


@extend_schema_view(
    publish=extend_schema(
        description="发布草稿版本：此后的风险等级按该版本计算（发布后全部重算），原版本停用。仅系统管理员。"
    )
)
class RiskRuleSetViewSet(RuleSetViewSetMixin, ScopedReadOnlyModelViewSet[RiskRuleSet]):
    """Risk rule sets (风险规则), one row per version. A published version never changes; the system
    administrator copies it into a draft (`new-version`), edits it (`parameters`) and publishes it."""

    queryset = RiskRuleSet.objects.all()
    serializer_class = RiskRuleSetSerializer

    def perform_publish(self, rule_set: RiskRuleSet, *, actor: User) -> RiskRuleSet:
        return services.publish_rule_set(rule_set, actor=actor)


def register(router: BaseRouter) -> None:
    router.register("risk-grades", PremisesGradeViewSet, basename="risk-grades")
    router.register("risk-rule-sets", RiskRuleSetViewSet, basename="risk-rule-sets")
