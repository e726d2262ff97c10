"""The work queue as JSON: its query (validated, errors per field) and one item per premises."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.areas.models import Area
from firegrid.core.api.photos import PhotoSerializer, PhotoUploadField
from firegrid.core.validators import validate_latitude, validate_longitude
from firegrid.inspections.choices import InspectionKind
from firegrid.risk.choices import RiskGrade

from ..choices import QueueKind, SelfCheckResult
from ..forms import grids_in_scope
from ..models import (
    SelfInspection,
    SelfInspectionAnswer,
    SelfInspectionMiss,
    SelfInspectionPhoto,
    Verification,
    VerificationDraw,
)


class QueueQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    lat = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        validators=[validate_latitude],
        help_text=_("当前位置的纬度（可选）：路线从这里开始，否则从网格中心开始"),
    )
    lng = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        validators=[validate_longitude],
        help_text=_("当前位置的经度（可选）"),
    )
    grid = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.none(), required=False, help_text=_("只看这个网格")
    )
    kind = serializers.ChoiceField(choices=QueueKind.choices, required=False, help_text=_("只看这类任务"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only the grids in the caller's scope: another grid is a field error, not an empty answer.
            self.fields["grid"] = serializers.PrimaryKeyRelatedField(
                queryset=grids_in_scope(request.user), required=False, help_text=_("只看这个网格")
            )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("lat" in attrs) != ("lng" in attrs):
            missing = "lng" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: _("经度和纬度需同时提供。")})
        return attrs


class QueueEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=QueueKind.choices)
    kind_display = serializers.CharField(source="kind_label")
    reason = serializers.CharField()
    days_overdue = serializers.IntegerField()
    link = serializers.CharField(help_text=_("处理该原因的页面（如报警处置），没有时为空"))


class QueueItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(help_text=_("即出租户的 id"))
    premises_label = serializers.CharField(source="premises.__str__")
    unit_label = serializers.CharField(source="premises.unit_label")
    building = serializers.IntegerField(source="building.pk")
    building_label = serializers.CharField(source="building.__str__")
    latitude = serializers.DecimalField(
        source="building.latitude", max_digits=9, decimal_places=6, allow_null=True
    )
    longitude = serializers.DecimalField(
        source="building.longitude", max_digits=9, decimal_places=6, allow_null=True
    )
    grid = serializers.IntegerField(source="building.grid_id")
    grid_name = serializers.CharField(source="building.grid.name")
    stop = serializers.IntegerField(help_text=_("所在建筑在路线上的序号（从 1 开始，跨页连续）"))
    kind = serializers.ChoiceField(choices=QueueKind.choices, help_text=_("主要原因，决定要开始的检查"))
    kind_display = serializers.CharField(source="kind_label")
    inspection_kind = serializers.ChoiceField(
        choices=InspectionKind.choices, help_text=_("要开始的检查类型：摸底排查、复查或验收")
    )
    inspection_kind_display = serializers.CharField(source="inspection_kind_label")
    grade = serializers.ChoiceField(choices=RiskGrade.choices, allow_blank=True)
    grade_display = serializers.CharField(source="grade_label")
    reason = serializers.CharField(help_text=_("如“红 · 逾期 12 天 · 2 项红线隐患未消除”"))
    days_overdue = serializers.IntegerField()
    entries = QueueEntrySerializer(many=True, help_text=_("全部原因，主要原因在前"))


# --- self-inspections (房东自查) and verification draws (自查抽检) ----------------------------------------------


class SelfInspectionAnswerSerializer(serializers.ModelSerializer[SelfInspectionAnswer]):
    class Meta:
        model = SelfInspectionAnswer
        fields = ["item_code", "result"]


class VerificationSerializer(serializers.ModelSerializer[Verification]):
    class Meta:
        model = Verification
        fields = ["inspection", "verified_at", "contradicted", "contradicted_items"]


class SelfInspectionPhotoSerializer(PhotoSerializer[SelfInspectionPhoto]):
    class Meta(PhotoSerializer.Meta):
        model = SelfInspectionPhoto
        fields = ["id", "item_code", *PhotoSerializer.Meta.fields[1:]]
        read_only_fields = fields

    def file_path(self, photo: SelfInspectionPhoto, variant: str) -> str:
        return reverse("self-inspections-photo-file", args=[photo.self_inspection_id, photo.pk, variant])


class SelfInspectionSerializer(serializers.ModelSerializer[SelfInspection]):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    drawn = serializers.SerializerMethodField(help_text=_("是否被抽中核实"))
    answers = SelfInspectionAnswerSerializer(many=True, read_only=True)
    photos = SelfInspectionPhotoSerializer(
        many=True, read_only=True, help_text=_("自查照片（每个需拍照的自查项一张）")
    )
    verification = serializers.SerializerMethodField(help_text=_("核实结果（未核实为空）"))

    class Meta:
        model = SelfInspection
        fields = [
            "id",
            "premises",
            "premises_label",
            "period",
            "status",
            "status_display",
            "submitted_at",
            "client_uuid",
            "drawn",
            "draw",
            "answers",
            "photos",
            "verification",
            "version",
        ]
        read_only_fields = fields

    def get_drawn(self, row: SelfInspection) -> bool:
        return row.draw_id is not None

    def get_verification(self, row: SelfInspection) -> dict[str, Any] | None:
        verification = getattr(row, "verification", None)
        return None if verification is None else dict(VerificationSerializer(verification).data)


class SelfInspectionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    premises = serializers.IntegerField(help_text=_("出租户 id（本人的出租房屋）"))
    client_uuid = serializers.UUIDField(help_text=_("客户端生成的编号：重发同一编号只算一次"))
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=SelfCheckResult.choices),
        help_text=_(
            "{检查项编号: pass 符合 / fail 不符合}，须回答本户的全部自查项"
            "（multipart/form-data：每项一个字段 answers.<检查项编号>）"
        ),
    )
    photos = serializers.DictField(
        child=PhotoUploadField(),
        required=False,
        help_text=_(
            "{检查项编号: 照片}（multipart/form-data：每张一个字段 photos.<检查项编号>）。"
            "需拍照的自查项答“符合”时必须上传；已上传的照片在提交失败后保留，"
            "以同一 client_uuid 重试时无需重传"
        ),
    )


class SelfInspectionMissSerializer(serializers.ModelSerializer[SelfInspectionMiss]):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)

    class Meta:
        model = SelfInspectionMiss
        fields = [
            "id",
            "premises",
            "premises_label",
            "landlord",
            "period",
            "reminded_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class VerificationDrawSerializer(serializers.ModelSerializer[VerificationDraw]):
    drawn = serializers.IntegerField(source="drawn_count", read_only=True, help_text=_("抽中的自查数"))

    class Meta:
        model = VerificationDraw
        fields = [
            "id",
            "period",
            "rate",
            "seed",
            "drawn_at",
            "drawn_by",
            "population",
            "drawn",
            "strata",
            "version",
        ]
        read_only_fields = fields
