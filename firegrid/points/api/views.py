"""API of points: `points-entries` (read in scope; POST an officer's attendance or correction),
`landlord-points` (each landlord's total for a year, ranked), `points-rule-sets` (read; the system admin
makes a draft, edits and publishes it), `year-end-evaluations` (read; the commander computes and confirms)
and `nominations` (read; the certificate PDF). Writes go through the services: the same checks, the same
audit entries as the pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import F, QuerySet, Window
from django.db.models.functions import Rank
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from firegrid.areas.models import User
from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.api.files import FileNegotiation
from firegrid.core.api.rulesets import RuleSetViewSetMixin
from firegrid.core.api.schema import ERRORS, FiregridAutoSchema
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response
from firegrid.registry.models import Landlord

from .. import evaluation as evaluations
from .. import services
from ..filters import LandlordPointsFilterSet, NominationFilterSet, PointsEntryFilterSet
from ..models import Nomination, PointsEntry, PointsRuleSet, YearEndEvaluation
from .serializers import (
    EvaluationComputeSerializer,
    EvaluationConfirmSerializer,
    LandlordPointsSerializer,
    ManualEntrySerializer,
    NominationSerializer,
    PointsEntrySerializer,
    PointsRuleSetSerializer,
    YearEndEvaluationSerializer,
)

ACTIONS = ScopedViewSetMixin.action_permissions


@extend_schema_view(
    list=extend_schema(summary="积分记录列表", description="范围内房东的积分记录，最新的在前。"),
    retrieve=extend_schema(summary="积分记录"),
)
class PointsEntryViewSet(ScopedReadOnlyModelViewSet[PointsEntry]):
    """积分记录 of the landlords in the caller's scope. Nobody changes or deletes an entry: a correction is
    a new entry (`POST` with rule `correction` and the entry it corrects)."""

    queryset = PointsEntry.objects.select_related(
        "landlord", "premises__building", "created_by", "rule_set", "source_type"
    )
    serializer_class = PointsEntrySerializer
    filterset_class = PointsEntryFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = ACTIONS

    @extend_schema(
        summary="手动加减分",
        description="社区、街道人员和区级角色为辖区内房东记录参加培训、会议（按现行积分规则记分，附宣传记录或"
        "说明），或更正（填写分值和原因，可指明所更正的记录）。同一会议、同一记录的更正只记一次；辖区外的房东、"
        "记录返回 400；已确认评选的年度不能补记。",
        request=ManualEntrySerializer,
        responses={201: PointsEntrySerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        query = ManualEntrySerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rule = data["rule"]
        entry = services.add_manual_entry(
            data["landlord"],
            rule,
            actor=request.user,
            occurred_on=data["occurred_on"],
            note=data.get("note", ""),
            amount_typed=data.get("amount"),
            source=data.get("corrects") if rule == "correction" else data.get("record"),
        )
        body = PointsEntrySerializer(self.get_queryset().get(pk=entry.pk), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PointsReader(BasePermission):
    """Roles that read points entries read landlords' totals; others 403."""

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can(request.user, Action.VIEW, PointsEntry)


YEAR = OpenApiParameter("year", int, description="年度（默认今年）")


@extend_schema_view(
    list=extend_schema(
        summary="房东积分",
        description="范围内持有出租房屋的房东在某年度的积分，从高到低排名。",
        parameters=[YEAR],
    ),
    retrieve=extend_schema(summary="房东的年度积分", description="id 即房东的 id。", parameters=[YEAR]),
)
class LandlordPointsViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Landlord]
):
    """房东积分: each landlord in the caller's scope who holds a premises, with their points in `year` (the
    yearly base plus that year's entries), what they gained and lost, and their band. A row's id is the
    landlord's."""

    queryset = Landlord.objects.all()
    serializer_class = LandlordPointsSerializer
    filterset_class = LandlordPointsFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [IsAuthenticated, PointsReader]
    schema = FiregridAutoSchema()
    request: AuthedRequest

    def year(self) -> int:
        raw = str(self.request.query_params.get("year", ""))
        this_year = timezone.localdate().year
        return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else this_year

    def get_queryset(self) -> QuerySet[Landlord]:
        rows = services.landlords_with_points(self.request.user, self.year())
        if self.action == "list":
            rows = rows.order_by(F("points").desc(), "name", "pk")
        return rows

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        rows = super().filter_queryset(queryset)
        return (
            rows.annotate(place=Window(Rank(), order_by=F("points").desc()))
            if self.action == "list"
            else rows
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "year": self.year()}


@extend_schema_view(
    list=extend_schema(summary="积分规则列表"),
    retrieve=extend_schema(summary="积分规则"),
    publish=extend_schema(
        description="发布草稿版本：此后新的积分记录按该版本记分，原版本停用；已有记录不变。仅系统管理员。"
    ),
)
class PointsRuleSetViewSet(RuleSetViewSetMixin, ScopedReadOnlyModelViewSet[PointsRuleSet]):
    """Points rule sets (积分规则), one row per version. A published version never changes; the system
    administrator copies it into a draft (`new-version`), edits it (`parameters`) and publishes it."""

    queryset = PointsRuleSet.objects.all()
    serializer_class = PointsRuleSetSerializer

    def perform_publish(self, rule_set: PointsRuleSet, *, actor: User) -> PointsRuleSet:
        return services.publish_rule_set(rule_set, actor=actor)


@extend_schema_view(
    list=extend_schema(summary="年度评选列表", description="各年度评选的概况（不含排名，见详情）。"),
    retrieve=extend_schema(summary="年度评选", description="概况及您辖区内达到分数线的房东的名次。"),
)
class YearEndEvaluationViewSet(ScopedReadOnlyModelViewSet[YearEndEvaluation]):
    """年度评选: each year's evaluation (summary; the ranked rows of the caller's landlords on its page).
    The district commander (or the system admin) computes it (`POST` with the year, again while it is a
    draft) and confirms it (`confirm`), which freezes it and issues the certificates."""

    queryset = YearEndEvaluation.objects.select_related("rule_set")
    serializer_class = YearEndEvaluationSerializer
    filterset_fields = ["year", "status"]
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "confirm": Action.CHANGE}

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "with_rows": self.action != "list"}

    @extend_schema(
        summary="计算年度评选",
        description="按现行积分规则计算（或重新计算）该年度评选，结果为待确认。已确认的年度不能重新计算（400）。",
        request=EvaluationComputeSerializer,
        responses={201: YearEndEvaluationSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        query = EvaluationComputeSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        evaluation = evaluations.evaluate(query.validated_data["year"], actor=request.user)
        context = {**self.get_serializer_context(), "with_rows": True}
        return Response(
            YearEndEvaluationSerializer(evaluation, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="确认年度评选",
        description="确认所读取版本的评选结果：结果固定，为每位提名房东出具荣誉证书。版本不一致返回 409。",
        request=EvaluationConfirmSerializer,
        responses={200: YearEndEvaluationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request: AuthedRequest, pk: str | None = None) -> Response:
        evaluation = self.get_object()
        query = EvaluationConfirmSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        confirmed = evaluations.confirm_evaluation(
            evaluation, actor=request.user, expected_version=query.validated_data["version"]
        )
        return Response(YearEndEvaluationSerializer(confirmed, context=self.get_serializer_context()).data)


@extend_schema_view(list=extend_schema(summary="评选提名列表"), retrieve=extend_schema(summary="评选提名"))
class NominationViewSet(ScopedReadOnlyModelViewSet[Nomination]):
    """评选提名: the 文明家庭 / 文明商户 nominees of confirmed evaluations in the caller's scope, each with its
    certificate (`certificate/`: the same PDF every time)."""

    queryset = Nomination.objects.select_related("evaluation", "landlord")
    serializer_class = NominationSerializer
    filterset_class = NominationFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "certificate": Action.VIEW}

    @extend_schema(
        summary="荣誉证书 PDF",
        description="提名的荣誉证书（A4 横向，内嵌中文字体）。首次下载时由确认时固定的内容生成并保存，此后每次都是同一文件。",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=FileNegotiation)
    def certificate(self, request: AuthedRequest, pk: str | None = None) -> HttpResponse:
        nomination = self.get_object()
        return pdf_response(
            evaluations.certificate_pdf(nomination), f"{nomination.serial}.pdf", max_age=86400
        )


def register(router: BaseRouter) -> None:
    router.register("points-entries", PointsEntryViewSet, basename="points-entries")
    router.register("landlord-points", LandlordPointsViewSet, basename="landlord-points")
    router.register("points-rule-sets", PointsRuleSetViewSet, basename="points-rule-sets")
    router.register("year-end-evaluations", YearEndEvaluationViewSet, basename="year-end-evaluations")
    router.register("nominations", NominationViewSet, basename="nominations")
