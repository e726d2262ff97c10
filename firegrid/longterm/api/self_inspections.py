"""API of landlord self-inspection: `self-inspections` (a landlord submits one for their own premises with
a client_uuid, a replay answers 200 with the first; officers read those in scope) and `verification-draws`
(the recorded monthly draws, read-only)."""

from __future__ import annotations

from typing import ClassVar

from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.http import AuthedRequest
from firegrid.registry.models import Premises

from .. import services
from ..models import SelfInspection, VerificationDraw
from .serializers import SelfInspectionCreateSerializer, SelfInspectionSerializer, VerificationDrawSerializer


class SelfInspectionViewSet(ScopedReadOnlyModelViewSet[SelfInspection]):
    """房东自查: landlords' monthly self-inspections in the caller's scope, newest period first."""

    queryset = (
        SelfInspection.objects.select_related("premises__building", "verification")
        .prefetch_related("answers")
        .order_by("-period", "premises_id", "pk")
    )
    serializer_class = SelfInspectionSerializer
    filterset_fields = ["premises", "period", "status"]
    action_permissions: ClassVar[dict[str | None, str]] = ScopedViewSetMixin.action_permissions

    @extend_schema(
        summary="提交房东自查",
        description="房东为本人的出租房屋提交本期自查：answers 为 {检查项编号: pass/fail}。同一 client_uuid "
        "重发返回第一次的结果（200）；同一出租户同一期只能提交一次；他人的出租房屋返回 404。",
        request=SelfInspectionCreateSerializer,
        responses={201: SelfInspectionSerializer, 200: SelfInspectionSerializer},
    )
    def create(self, request: AuthedRequest) -> Response:
        query = SelfInspectionCreateSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        premises = Premises.objects.visible_to(request.user).filter(pk=data["premises"]).first()
        if premises is None:
            raise Http404
        replay = SelfInspection.objects.filter(client_uuid=data["client_uuid"]).exists()
        row = services.submit_self_inspection(
            premises, dict(data["answers"]), actor=request.user, client_uuid=data["client_uuid"]
        )
        body = SelfInspectionSerializer(self.get_queryset().get(pk=row.pk)).data
        return Response(body, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)


class VerificationDrawViewSet(ScopedReadOnlyModelViewSet[VerificationDraw]):
    """自查抽检: each period's recorded verification draw (rate, seed, strata by risk grade)."""

    queryset = VerificationDraw.objects.annotate(drawn_count=Count("self_inspections")).order_by("-period")
    serializer_class = VerificationDrawSerializer
