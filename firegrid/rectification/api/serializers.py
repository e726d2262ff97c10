"""Serializers of rectification: plans with their items, history, documents and enforcement; the
requests that make a plan, edit it, move it, sign its pledge and add proof; the escalation ladder.

Reads are model serializers; writes are request serializers that only validate the shape of a call to
`firegrid.rectification.services` (nothing here saves a plan). The `*_display`, `*_label`, `*_name`
fields are read-only conveniences for lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, Department, User
from firegrid.core.api.fields import LabelField, ScopedPrimaryKeyRelatedField, VersionField
from firegrid.core.api.photos import PhotoSerializer, PhotoUploadField
from firegrid.core.api.serializers import ScopedModelSerializer, absolute_url
from firegrid.core.permissions import Action, can
from firegrid.inspections.models import Hazard, Inspection
from firegrid.registry.models import Premises

from .. import services
from ..choices import OPEN_STATES, EnforcementKind, MoveName, PlanState
from ..documents import landlord_url
from ..machine import OFFICERS
from ..models import (
    Document,
    EnforcementAction,
    EnforcementAttachment,
    EscalationStep,
    Plan,
    PlanItem,
    PlanMove,
    ProofPhoto,
)

RECORD_FIELDS = ["version", "created_at", "updated_at"]

# The moves a client asks for with POST plans/{id}/moves/. Marking overdue is the daily job's; a plan
# goes into enforcement when an enforcement action with a sanction is recorded on it.
API_MOVES = [
    (name.value, name.label)
    for name in (
        MoveName.NOTIFY,
        MoveName.START,
        MoveName.REQUEST_RECHECK,
        MoveName.FAIL_RECHECK,
        MoveName.ACCEPT,
        MoveName.EXTEND,
        MoveName.ESCALATE,
        MoveName.RESUME,
        MoveName.CANCEL,
    )
]
# The rungs an escalation ladder may have (the model's choices, named for the OpenAPI schema).
LADDER_MOVES = [
    (MoveName.ESCALATE.value, MoveName.ESCALATE.label),
    (MoveName.ENFORCE.value, MoveName.ENFORCE.label),
]


def is_overdue(plan: Plan, today: dt.date | None = None) -> bool:
    """Open and past its deadline, marked by the daily run or not yet (the `overdue` list filter's rule)."""
    return plan.state in OPEN_STATES and plan.deadline < (today or timezone.localdate())


# --- plans -------------------------------------------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    hazard_code = serializers.CharField(source="hazard.item.code", read_only=True)
    hazard_title = serializers.CharField(source="hazard.item.title", read_only=True)
    severity = serializers.CharField(source="hazard.severity", read_only=True)
    severity_display = serializers.CharField(source="hazard.get_severity_display", read_only=True)
    hazard_status = serializers.CharField(source="hazard.status", read_only=True)
    hazard_status_display = serializers.CharField(source="hazard.get_status_display", read_only=True)
    proof_photo_count = serializers.IntegerField(read_only=True, help_text=_("房东上传的整改照片数"))

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "hazard",
            "hazard_code",
            "hazard_title",
            "severity",
            "severity_display",
            "hazard_status",
            "hazard_status_display",
            "measure",
            "acceptance",
            "deadline",
            "proof_photo_count",
        ]
        read_only_fields = fields


class PlanMoveSerializer(serializers.ModelSerializer):
    """One row of the plan's history."""

    name_display = serializers.CharField(source="get_name_display", read_only=True)
    # Declared: DRF drops `allow_blank` from read-only model fields, and the first move's is "".
    from_state = serializers.ChoiceField(
        choices=PlanState.choices, allow_blank=True, read_only=True, label=_("原状态")
    )
    from_state_display = serializers.CharField(source="get_from_state_display", read_only=True)
    to_state_display = serializers.CharField(source="get_to_state_display", read_only=True)

    class Meta:
        model = PlanMove
        fields = [
            "id",
            "name",
            "name_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "actor_name",
            "time",
            "reason",
            "deadline",
            "inspection",
        ]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    plan_label = serializers.CharField(source="plan.__str__", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    issued_by_name = LabelField(source="issued_by")
    pdf = serializers.SerializerMethodField(help_text=_("PDF 下载地址（内容出具时已固定，重印为同一文件）"))

    class Meta:
        model = Document
        fields = [
            "id",
            "plan",
            "plan_label",
            "kind",
            "kind_display",
            "serial",
            "status",
            "status_display",
            "issued_at",
            "issued_by_name",
            "supersedes",
            "signed_name",
            "signed_at",
            "signed_ip",
            "pdf",
        ]
        read_only_fields = fields

    def get_pdf(self, document: Document) -> str:
        return absolute_url(self.context, reverse("plan-documents-pdf", args=[document.pk]))


class DocumentDetailSerializer(DocumentSerializer):
    content = serializers.JSONField(read_only=True, help_text=_("出具时固定的文书内容（PDF 即由此生成）"))

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "content"]
        read_only_fields = fields


class EnforcementAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("附件下载地址（需登录且在管辖范围内）"))

    class Meta:
        model = EnforcementAttachment
        fields = ["id", "name", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: EnforcementAttachment) -> str:
        path = reverse("enforcement-actions-attachment", args=[attachment.action_id, attachment.pk])
        return absolute_url(self.context, path)


class EnforcementActionSerializer(serializers.ModelSerializer):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)
    attachments = EnforcementAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "premises",
            "premises_label",
            "plan",
            "kind",
            "kind_display",
            "department",
            "department_name",
            "legal_basis",
            "document_number",
            "date",
            "fine_amount",
            "period_days",
            "note",
            "recorded_by_name",
            "attachments",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    building_address = serializers.CharField(source="premises.building.address", read_only=True)
    grid = serializers.IntegerField(
        source="premises.building.grid_id", read_only=True, help_text=_("所在网格")
    )
    grid_name = serializers.CharField(source="premises.building.grid.name", read_only=True)
    landlord_name = serializers.CharField(source="landlord.name", read_only=True, allow_null=True)
    officer_name = serializers.CharField(source="officer.__str__", read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True, allow_null=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    # Annotated by the viewset's queryset, under the name the plan list's FilterSet sorts by.
    hazard_count = serializers.IntegerField(read_only=True, help_text=_("隐患数"))
    days_left = serializers.SerializerMethodField(help_text=_("距整改期限的天数（已过期限为负数）"))
    overdue = serializers.SerializerMethodField(help_text=_("未结束且已过整改期限"))

    class Meta:
        model = Plan
        fields = [
            "id",
            "premises",
            "premises_label",
            "building_address",
            "grid",
            "grid_name",
            "landlord",
            "landlord_name",
            "officer",
            "officer_name",
            "campaign",
            "campaign_name",
            "state",
            "state_display",
            "deadline",
            "days_left",
            "overdue",
            "notified_on",
            "closed_at",
            "cancel_reason",
            "escalated_to",
            "hazard_count",
            "note",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    def get_days_left(self, plan: Plan) -> int:
        return plan.days_left()

    def get_overdue(self, plan: Plan) -> bool:
        return is_overdue(plan)


class PlanDetailSerializer(PlanSerializer):
    """A plan with its hazards, history, documents and enforcement."""

    items = PlanItemSerializer(many=True, read_only=True)
    moves = PlanMoveSerializer(many=True, read_only=True, help_text=_("流转记录，按时间先后"))
    documents = DocumentSerializer(
        many=True, read_only=True, help_text=_("已出具的文书，最新的在前；无权查看文书的角色为空")
    )
    enforcement_actions = EnforcementActionSerializer(
        many=True, read_only=True, help_text=_("执法措施；无权查看执法措施的角色为空")
    )
    landlord_url = serializers.SerializerMethodField(help_text=_("房东查看方案的链接（文书上的二维码）"))

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "landlord_url",
            "items",
            "moves",
            "documents",
            "enforcement_actions",
        ]
        read_only_fields = fields

    def get_landlord_url(self, plan: Plan) -> str:
        return landlord_url(plan)

    # Seeing a plan does not grant its documents or enforcement (a unit liaison follows plans only): the
    # role table decides those as it does for their own lists.
    HIDDEN_WITHOUT_GRANT = (("documents", Document), ("enforcement_actions", EnforcementAction))

    def to_representation(self, plan: Plan) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(plan)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, model in self.HIDDEN_WITHOUT_GRANT:
            if not can(user, Action.VIEW, model):
                data[name] = []
        return data


@extend_schema_field(OpenApiTypes.INT)
class OfficerField(serializers.PrimaryKeyRelatedField):
    """A responsible officer: an active user with a field or department role."""

    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的人员不存在或不能担任整改责任人。"),
    }

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(is_active=True, role__in=OFFICERS)


def check_officer_covers(officer: User | None, premises: Premises) -> None:
    if officer is not None and not Premises.objects.visible_to(officer).filter(pk=premises.pk).exists():
        raise serializers.ValidationError({"officer": _("该人员的管辖范围不包括此出租户。")})


class PlanCreateSerializer(serializers.Serializer):
    """Make a premises' plan from its open hazards (all of them), or from the hazards listed (all of one
    premises, each still to be fixed and in no open plan: the hazard list's 起草整改方案)."""

    premises = ScopedPrimaryKeyRelatedField(
        queryset=Premises.objects.all(),
        required=False,
        help_text=_("出租户；列出隐患时可不填（取隐患所属的出租户）"),
    )
    hazards = ScopedPrimaryKeyRelatedField(
        queryset=Hazard.objects.all(),
        many=True,
        required=False,
        help_text=_(
            "纳入方案的隐患，须属于同一出租户、待整改且不在未结束的方案中；"
            "不填则为该出租户全部待整改且未在其他方案中的隐患"
        ),
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, help_text=_("方案整改期限；不填则取各隐患期限中最晚的")
    )
    officer = OfficerField(required=False, allow_null=True, help_text=_("责任人；不填则为本人"))
    campaign = ScopedPrimaryKeyRelatedField(
        # The model behind `Plan.campaign`: campaigns sit above rectification and are not imported.
        queryset=Plan._meta.get_field("campaign").related_model._default_manager.all(),
        required=False,
        allow_null=True,
        help_text=_("专项整治行动；不填则为当前进行中的行动（没有则方案独立存在）"),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        premises = attrs.get("premises")
        if premises is None:
            if not attrs.get("hazards"):
                raise serializers.ValidationError({"premises": _("请填写出租户，或列出纳入方案的隐患。")})
            # Hazards of several premises are refused by the service, naming them; the officer is checked
            # here against the one premises they share.
            places = {h.premises for h in attrs["hazards"]}
            premises = places.pop() if len(places) == 1 else None
        if premises is not None:
            check_officer_covers(attrs.get("officer"), premises)
        return attrs


class PlanItemChangeSerializer(serializers.Serializer):
    """New measure, acceptance standard or deadline of one hazard of the plan."""

    id = serializers.IntegerField(help_text=_("整改事项编号（方案详情 items 中的 id）"))
    measure = serializers.CharField(required=False, allow_blank=True)
    acceptance = serializers.CharField(required=False, allow_blank=True)
    deadline = serializers.DateField(required=False)


class PlanUpdateSerializer(serializers.Serializer):
    """Edit an open plan: its deadline, officer and note, and each item's measure, standard and deadline.

    Documents already issued keep their content; reissue one to print the change.
    """

    version = VersionField()
    deadline = serializers.DateField(required=False, help_text=_("方案整改期限，不能早于通知日期"))
    officer = OfficerField(required=False, help_text=_("责任人"))
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text=_("修改原因（记入操作日志）")
    )
    items = PlanItemChangeSerializer(many=True, required=False)


class MoveRequestSerializer(serializers.Serializer):
    """One move of the plan's state machine. What each move needs:
    notify (`order` for 责令限期改正通知书); start; request_recheck; fail_recheck (`reason`, `deadline`,
    optional `inspection`); accept (`inspection`: a submitted acceptance inspection); extend (`reason`,
    `deadline`); escalate (`reason`, optional `departments`); resume (`reason`, `deadline`);
    cancel (`reason`)."""

    move = serializers.ChoiceField(
        choices=API_MOVES,
        error_messages={
            "invalid_choice": _(
                "“{input}”不是可以提交的操作。转入执法请记录执法措施（enforcement-actions），逾期由系统每日标记。"
            )
        },
    )
    version = VersionField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    deadline = serializers.DateField(required=False, allow_null=True, help_text=_("新的整改期限"))
    departments = ScopedPrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, help_text=_("联合处置部门（提级）")
    )
    order = serializers.BooleanField(
        required=False, default=False, help_text=_("送达通知时出具责令限期改正通知书（而非隐患整改通知书）")
    )
    inspection = ScopedPrimaryKeyRelatedField(
        queryset=Inspection.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("依据的检查：验收时为已提交的验收检查"),
    )


class AllowedMoveSerializer(serializers.Serializer):
    """A move the requesting user may make from the plan's current state."""

    name = serializers.ChoiceField(choices=MoveName.choices)
    # A declared field, taken off the class by DRF's metaclass; the stubs read it as Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField(help_text=_("操作后的状态"))
    target_display = serializers.CharField()
    needs_reason = serializers.BooleanField()
    needs_deadline = serializers.BooleanField()


class PledgeSerializer(serializers.Serializer):
    """The landlord's typed name, signing the pledge (承诺书)."""

    signed_name = serializers.CharField(max_length=32, help_text=_("房东本人姓名，须与登记的房东姓名一致"))


class ReissueSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("重新出具的原因（必填，记入操作日志）"))


# --- proof photos ------------------------------------------------------------------------------------------


class ProofPhotoSerializer(PhotoSerializer[ProofPhoto]):
    class Meta(PhotoSerializer.Meta):
        model = ProofPhoto
        fields = ["id", "item", *PhotoSerializer.Meta.fields[1:]]
        read_only_fields = fields

    def file_path(self, photo: ProofPhoto, variant: str) -> str:
        return reverse("plan-items-proof-photo-file", args=[photo.item_id, photo.pk, variant])


class ProofPhotoUploadSerializer(serializers.Serializer):
    """An after-photo of one hazard, checked by its content (`firegrid.core.uploads`)."""

    image = PhotoUploadField()


# --- enforcement -------------------------------------------------------------------------------------------


class EnforcementCreateSerializer(serializers.Serializer):
    """Record an enforcement step on a premises; on an escalated plan a sanction moves it into enforcement."""

    premises = ScopedPrimaryKeyRelatedField(
        queryset=Premises.objects.all(), required=False, help_text=_("出租户；给出方案时可省略")
    )
    plan = ScopedPrimaryKeyRelatedField(queryset=Plan.objects.all(), required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=EnforcementKind.choices)
    department = ScopedPrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("执法部门；不填则为本人所属部门"),
    )
    legal_basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    document_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    date = serializers.DateField()
    fine_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, help_text=_("罚款金额（元）")
    )
    period_days = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text=_("临时查封期限或行政拘留天数")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text=_("扫描件或照片（可多个）")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        plan, premises = attrs.get("plan"), attrs.get("premises")
        if premises is None:
            if plan is None:
                raise serializers.ValidationError({"premises": _("请选择出租户。")})
            attrs["premises"] = plan.premises
        return attrs


# --- the escalation ladder ---------------------------------------------------------------------------------


class EscalationStepSerializer(ScopedModelSerializer[EscalationStep]):
    district_name = serializers.CharField(source="district.name", read_only=True)
    move = serializers.ChoiceField(choices=LADDER_MOVES, help_text=_("逾期达到天数后的处置"))
    move_display = serializers.CharField(source="get_move_display", read_only=True)
    suggested_action_display = serializers.CharField(source="get_suggested_action_display", read_only=True)
    department_names = serializers.SerializerMethodField()

    class Meta:
        model = EscalationStep
        fields = [
            "id",
            "district",
            "district_name",
            "days_overdue",
            "move",
            "move_display",
            "departments",
            "department_names",
            "suggested_action",
            "suggested_action_display",
        ]
        # The ladder's uniqueness is the model's own rule (checked by the service), with its message.
        validators: list[object] = []

    def get_department_names(self, step: EscalationStep) -> list[str]:
        return [department.name for department in step.departments.all()]

    def validate_district(self, district: Area) -> Area:
        if district.level != AreaLevel.DISTRICT:
            raise serializers.ValidationError(_("处置阶梯按区设置，请选择区。"))
        return district

    # Every write is a rung of the district's ladder, saved through the ladder's service: the rules
    # (enforcement after escalation, at least one day) and audit entries of the ladder page.
    def create(self, validated_data: dict[str, Any]) -> EscalationStep:
        return services.save_escalation_step(None, validated_data, actor=self.actor)

    def update(self, instance: EscalationStep, validated_data: dict[str, Any]) -> EscalationStep:
        return services.save_escalation_step(instance, validated_data, actor=self.actor)
