"""Serializers of inspections: checklist templates and items, inspections with their answers and photos,
hazards, survey coverage.

Reads are model serializers; writes are request serializers that only validate the shape of a call to
`firegrid.inspections.services` (nothing here saves a model). The `*_display`, `*_label`, `*_name`
fields are read-only conveniences for lists.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.areas.choices import Role
from firegrid.areas.models import Area, Department
from firegrid.core.api import photos
from firegrid.core.api.fields import LabelField, ScopedPrimaryKeyRelatedField
from firegrid.core.validators import validate_latitude, validate_longitude
from firegrid.registry.models import Building, Premises, Room

from ..choices import (
    OPEN_STATUSES,
    AnswerResult,
    HazardBucket,
    InspectionKind,
    PhotoRole,
    VisitOutcome,
)
from ..models import Answer, ChecklistItem, ChecklistTemplate, Hazard, Inspection, Photo

RECORD_FIELDS = ["version", "created_at", "updated_at"]

# The colours users know the buckets by (待整改 red · 待复核 orange · 已消除 green); a void hazard has none.
BUCKET_COLOURS: dict[str, str] = {
    HazardBucket.TO_FIX: "red",
    HazardBucket.TO_RECHECK: "orange",
    HazardBucket.REMOVED: "green",
}
COLOUR_CHOICES = [("red", "red"), ("orange", "orange"), ("green", "green")]


# --- checklist templates ---------------------------------------------------------------------------------


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    based_on_code = serializers.CharField(source="based_on.code", read_only=True, allow_null=True)
    item_count = serializers.IntegerField(read_only=True, help_text=_("检查项数"))
    is_current = serializers.SerializerMethodField(help_text=_("是否为新检查使用的当前版本"))
    parameters = serializers.JSONField(
        read_only=True,
        help_text=_(
            "参数：{名称: {value, unit, description_zh, variants}}；草稿可用 parameters 操作修改 value。"
        ),
    )
    severities = serializers.JSONField(read_only=True, help_text=_("隐患等级说明"))
    categories = serializers.JSONField(read_only=True, help_text=_("分类：[{code, name_zh, name_en}]"))

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "standard",
            "status",
            "status_display",
            "published_at",
            "based_on",
            "based_on_code",
            "is_current",
            "item_count",
            "parameters",
            "severities",
            "categories",
            "notes",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    @cached_property
    def _current_template_id(self) -> int | None:
        # Looked up once per response: a list serializes every row with one child serializer.
        current = ChecklistTemplate.objects.current()
        return current.pk if current else None

    def get_is_current(self, template: ChecklistTemplate) -> bool:
        return template.pk == self._current_template_id


class ChecklistItemSerializer(serializers.ModelSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    category_name = serializers.SerializerMethodField()
    is_measured = serializers.BooleanField(read_only=True, help_text=_("实测项：结论由实测值与阈值比较得出"))
    threshold = serializers.SerializerMethodField(
        help_text=_("实测项在本检查表版本中的阈值（参数值）；其他检查项为空")
    )
    applies_to = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("适用的出租户类型")
    )
    rule = serializers.JSONField(
        read_only=True,
        help_text=_('判定方式：{"kind": "yes_no"} 或 {"kind": "measure", "parameter", "comparison", "unit"}'),
    )
    basis = serializers.JSONField(read_only=True, help_text=_("依据"))

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "template",
            "code",
            "category",
            "category_name",
            "position",
            "title",
            "title_en",
            "requirement",
            "requirement_en",
            "applies_to",
            "shared_rental_only",
            "area_level",
            "severity",
            "severity_display",
            "gb35181_element",
            "rule",
            "is_measured",
            "threshold",
            "default_deadline_days",
            "measure",
            "measure_en",
            "acceptance",
            "acceptance_en",
            "basis",
            "confidence",
        ]
        read_only_fields = fields

    def get_category_name(self, item: ChecklistItem) -> str:
        # Chinese whatever the language, as title and requirement are: a client has the *_en fields.
        return item.template.category_name_zh(item.category)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_threshold(self, item: ChecklistItem) -> Any:
        return item.template.parameter(item.rule["parameter"]) if item.is_measured else None


class TemplateVersionSerializer(serializers.Serializer):
    """The code of the new draft version, e.g. `qj-2026.1`."""

    code = serializers.CharField(max_length=32, help_text=_("新版本的版本号，不能与已有版本重复"))


# --- inspections ------------------------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    hazard = serializers.SerializerMethodField(help_text=_("该结论产生的隐患（提交后）"))

    class Meta:
        model = Answer
        fields = [
            "item_code",
            "item_title",
            "result",
            "result_display",
            "measured_value",
            "note",
            "fixed_on_spot",
            "hazard",
        ]
        read_only_fields = fields

    def get_hazard(self, answer: Answer) -> int | None:
        try:
            return answer.hazard.pk
        except Hazard.DoesNotExist:
            return None


class InspectionSerializer(serializers.ModelSerializer):
    premises_label = LabelField(source="premises")
    building_address = serializers.CharField(source="building.address", read_only=True)
    grid = serializers.IntegerField(source="building.grid_id", read_only=True, help_text=_("所在网格"))
    grid_name = serializers.CharField(source="building.grid.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    template_code = serializers.CharField(source="template.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # Declared: DRF drops `allow_blank` from read-only model fields, and a draft's outcome is "".
    outcome = serializers.ChoiceField(
        choices=VisitOutcome.choices, allow_blank=True, read_only=True, label=_("检查结果")
    )
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    inspector_names = serializers.SerializerMethodField()
    department_names = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "client_uuid",
            "premises",
            "premises_label",
            "building",
            "building_address",
            "grid",
            "grid_name",
            "kind",
            "kind_display",
            "template",
            "template_code",
            "status",
            "status_display",
            "outcome",
            "outcome_display",
            "inspectors",
            "inspector_names",
            "departments",
            "department_names",
            "rooms_inspected",
            "started_at",
            "submitted_at",
            "latitude",
            "longitude",
            "return_visit_due",
            "note",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    # The names come from the prefetched rows (`.all()`), so a list costs the same queries at any length.
    def get_inspector_names(self, inspection: Inspection) -> list[str]:
        return [str(user) for user in inspection.inspectors.all()]

    def get_department_names(self, inspection: Inspection) -> list[str]:
        return [department.name for department in inspection.departments.all()]


class InspectionStartSerializer(serializers.Serializer):
    """Start a draft inspection of a premises, or of a building for its area-level items."""

    premises = ScopedPrimaryKeyRelatedField(
        queryset=Premises.objects.all(), required=False, allow_null=True, help_text=_("要检查的出租户")
    )
    building = ScopedPrimaryKeyRelatedField(
        queryset=Building.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("按建筑检查（公共部分）时的建筑；给出出租户时可省略"),
    )
    kind = serializers.ChoiceField(choices=InspectionKind.choices, default=InspectionKind.SURVEY)
    client_uuid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("客户端生成的编号：用同一编号重复提交，返回同一检查（200），不会重复创建"),
    )
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, validators=[validate_latitude]
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, validators=[validate_longitude]
    )
    departments = ScopedPrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, help_text=_("联合检查部门")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        premises, building = attrs.get("premises"), attrs.get("building")
        if premises is not None and building is not None and premises.building_id != building.pk:
            raise serializers.ValidationError({"premises": _("出租户不在所选建筑内。")})
        return attrs


class AnswerInputSerializer(serializers.Serializer):
    """One finding. A measured item's result is decided by its measured value and this version's threshold."""

    item_code = serializers.CharField(max_length=16, help_text=_("检查项编号，如 ELEC-01"))
    result = serializers.ChoiceField(choices=AnswerResult.choices)
    measured_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, help_text=_("实测值（实测项）")
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    fixed_on_spot = serializers.BooleanField(
        required=False, default=False, help_text=_("当场整改（仅“立改”类不合格项，提交前需上传整改后照片）")
    )


class InspectionSubmitSerializer(serializers.Serializer):
    """Finish a visit with its outcome; answers given here are saved first, as by autosave."""

    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    answers = AnswerInputSerializer(many=True, required=False)
    rooms = ScopedPrimaryKeyRelatedField(
        queryset=Room.objects.all(), many=True, required=False, help_text=_("本次检查到的房间")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer):
    """A measured item pre-evaluated from the registry, for the inspector to confirm."""

    result = serializers.ChoiceField(choices=AnswerResult.choices)
    measured_value = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    reason = serializers.CharField()


class ChecklistTemplateRefSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "status", "status_display", "parameters"]
        read_only_fields = fields


class InspectionChecklistSerializer(serializers.Serializer):
    """What an inspector fills in: the applicable items of the inspection's own template version, the
    answers stored so far, and suggestions computed from the registry."""

    inspection = serializers.IntegerField()
    status = serializers.CharField()
    template = ChecklistTemplateRefSerializer()
    items = ChecklistItemSerializer(many=True, help_text=_("适用于本次检查的检查项"))
    answers = AnswerSerializer(many=True, help_text=_("已保存的结论"))
    suggestions = serializers.DictField(
        child=SuggestionSerializer(), help_text=_("按检查项编号：根据登记信息预判的结论，供检查人员确认")
    )


class PhotoSerializer(photos.PhotoSerializer[Photo]):
    item_code = serializers.CharField(source="answer.item.code", read_only=True, allow_null=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Photo
        fields = [
            "id",
            "inspection",
            "item_code",
            "role",
            "role_display",
            "image",
            "thumbnail",
            "width",
            "height",
            "original_format",
            "taken_at",
            "latitude",
            "longitude",
            "uploaded_by_name",
            "uploaded_at",
        ]
        read_only_fields = fields

    def to_representation(self, photo: Photo) -> dict[str, Any]:
        data = super().to_representation(photo)
        request = self.context.get("request")
        # Where a photo was taken is evidence for officials, not for landlords or employer units.
        if request is not None and getattr(request.user, "role", "") in (Role.LANDLORD, Role.UNIT_LIAISON):
            data["latitude"] = data["longitude"] = None
        return data


class PhotoUploadSerializer(serializers.Serializer):
    """A photo of a draft inspection, checked by its content (`firegrid.core.uploads`)."""

    file = photos.PhotoUploadField()
    item_code = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text=_("所属检查项编号（须已作出结论）")
    )
    role = serializers.ChoiceField(choices=PhotoRole.choices, default=PhotoRole.EVIDENCE)


# --- hazards ---------------------------------------------------------------------------------------------


class HazardSerializer(serializers.ModelSerializer):
    premises_label = LabelField(source="premises")
    building_address = serializers.CharField(source="building.address", read_only=True)
    grid = serializers.IntegerField(source="building.grid_id", read_only=True, help_text=_("所在网格"))
    grid_name = serializers.CharField(source="building.grid.name", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    category = serializers.CharField(source="item.category", read_only=True)
    category_name = serializers.SerializerMethodField()
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    bucket = serializers.SerializerMethodField(help_text=_("状态分组；已作废的为空"))
    bucket_display = serializers.SerializerMethodField()
    colour = serializers.SerializerMethodField(
        help_text=_("状态分组的颜色：待整改 red、待复核 orange、已消除 green；已作废的为空")
    )
    overdue = serializers.SerializerMethodField(help_text=_("未消除且已过整改期限"))

    class Meta:
        model = Hazard
        fields = [
            "id",
            "premises",
            "premises_label",
            "building",
            "building_address",
            "grid",
            "grid_name",
            "item",
            "item_code",
            "item_title",
            "category",
            "category_name",
            "severity",
            "severity_display",
            "status",
            "status_display",
            "bucket",
            "bucket_display",
            "colour",
            "found_at",
            "deadline",
            "overdue",
            "closed_at",
            "inspection",
            "closed_by",
            "void_reason",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=HazardBucket.choices, allow_null=True))
    def get_bucket(self, hazard: Hazard) -> str | None:
        return hazard.bucket or None

    def get_category_name(self, hazard: Hazard) -> str:
        return hazard.item.template.category_name_zh(hazard.item.category)

    def get_bucket_display(self, hazard: Hazard) -> str | None:
        return str(HazardBucket(hazard.bucket).label) if hazard.bucket else None

    @extend_schema_field(serializers.ChoiceField(choices=COLOUR_CHOICES, allow_null=True))
    def get_colour(self, hazard: Hazard) -> str | None:
        return BUCKET_COLOURS.get(hazard.bucket)

    def get_overdue(self, hazard: Hazard) -> bool:
        return bool(
            hazard.status in OPEN_STATUSES and hazard.deadline and hazard.deadline < timezone.localdate()
        )


class VoidSerializer(serializers.Serializer):
    """Why the hazard was recorded in error."""

    reason = serializers.CharField(max_length=200, help_text=_("作废原因（必填，记入操作日志）"))


# --- coverage --------------------------------------------------------------------------------------------


class CoverageQuerySerializer(serializers.Serializer):
    area = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("统计该区域及其下一级；不填则为本人管辖范围"),
    )


class CoverageAreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "name", "level", "level_display"]
        read_only_fields = fields


FIGURES = [
    ("buildings", _("建筑")),
    ("buildings_surveyed", _("已排查完的建筑")),
    ("buildings_unsurveyed", _("未排查完的建筑")),
    ("premises", _("出租户")),
    ("premises_covered", _("已排查的出租户")),
    ("premises_never", _("从未上门的出租户")),
    ("premises_return", _("待回访的出租户")),
    ("rooms", _("房间")),
    ("rooms_inspected", _("已查房间")),
]

# Figures and outcomes are counted in dicts that leave out what is zero; these serializers name every key.
CoverageFiguresSerializer = type(
    "CoverageFiguresSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "The survey figures of one area; each equals the count of the list its link opens.",
        **{name: serializers.IntegerField(help_text=label) for name, label in FIGURES},
    },
)
CoverageOutcomesSerializer = type(
    "CoverageOutcomesSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Submitted inspections of the area by outcome.",
        **{outcome.value: serializers.IntegerField(help_text=outcome.label) for outcome in VisitOutcome},
    },
)
LINK_NAMES = [name for name, _label in FIGURES] + [f"outcome_{o.value}" for o in VisitOutcome]
CoverageLinksSerializer = type(
    "CoverageLinksSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "The list behind each figure, with the same filters.",
        **{name: serializers.CharField() for name in LINK_NAMES},
    },
)


class CoverageRowSerializer(serializers.Serializer):
    """One area's survey coverage (社不漏户、户不漏房、房不漏间)."""

    area = CoverageAreaSerializer()
    is_total = serializers.BooleanField(help_text=_("合计行（所选区域本身）；其余为其下一级区域"))
    figures = CoverageFiguresSerializer()
    outcomes = CoverageOutcomesSerializer()
    survey_rate = serializers.FloatField(allow_null=True, help_text=_("排查率（%）：已排查的出租户 / 出租户"))
    links = CoverageLinksSerializer(allow_null=True, help_text=_("各数字对应的网页列表"))
    api_links = CoverageLinksSerializer(help_text=_("各数字对应的 API 列表（计数与数字相同）"))
