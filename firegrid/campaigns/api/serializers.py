"""Serializers of the campaign command API."""

from __future__ import annotations

from typing import Any, cast

from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.areas.models import Area, Department, Unit, User
from firegrid.core.api.fields import VersionField
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.registry.models import Landlord, Premises

from .. import services
from ..choices import MilestoneScope
from ..forms import STAFF_ROLES
from ..models import Campaign, CampaignTarget, Claim, Milestone, WorkGroup


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "due_on", "scope"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH makes every nested field optional in DRF; a milestone still needs its name and date.
        missing = {
            name: [self.fields[name].error_messages["required"]]
            for name in ("name", "due_on")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class CampaignSerializer(ScopedModelSerializer):
    # Written through `services.save_campaign`: the milestones are checked against the period together
    # with the campaign, and a list given replaces the stored one.
    milestones = MilestoneSerializer(
        many=True,
        required=False,
        help_text=_("节点目标；提交时整体替换原有的节点，不提交则保留。节点日期须在行动期间内。"),
    )

    class Meta:
        model = Campaign
        fields = ["id", "name", "code", "starts_on", "ends_on", "status", "areas", "milestones", "version"]
        read_only_fields = ["version"]
        extra_kwargs = {"areas": {"help_text": _("范围：街道、社区或网格；不选表示全区")}}

    @staticmethod
    def _split(
        validated_data: dict[str, Any],
    ) -> tuple[dict[str, Any], list[Area] | None, list[services.MilestoneInput] | None]:
        data = dict(validated_data)
        areas = data.pop("areas", None)
        milestones = data.pop("milestones", None)
        if milestones is not None:
            milestones = [
                services.MilestoneInput(m["name"], m["due_on"], m.get("scope", MilestoneScope.ALL))
                for m in milestones
            ]
        return data, areas, milestones

    def create(self, validated_data: dict[str, Any]) -> Campaign:
        data, areas, milestones = self._split(validated_data)
        return services.save_campaign(
            None, data, actor=self.actor, areas=areas or [], milestones=milestones or []
        )

    def update(self, instance: Campaign, validated_data: dict[str, Any]) -> Campaign:
        expected_version = validated_data.pop("version", None)
        data, areas, milestones = self._split(validated_data)
        return services.save_campaign(
            instance,
            data,
            actor=self.actor,
            areas=areas,
            milestones=milestones,
            expected_version=expected_version,
        )


def staff_users() -> QuerySet[User]:
    # The people a work group is made of: the same choice as the page's form.
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES)


class WorkGroupSerializer(ScopedModelSerializer):
    # Written through `services.save_work_group`: an area (counted by its grids) belongs to one work
    # group per campaign, and must lie inside the campaign's scope.
    leader = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(), required=False, allow_null=True, label=_("网格长")
    )
    members = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(), many=True, required=False, label=_("成员")
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, label=_("成员部门")
    )

    class Meta:
        model = WorkGroup
        fields = ["id", "campaign", "name", "leader", "members", "departments", "areas", "version"]
        read_only_fields = ["version"]
        extra_kwargs = {
            "areas": {"help_text": _("负责区域；一个区域（按网格计）在同一行动中只能属于一个工作组")}
        }
        # The unique name per campaign is the service's check, with its message on `name`.
        validators: list[Any] = []

    @staticmethod
    def _split(validated_data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(validated_data)
        m2m = {name: data.pop(name, None) for name in ("members", "departments", "areas")}
        return data, m2m

    def create(self, validated_data: dict[str, Any]) -> WorkGroup:
        data, m2m = self._split(validated_data)
        campaign = data.pop("campaign")
        return services.save_work_group(None, data, actor=self.actor, campaign=campaign, **m2m)

    def update(self, instance: WorkGroup, validated_data: dict[str, Any]) -> WorkGroup:
        expected_version = validated_data.pop("version", None)
        data, m2m = self._split(validated_data)
        return services.save_work_group(
            instance, data, actor=self.actor, expected_version=expected_version, **m2m
        )


class WorkGroupUpdateSerializer(WorkGroupSerializer):
    """Update of a work group: its fields but the campaign (a group stays in its campaign), plus `version`."""

    version = VersionField()
    read_serializer_class = WorkGroupSerializer

    class Meta(WorkGroupSerializer.Meta):
        read_only_fields = ["campaign"]


class CampaignTargetSerializer(serializers.ModelSerializer):
    """One membership: the premises is a target from `joined_on` until `left_on` (null: still one)."""

    address = serializers.CharField(source="premises.building.address", read_only=True)
    unit_label = serializers.CharField(source="premises.unit_label", read_only=True)
    is_current = serializers.BooleanField(read_only=True, help_text=_("仍是整治对象（未移出）"))
    left_by_name = serializers.SerializerMethodField(help_text=_("移出人"))

    class Meta:
        model = CampaignTarget
        fields = [
            "id",
            "campaign",
            "premises",
            "address",
            "unit_label",
            "source",
            "added_at",
            "joined_on",
            "left_on",
            "left_at",
            "left_by",
            "left_by_name",
            "left_reason",
            "is_current",
        ]
        read_only_fields = fields

    def get_left_by_name(self, target: CampaignTarget) -> str:
        return str(target.left_by) if target.left_by_id else ""


class TargetAddSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    premises = serializers.PrimaryKeyRelatedField(queryset=Premises.objects.all(), label=_("出租户"))
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("行动结束后更正整治对象时必填。"),
    )
    joined_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("自哪一天起计入；默认今天（行动已结束的，为行动最后一天）。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An out-of-scope premises is "does not exist", not "exists but not yours".
            premises = cast(serializers.PrimaryKeyRelatedField, self.fields["premises"])
            # The stubs type `queryset` with Manager, whose __get__ mypy then applies to this assignment.
            premises.queryset = Premises.objects.visible_to(request.user)  # type: ignore[arg-type]


class ClaimReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label=_("原因"))


class TargetRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label=_("移出原因"))
    left_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("自哪一天起不再计入；默认今天（行动已结束的，为行动最后一天）。"),
    )


class ClaimSerializer(serializers.ModelSerializer):
    landlord_name = serializers.CharField(source="landlord.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "campaign",
            "landlord",
            "landlord_name",
            "unit",
            "unit_name",
            "status",
            "claimed_by",
            "claimed_at",
            "ended_at",
            "reason",
            "pledge_serial",
            "version",
        ]
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    landlord = serializers.PrimaryKeyRelatedField(queryset=Landlord.objects.all(), label=_("房东"))
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("单位"))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            landlord = cast(serializers.PrimaryKeyRelatedField, self.fields["landlord"])
            # The stubs type `queryset` with Manager, whose __get__ mypy then applies to this assignment.
            landlord.queryset = Landlord.objects.visible_to(request.user)  # type: ignore[arg-type]


class TransferSerializer(ClaimReasonSerializer):
    to_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("移交给"))
