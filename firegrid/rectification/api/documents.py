"""API of the documents issued on plans (PDF, reissue) and of the landlord's proof photos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from firegrid.core.api.base import ScopedReadOnlyModelViewSet
from firegrid.core.api.files import FileNegotiation
from firegrid.core.api.permissions import RoleActionPermission
from firegrid.core.api.photos import photo_file_action, photo_refusal
from firegrid.core.api.schema import FiregridAutoSchema
from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response

from .. import documents, services
from ..models import (
    Document,
    Plan,
    PlanItem,
    ProofPhoto,
)
from .common import ACTIONS, ERRORS
from .filters import DocumentFilterSet
from .serializers import (
    DocumentDetailSerializer,
    DocumentSerializer,
    ProofPhotoSerializer,
    ProofPhotoUploadSerializer,
    ReissueSerializer,
)

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest


@extend_schema_view(
    list=extend_schema(summary="文书列表"),
    retrieve=extend_schema(summary="文书详情", description="文书及其出具时固定的内容（content）。"),
)
class DocumentViewSet(ScopedReadOnlyModelViewSet[Document]):
    """Documents (文书) issued on plans in the caller's scope: notices, orders, pledges, acceptance records.
    Their content is frozen when issued; `pdf/` is always the same file."""

    queryset = Document.objects.select_related("plan__premises__building", "issued_by")
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "pdf": Action.VIEW,
        "reissue": Action.VIEW,
    }

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer

    @extend_schema(
        summary="下载 PDF",
        description="文书的 PDF（A4，内嵌中文字体）。首次下载时由固定的内容生成并保存，此后每次都是同一文件。",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=FileNegotiation)
    def pdf(self, request: AuthedRequest, pk: str | None = None) -> HttpResponse:
        document = self.get_object()
        return pdf_response(documents.pdf_bytes(document), f"{document.serial}.pdf", max_age=86400)

    @extend_schema(
        summary="重新出具",
        description="按方案当前内容重新出具文书（如更正后的通知书），原文书保留并标为已重新出具。须填写原因。"
        "方案验收后或已结束时不能重新出具；承诺书由房东签署，不能重新出具。",
        request=ReissueSerializer,
        responses={201: DocumentDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reissue(self, request: AuthedRequest, pk: str | None = None) -> Response:
        document = self.get_object()
        serializer = ReissueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.reissue_document(
            document, actor=request.user, reason=serializer.validated_data["reason"]
        )
        new = self.get_queryset().get(pk=new.pk)
        context = self.get_serializer_context()
        return Response(DocumentDetailSerializer(new, context=context).data, status=status.HTTP_201_CREATED)


# --- proof photos ------------------------------------------------------------------------------------------


class ProofPhotoPermission(BasePermission):
    """Proof photos are seen by the roles that see them (the role table's `proofphoto`); who may add one is
    the service's decision (the plan's own landlord, or an officer who may change the plan)."""

    message = RoleActionPermission.message

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can(request.user, Action.VIEW, ProofPhoto)

    def has_object_permission(self, request: Request, view: APIView, obj: object) -> bool:
        return can(request.user, Action.VIEW, ProofPhoto)


class PlanItemViewSet(viewsets.GenericViewSet):
    """One hazard of a plan (整改事项): the landlord's after-photos proving the fix, before the recheck.
    Items are read and edited with their plan; here are only their photos."""

    queryset = PlanItem.objects.select_related("plan", "hazard__item")
    serializer_class = ProofPhotoSerializer
    permission_classes = [IsAuthenticated, ProofPhotoPermission]
    schema = FiregridAutoSchema()
    request: AuthedRequest  # IsAuthenticated: a signed-in user

    def get_queryset(self) -> QuerySet[PlanItem]:
        # Items have no scope of their own: they are in scope when their plan is.
        plans = Plan.objects.visible_to(self.request.user, Action.VIEW)
        return self.queryset.filter(plan__in=plans)

    def _photos(self, item: PlanItem) -> QuerySet[ProofPhoto]:
        return (
            ProofPhoto.objects.visible_to(self.request.user)
            .filter(item=item)
            .select_related("uploaded_by")
            .order_by("uploaded_at", "id")
        )

    @extend_schema(
        summary="整改照片",
        description="该隐患的整改后照片：image 为照片地址（已去除 EXIF），thumbnail 为缩略图地址。",
        responses=ProofPhotoSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="proof-photos",
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def proof_photos(self, request: AuthedRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        page = self.paginate_queryset(self._photos(item))
        context = self.get_serializer_context()
        return self.get_paginated_response(ProofPhotoSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="上传整改照片",
        description="房东（或可修改该方案的工作人员）为该隐患上传一张整改后照片（multipart/form-data）。"
        "照片按内容检查、缩放并去除 EXIF；方案已验收或已撤销时不能上传（image 字段错误）。",
        request={"multipart/form-data": ProofPhotoUploadSerializer},
        responses={201: ProofPhotoSerializer, **ERRORS},
    )
    @proof_photos.mapping.post
    def add_proof_photo(self, request: AuthedRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        serializer = ProofPhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            photo = services.add_proof_photo(item, serializer.validated_data["image"], actor=request.user)
        except DjangoValidationError as exc:
            raise photo_refusal(exc, "image") from exc
        photo = ProofPhoto.objects.select_related("uploaded_by").get(pk=photo.pk)
        context = self.get_serializer_context()
        return Response(ProofPhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)

    proof_photo_file = photo_file_action(
        "proof_photo_file",
        url_path="proof-photos",
        url_name="proof-photo-file",
        photos=lambda view, item: view._photos(item),
        summary="整改照片文件",
        description="整改照片或其缩略图（JPEG）。",
        photo_id="整改照片编号",
    )
