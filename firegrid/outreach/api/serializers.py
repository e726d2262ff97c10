"""Serializers of the contractor directory, slots and bookings.

The contractor serializer writes through `create_contractor` / `update_contractor` (the served areas are
many-to-many, which the generic record services do not write). Slots and bookings are written only by
their services: the request serializers here check the shape of a call, nothing else. The `*_display`,
`*_name` and `*_label` fields are read-only conveniences for lists.
"""

from __future__ import annotations

from typing import Any

from django.db.models.query import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.areas.models import Area
from firegrid.core.api.fields import LabelField, ScopedPrimaryKeyRelatedField
from firegrid.core.api.photos import PhotoSerializer, PhotoUploadField
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.core.permissions import Action
from firegrid.rectification.models import Plan, PlanItem

from .. import services
from ..models import Booking, Contractor, Slot, WorkPhoto

RECORD_FIELDS = ["version", "created_at", "updated_at"]

MASKED = _(
    "响应中脱敏显示，完整内容请用 reveal 查看（记入操作日志）。写入时提交完整内容；原样提交脱敏值表示不修改。"
)
# Slots added in one request: the web form's twenty rows.
MAX_SLOTS_PER_REQUEST = 20


# --- the directory -------------------------------------------------------------------------------------------


class ContractorSerializer(ScopedModelSerializer):
    trade_display = serializers.CharField(source="get_trade_display", read_only=True)
    areas = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        many=True,
        help_text=_(
            "服务区域（区域编号）：选择街道即服务该街道下所有社区和网格。修改时只替换您管辖范围内的区域，"
            "其他工作人员设置的范围外区域保留。"
        ),
    )
    area_names = serializers.SerializerMethodField(help_text=_("服务区域名称"))
    # Annotated by the viewset's queryset, as on the web list.
    free_slots = serializers.IntegerField(read_only=True, help_text=_("将来未被预约的时段数"))

    class Meta:
        model = Contractor
        fields = [
            "id",
            "name",
            "trade",
            "trade_display",
            "company",
            "mobile",
            "areas",
            "area_names",
            "qualification",
            "is_active",
            "free_slots",
            *RECORD_FIELDS,
        ]
        extra_kwargs = {"mobile": {"help_text": MASKED}}
        # An active mobile is unique: the model's clean() says so on `mobile`, in the service.
        validators: list[Any] = []

    def get_area_names(self, contractor: Contractor) -> list[str]:
        return [area.name for area in contractor.areas.all()]

    def create(self, validated_data: dict[str, Any]) -> Contractor:
        areas = validated_data.pop("areas", [])
        return services.create_contractor(validated_data, areas=areas, actor=self.actor)

    def update(self, instance: Contractor, validated_data: dict[str, Any]) -> Contractor:
        expected_version = validated_data.pop("version", None)
        areas = validated_data.pop("areas", None)
        return services.update_contractor(
            instance, validated_data, areas=areas, actor=self.actor, expected_version=expected_version
        )


# --- slots ---------------------------------------------------------------------------------------------------


class SlotSerializer(serializers.ModelSerializer):
    contractor_name = serializers.CharField(source="contractor.name", read_only=True)
    # Annotated by the viewset's queryset.
    taken = serializers.BooleanField(read_only=True, help_text=_("已被预约（未取消的预约占用该时段）"))

    class Meta:
        model = Slot
        fields = ["id", "contractor", "contractor_name", "starts_at", "ends_at", "taken", "created_at"]
        read_only_fields = fields


class SlotPeriodSerializer(serializers.Serializer):
    """One period the contractor is available: it must lie in the future and end after it starts."""

    starts_at = serializers.DateTimeField(help_text=_("开始时间"))
    ends_at = serializers.DateTimeField(help_text=_("结束时间"))


class SlotsAddSerializer(serializers.Serializer):
    """Several periods at once; none is saved unless every one is right."""

    # With many=True DRF hands the list's own options (max_length …) to the ListSerializer it makes; the
    # stubs type only the single serializer's.
    slots = SlotPeriodSerializer(  # type: ignore[call-arg]
        many=True,
        allow_empty=False,
        max_length=MAX_SLOTS_PER_REQUEST,
        help_text=_("要添加的时段（一次最多 20 个）"),
        error_messages={"empty": _("请至少填写一个时段。")},
    )


# --- bookings ------------------------------------------------------------------------------------------------


class WorkPhotoSerializer(PhotoSerializer[WorkPhoto]):
    class Meta(PhotoSerializer.Meta):
        model = WorkPhoto

    def file_path(self, photo: WorkPhoto, variant: str) -> str:
        return reverse("bookings-photo-file", args=[photo.booking_id, photo.pk, variant])


class BookingSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True)
    contractor = serializers.IntegerField(
        source="slot.contractor_id", read_only=True, help_text=_("施工单位")
    )
    contractor_name = serializers.CharField(source="slot.contractor.name", read_only=True)
    trade = serializers.CharField(source="slot.contractor.trade", read_only=True, help_text=_("工种"))
    trade_display = serializers.CharField(source="slot.contractor.get_trade_display", read_only=True)
    premises = serializers.IntegerField(source="plan.premises_id", read_only=True, help_text=_("出租户"))
    premises_label = serializers.CharField(source="plan.premises.__str__", read_only=True)
    item_label = LabelField(source="item")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    booked_by_name = serializers.CharField(source="booked_by.__str__", read_only=True)
    done_by_name = LabelField(source="done_by")
    photos = WorkPhotoSerializer(many=True, read_only=True, help_text=_("完工照片"))

    class Meta:
        model = Booking
        fields = [
            "id",
            "slot",
            "starts_at",
            "ends_at",
            "contractor",
            "contractor_name",
            "trade",
            "trade_display",
            "plan",
            "premises",
            "premises_label",
            "item",
            "item_label",
            "status",
            "status_display",
            "note",
            "booked_by_name",
            "done_at",
            "done_by_name",
            "done_note",
            "cancelled_at",
            "cancel_reason",
            "photos",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class PlanItemField(serializers.PrimaryKeyRelatedField):
    """A hazard of a plan the requesting user can see (items have no scope of their own: their plan's)."""

    default_error_messages = ScopedPrimaryKeyRelatedField.default_error_messages

    def get_queryset(self) -> QuerySet[PlanItem]:
        request = self.context.get("request")
        if request is None:
            return PlanItem.objects.none()
        return PlanItem.objects.filter(plan__in=Plan.objects.visible_to(request.user, Action.VIEW))


class BookingCreateSerializer(serializers.Serializer):
    """Book a contractor's free, future slot for a plan (and optionally one hazard of it)."""

    slot = ScopedPrimaryKeyRelatedField(queryset=Slot.objects.all(), help_text=_("时段"))
    plan = ScopedPrimaryKeyRelatedField(queryset=Plan.objects.all(), help_text=_("整改方案"))
    item = PlanItemField(
        required=False, allow_null=True, help_text=_("整改事项（方案中的一项隐患）；不填则为整个方案")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text=_("预约说明")
    )


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("取消原因（必填，记入操作日志）"))


class BookingDoneSerializer(serializers.Serializer):
    """The work is done: a note and at least one photo of it (multipart/form-data)."""

    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text=_("完工说明")
    )
    # Not required here: the service refuses an empty report with its own message on `photos`.
    photos = serializers.ListField(
        child=PhotoUploadField(),
        required=False,
        default=list,
        help_text=_("完工照片（至少一张）"),
    )
