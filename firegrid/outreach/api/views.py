"""API of contractors (施工单位): the directory, each contractor's availability slots, bookings of a slot
for a rectification plan, cancelling, marking the work done with photos, and the photos themselves.

The directory is public to every role that reads it (`Contractor.objects.visible_to`): an officer outside
a contractor's areas reads it and gets 403 on a change, the service's answer. A contractor's slots are
kept by the officers of their areas and by the contractor (their role table entry is on `slot`, not on
`contractor`), so the slot actions need only sight of the contractor here; `add_slots` / `delete_slot`
decide. Bookings are seen by whoever sees the plan's premises, and by the contractor booked; they change
only through `book_slot`, `cancel_booking` and `mark_done` (no PATCH, PUT or DELETE: 405).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.db.models.query import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.core.api.base import (
    PersonalDataViewSetMixin,
    ReadAfterWriteMixin,
    ScopedModelViewSet,
    ScopedViewSetMixin,
)
from firegrid.core.api.errors import validation_error_detail
from firegrid.core.api.photos import photo_file_action
from firegrid.core.api.schema import ERRORS
from firegrid.core.permissions import Action

from .. import services
from ..filters import BookingFilterSet, ContractorFilterSet
from ..models import Booking, Contractor, Slot, SlotQuerySet, WorkPhoto
from .serializers import (
    BookingCancelSerializer,
    BookingCreateSerializer,
    BookingDoneSerializer,
    BookingSerializer,
    ContractorSerializer,
    SlotsAddSerializer,
    SlotSerializer,
)

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from firegrid.core.http import AuthedRequest

ACTIONS = ScopedViewSetMixin.action_permissions


# --- the directory -------------------------------------------------------------------------------------------


def contractors_with_counts() -> QuerySet[Contractor]:
    return Contractor.objects.prefetch_related("areas").with_free_slots()


def slots_with_taken() -> SlotQuerySet:
    return Slot.objects.select_related("contractor").annotate(taken=Slot.objects.taken_q())


def slot_errors(exc: DjangoValidationError, rows: int) -> ValidationError:
    """The service's errors on `starts_at` / `ends_at`, each naming its period (`params["row"]`, from 1),
    put beside that period in the shape DRF gives a list's own errors: `{"slots": {1: {"starts_at":
    [...]}}}`, keyed by the period's index in the request (from 0), wrong periods only. An error naming
    no period stays on its field."""
    if not hasattr(exc, "error_dict"):
        return ValidationError(validation_error_detail(exc))
    per_row: dict[int, dict[str, list[str | Promise]]] = {}
    other: dict[str, list[str | Promise]] = {}
    for field, errors in exc.error_dict.items():
        for error in errors:
            row = (error.params or {}).get("row")
            message = error.message % error.params if error.params else error.message
            if isinstance(row, int) and 0 < row <= rows:
                per_row.setdefault(row - 1, {}).setdefault(field, []).append(message)
            else:
                other.setdefault(field, []).append(message)
    # Keyed by the period's index: DRF renders the numbers as JSON object keys.
    detail: dict[str, Any] = {"slots": per_row, **other} if per_row else dict(other)
    return ValidationError(detail)


FREE = OpenApiParameter(
    "free", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="true：只列未被预约的时段"
)
SLOT_ID = OpenApiParameter("slot_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="时段编号")


@extend_schema_view(
    list=extend_schema(
        summary="施工单位名录",
        description="全部施工单位（名录对所有可查看的角色公开）。area 筛选服务该区域的单位："
        "服务其上级区域（覆盖整个区域）或其下级区域（服务其中一部分）的都列出。手机号码脱敏。",
    ),
    retrieve=extend_schema(summary="施工单位详情"),
    create=extend_schema(
        summary="新增施工单位",
        description="服务区域须在您的管辖范围内；在册单位的手机号码不能重复（用于施工单位登录）。",
        responses={201: ContractorSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="修改施工单位",
        description="须提交读取时的 version；他人已修改返回 409。服务区域不在您管辖范围内的单位返回 403。",
    ),
    partial_update=extend_schema(
        summary="修改施工单位",
        description="须提交读取时的 version；他人已修改返回 409。服务区域不在您管辖范围内的单位返回 403。",
    ),
    destroy=extend_schema(
        summary="删除施工单位",
        description="连同其未被预约过的时段一并删除；有预约记录的单位不能删除（400），可改为停用（is_active）。",
    ),
)
class ContractorViewSet(PersonalDataViewSetMixin, ReadAfterWriteMixin, ScopedModelViewSet):
    """Contractors (施工单位): electricians, masons, gas fitters, fire-equipment suppliers… with the areas
    they serve. Mobiles are masked; `reveal` shows one in full and is audited. `slots/` lists the
    contractor's availability and adds several periods at once."""

    queryset = contractors_with_counts()
    serializer_class = ContractorSerializer
    filterset_class = ContractorFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "slots": Action.VIEW,
        "add_slots": Action.VIEW,
        "delete_slot": Action.VIEW,
    }

    def _slots(self, contractor: Contractor) -> SlotQuerySet:
        return slots_with_taken().filter(contractor=contractor).order_by("starts_at", "id")

    @extend_schema(
        summary="可预约时段",
        description="该施工单位将来的时段，按开始时间；taken 表示已被预约。",
        parameters=[FREE],
        responses=SlotSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def slots(self, request: AuthedRequest, pk: str | None = None) -> Response:
        contractor = self.get_object()
        slots = self._slots(contractor).upcoming()
        if request.query_params.get("free", "").lower() in {"true", "1"}:
            slots = slots.free()
        page = self.paginate_queryset(slots)
        return self.get_paginated_response(SlotSerializer(page, many=True).data)

    @extend_schema(
        summary="添加时段",
        description="一次添加多个时段（最多 20 个）。每个时段须在将来、结束晚于开始，且不与该单位已有的时段或"
        "本次的其他时段重叠；任一时段有误则都不保存，错误按时段返回：slots 以时段在请求中的序号"
        "（从 0 开始）为键，值为该时段的字段错误，只列有误的时段。施工单位本人或其服务区域的街道、社区工作人员可以添加，"
        "其他人返回 403。",
        request=SlotsAddSerializer,
        responses={201: SlotSerializer(many=True), **ERRORS},
    )
    @slots.mapping.post
    def add_slots(self, request: AuthedRequest, pk: str | None = None) -> Response:
        contractor = self.get_object()
        serializer = SlotsAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        periods = [(row["starts_at"], row["ends_at"]) for row in serializer.validated_data["slots"]]
        try:
            slots = services.add_slots(contractor, periods, actor=request.user)
        except DjangoValidationError as exc:
            raise slot_errors(exc, len(periods)) from exc
        created = self._slots(contractor).filter(pk__in=[slot.pk for slot in slots])
        return Response(SlotSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="删除时段",
        description="删除从未被预约过的时段；已被预约的须先取消预约，有过预约记录的保留（400，slot 字段）。",
        parameters=[SLOT_ID],
        request=None,
        responses={204: None, **ERRORS},
        filters=False,
    )
    @action(detail=True, methods=["delete"], url_path=r"slots/(?P<slot_id>[0-9]+)", filter_backends=[])
    def delete_slot(
        self, request: AuthedRequest, pk: str | None = None, slot_id: str | None = None
    ) -> Response:
        contractor = self.get_object()
        slot = get_object_or_404(Slot.objects.filter(contractor=contractor), pk=slot_id)
        services.delete_slot(slot, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- bookings ------------------------------------------------------------------------------------------------


def bookings_queryset() -> QuerySet[Booking]:
    return Booking.objects.select_related(
        "slot__contractor", "plan__premises__building", "item__hazard__item", "booked_by", "done_by"
    ).prefetch_related(
        Prefetch(
            "photos", queryset=WorkPhoto.objects.select_related("uploaded_by").order_by("uploaded_at", "id")
        )
    )


@extend_schema_view(
    list=extend_schema(summary="施工预约列表"),
    retrieve=extend_schema(summary="施工预约详情", description="预约及其完工照片。"),
)
class BookingViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Bookings (施工预约) of contractors' slots for rectification plans in the caller's scope; a landlord
    sees their own plans' bookings, a contractor the bookings made with them. A slot holds one active
    booking: a taken slot answers 400 on `slot`."""

    queryset = bookings_queryset()
    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "cancel": Action.CHANGE,
        "done": Action.CHANGE,
        "photo_file": Action.VIEW,
    }

    def _read(self, booking: Booking, code: int = status.HTTP_200_OK) -> Response:
        booking = bookings_queryset().get(pk=booking.pk)
        return Response(BookingSerializer(booking, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="预约施工",
        description="为整改方案（可指定其中一项隐患）预约施工单位的一个时段。方案的房东本人，或可修改该方案的"
        "工作人员可以预约。时段须在将来、未被预约，施工单位在册且服务该出租户所在区域，否则返回 400"
        "（slot 字段）；已结束的方案不能预约（plan 字段）。",
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = BookingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = services.book_slot(
            data["slot"], data["plan"], actor=request.user, item=data.get("item"), note=data["note"]
        )
        return self._read(booking, status.HTTP_201_CREATED)

    @extend_schema(
        summary="取消预约",
        description="取消尚未完工的预约（须填写原因），该时段可重新预约。方案的房东本人、施工单位或管辖范围内的"
        "工作人员可以取消。",
        request=BookingCancelSerializer,
        responses={200: BookingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: AuthedRequest, pk: str | None = None) -> Response:
        booking = self.get_object()
        serializer = BookingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.cancel_booking(
            booking, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._read(booking)

    @extend_schema(
        summary="标记完工",
        description="施工单位（仅本单位的预约）或管辖范围内的工作人员标记完工，附完工说明和至少一张照片"
        "（multipart/form-data，photos 可多个）。照片按内容检查、缩放并去除 EXIF；任一照片不合格则都不保存"
        "（photos 字段）。房东不能标记完工（403）。",
        request={"multipart/form-data": BookingDoneSerializer},
        responses={200: BookingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], parser_classes=[MultiPartParser, FormParser])
    def done(self, request: AuthedRequest, pk: str | None = None) -> Response:
        booking = self.get_object()
        serializer = BookingDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = services.mark_done(booking, actor=request.user, note=data["note"], photos=data["photos"])
        return self._read(booking)

    photo_file = photo_file_action(
        "photo_file",
        url_path="photos",
        url_name="photo-file",
        photos=lambda view, booking: WorkPhoto.objects.filter(booking=booking),
        summary="完工照片文件",
        description="完工照片或其缩略图（JPEG），仅对能查看该预约的用户。",
        photo_id="完工照片编号",
    )


def register(router: BaseRouter) -> None:
    router.register("contractors", ContractorViewSet, basename="contractors")
    router.register("bookings", BookingViewSet, basename="bookings")
