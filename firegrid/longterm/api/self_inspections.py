"""API of landlord self-inspection: `self-inspections` (a landlord submits one for their own premises with
a client_uuid — JSON, or multipart/form-data with a photo per item that asks for one; a replay answers 200
with the first; officers read those in scope, with their photos), `verification-draws` (the recorded
monthly draws, read-only) and `self-inspection-misses` (逾期未自查, read-only)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Count, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.api.photos import photo_file_action
from firegrid.core.api.schema import ERRORS
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action
from firegrid.registry.models import Premises

from .. import services
from ..filters import SelfInspectionFilterSet, SelfInspectionMissFilterSet
from ..models import SelfInspection, SelfInspectionMiss, SelfInspectionPhoto, VerificationDraw
from .serializers import (
    SelfInspectionCreateSerializer,
    SelfInspectionMissSerializer,
    SelfInspectionSerializer,
    VerificationDrawSerializer,
)


class SelfInspectionViewSet(ScopedReadOnlyModelViewSet[SelfInspection]):
    """房东自查: landlords' self-inspections in the caller's scope (with answers, photos and the
    verification); filters as the staff list's: area, period, status, drawn, awaiting."""

    queryset = (
        SelfInspection.objects.select_related("premises__building", "verification")
        .prefetch_related("answers", "photos__uploaded_by")
        .order_by("-period", "premises_id", "pk")
    )
    serializer_class = SelfInspectionSerializer
    filterset_class = SelfInspectionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedViewSetMixin.action_permissions,
        "photo_file": Action.VIEW,
    }

    @extend_schema(
        summary="提交房东自查",
        description="房东为本人的出租房屋提交本期自查：answers 为 {检查项编号: pass/fail}；需拍照的自查项"
        "（灭火器、压力表、感烟报警器、疏散通道）答 pass 时须附照片（multipart/form-data，字段 "
        "photos.<检查项编号>），照片按内容检查，错误按字段返回（photos.<检查项编号>）。同一 client_uuid "
        "重发返回第一次的结果（200）；提交失败时已通过检查的照片保留，以同一 client_uuid 重试时无需重传。"
        "同一出租户同一期只能提交一次；他人的出租房屋返回 404。",
        request={
            "application/json": SelfInspectionCreateSerializer,
            "multipart/form-data": SelfInspectionCreateSerializer,
        },
        responses={201: SelfInspectionSerializer, 200: SelfInspectionSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        query = SelfInspectionCreateSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        premises = Premises.objects.visible_to(request.user).filter(pk=data["premises"]).first()
        if premises is None:
            raise Http404
        replay = SelfInspection.objects.filter(client_uuid=data["client_uuid"]).exists()
        # A refusal (a Django ValidationError) is answered per field by core.api.errors.
        row = services.submit_self_inspection(
            premises,
            dict(data["answers"]),
            actor=request.user,
            client_uuid=data["client_uuid"],
            photos=dict(data.get("photos") or {}),
        )
        context = self.get_serializer_context()
        body = SelfInspectionSerializer(self.get_queryset().get(pk=row.pk), context=context).data
        return Response(body, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)

    photo_file = photo_file_action(
        "photo_file",
        url_path="photos",
        url_name="photo-file",
        photos=lambda view, row: self_inspection_photos(view.request.user, row),
        summary="自查照片文件",
        description="自查照片或其缩略图（JPEG）。",
        photo_id="自查照片编号",
    )


def self_inspection_photos(user: Any, row: SelfInspection) -> QuerySet[SelfInspectionPhoto]:
    return SelfInspectionPhoto.objects.visible_to(user).filter(self_inspection=row)


class VerificationDrawViewSet(ScopedReadOnlyModelViewSet[VerificationDraw]):
    """自查抽检: each period's recorded verification draw (rate, seed, strata by risk grade)."""

    queryset = VerificationDraw.objects.annotate(drawn_count=Count("self_inspections")).order_by("-period")
    serializer_class = VerificationDrawSerializer


class SelfInspectionMissViewSet(ScopedReadOnlyModelViewSet[SelfInspectionMiss]):
    """逾期未自查: premises that owed a period's self-inspection and had none, recorded at the start of the
    next period (with when the landlord was reminded); in the caller's scope."""

    queryset = SelfInspectionMiss.objects.select_related("premises__building").order_by(
        "-period", "premises_id", "pk"
    )
    serializer_class = SelfInspectionMissSerializer
    filterset_class = SelfInspectionMissFilterSet
