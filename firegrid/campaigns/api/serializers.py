"""Serializers of the campaign command API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.areas.models import Unit
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.registry.models import Landlord, Premises

from ..models import Campaign, CampaignTarget, Claim, Milestone, WorkGroup


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "due_on", "scope"]


class CampaignSerializer(ScopedModelSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "code", "starts_on", "ends_on", "status", "areas", "milestones", "version"]
        read_only_fields = fields


class WorkGroupSerializer(ScopedModelSerializer):
    class Meta:
        model = WorkGroup
        fields = ["id", "campaign", "name", "leader", "members", "departments", "areas", "version"]
        read_only_fields = fields


class CampaignTargetSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="premises.building.address", read_only=True)
    unit_label = serializers.CharField(source="premises.unit_label", read_only=True)

    class Meta:
        model = CampaignTarget
        fields = ["id", "campaign", "premises", "address", "unit_label", "source", "added_at"]
        read_only_fields = fields


class TargetAddSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    premises = serializers.PrimaryKeyRelatedField(queryset=Premises.objects.all(), label=_("出租户"))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An out-of-scope premises is "does not exist", not "exists but not yours".
            self.fields["premises"].queryset = Premises.objects.visible_to(request.user)


class ClaimReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label=_("原因"))


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["landlord"].queryset = Landlord.objects.visible_to(request.user)


class TransferSerializer(ClaimReasonSerializer):
    to_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), label=_("移交给"))
