"""API of enforcement actions (with attachments) and of the district's escalation ladder."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from firegrid.core.api.base import ScopedModelViewSet, ScopedViewSetMixin
from firegrid.core.api.files import FileNegotiation, file_response
from firegrid.core.permissions import Action

from .. import services
from ..models import (
    EnforcementAction,
    EscalationStep,
)
from .common import ACTIONS, ERRORS
from .filters import EnforcementActionFilterSet
from .serializers import (
    EnforcementActionSerializer,
    EnforcementCreateSerializer,
    EscalationStepSerializer,
)

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest


@extend_schema_view(
    list=extend_schema(summary="执法措施列表"),
    retrieve=extend_schema(summary="执法措施详情"),
)
class EnforcementActionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Enforcement actions (执法措施) on premises in the caller's scope: interview, warning, fine, order to
    stop use, temporary sealing, detention, exposure, and visits where the door stayed shut or the
    landlord refused. Recorded, never edited."""

    queryset = EnforcementAction.objects.select_related(
        "premises__building", "department", "recorded_by"
    ).prefetch_related("attachments")
    serializer_class = EnforcementActionSerializer
    filterset_class = EnforcementActionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "attachment": Action.VIEW}

    @extend_schema(
        summary="记录执法措施",
        description="记录一项执法措施（附件用 multipart/form-data 的 attachments，可多个）。罚款须填金额，"
        "临时查封期限 1–30 天，行政拘留 1–15 天，处罚类措施须填法律依据。已提级的方案记录处罚类措施后"
        "转入执法。",
        request={
            "application/json": EnforcementCreateSerializer,
            "multipart/form-data": EnforcementCreateSerializer,
        },
        responses={201: EnforcementActionSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = EnforcementCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        premises, plan, attachments = (
            data.pop("premises"),
            data.pop("plan", None),
            data.pop("attachments", []),
        )
        recorded = services.record_enforcement(
            premises, data, actor=request.user, plan=plan, attachments=attachments
        )
        recorded = self.get_queryset().get(pk=recorded.pk)
        context = self.get_serializer_context()
        return Response(
            EnforcementActionSerializer(recorded, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="执法附件",
        description="执法措施的附件文件。",
        parameters=[
            OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="附件编号")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: ERRORS[403],
            404: ERRORS[404],
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        filter_backends=[],
        content_negotiation_class=FileNegotiation,
    )
    def attachment(
        self, request: AuthedRequest, pk: str | None = None, attachment_id: str | None = None
    ) -> FileResponse:
        recorded = self.get_object()
        attachment = get_object_or_404(recorded.attachments.all(), pk=attachment_id)
        return file_response(attachment.file, attachment.name)


# --- the escalation ladder ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="逾期处置阶梯"),
    retrieve=extend_schema(summary="处置阶梯详情"),
    create=extend_schema(summary="新增处置阶梯"),
    update=extend_schema(summary="修改处置阶梯"),
    partial_update=extend_schema(summary="修改处置阶梯"),
    destroy=extend_schema(summary="删除处置阶梯"),
)
class EscalationStepViewSet(ScopedModelViewSet[EscalationStep]):
    """The district's escalation ladder (逾期处置阶梯): after this many days overdue the daily job escalates
    the plan to a joint team, or moves it into enforcement. System administrators configure it; the
    command reads it."""

    queryset = EscalationStep.objects.select_related("district").prefetch_related("departments")
    serializer_class = EscalationStepSerializer
    filterset_fields = ["district", "move"]

    def perform_destroy(self, instance: EscalationStep) -> None:
        services.remove_escalation_step(instance, actor=self.request.user)
