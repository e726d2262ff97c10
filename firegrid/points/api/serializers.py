"""Serializers of points: entries (reasons in the reader's language), landlords' totals, rule sets,
year-end evaluations and nominations; the write requests only validate their shape for the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.core.api.fields import ScopedPrimaryKeyRelatedField
from firegrid.core.api.rulesets import RuleSetSerializer
from firegrid.core.api.serializers import absolute_url
from firegrid.outreach.models import OutreachRecord
from firegrid.registry.models import Landlord

from ..choices import MANUAL_RULES, MAX_CORRECTION, PointsRule
from ..models import Nomination, PointsEntry, PointsRuleSet, YearEndEvaluation

RECORD_FIELDS = ["version", "created_at", "updated_at"]


class PointsEntrySerializer(serializers.ModelSerializer[PointsEntry]):
    landlord_name = serializers.CharField(source="landlord.name", read_only=True)
    rule_display = serializers.CharField(source="get_rule_display", read_only=True)
    reason = serializers.CharField(
        source="reason_text", read_only=True, help_text=_("原因，按请求的界面语言")
    )
    premises_label = serializers.SerializerMethodField()
    source_type = serializers.SerializerMethodField(help_text=_("来源的类型，如 rectification.planmove"))
    source_url = serializers.SerializerMethodField(help_text=_("来源的页面"))
    rule_set_code = serializers.CharField(source="rule_set.code", read_only=True)
    created_by_name = serializers.SerializerMethodField(help_text=_("记录人；为空为系统记录"))

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "landlord",
            "landlord_name",
            "rule",
            "rule_display",
            "amount",
            "reason",
            "note",
            "occurred_on",
            "year",
            "premises",
            "premises_label",
            "source_type",
            "source_id",
            "source_label",
            "source_url",
            "rule_set",
            "rule_set_code",
            "created_by",
            "created_by_name",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    def get_premises_label(self, obj: PointsEntry) -> str:
        return str(obj.premises) if obj.premises_id else ""

    def get_source_type(self, obj: PointsEntry) -> str:
        if obj.source_type is None:
            return ""
        return f"{obj.source_type.app_label}.{obj.source_type.model}"

    def get_source_url(self, obj: PointsEntry) -> str:
        return absolute_url(self.context, obj.source_url) if obj.source_url else ""

    def get_created_by_name(self, obj: PointsEntry) -> str:
        return str(obj.created_by) if obj.created_by_id else ""


class ManualEntrySerializer(serializers.Serializer[Any]):
    landlord = ScopedPrimaryKeyRelatedField(
        queryset=Landlord.objects.all(), help_text=_("房东（须在您的辖区内）")
    )
    rule = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in PointsRule if r in MANUAL_RULES],
        help_text=_("training_attendance 参加消防培训 / meeting_attendance 参加动员会议 / correction 更正"),
    )
    occurred_on = serializers.DateField()
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("说明；更正必填")
    )
    amount = serializers.IntegerField(
        required=False, min_value=-MAX_CORRECTION, max_value=MAX_CORRECTION, help_text=_("更正的分值")
    )
    record = ScopedPrimaryKeyRelatedField(
        queryset=OutreachRecord.objects.all(), required=False, help_text=_("参加的培训或会议的宣传记录")
    )
    corrects = ScopedPrimaryKeyRelatedField(
        queryset=PointsEntry.objects.all(), required=False, help_text=_("所更正的积分记录")
    )


class LandlordPointsSerializer(serializers.ModelSerializer[Landlord]):
    id = serializers.IntegerField(read_only=True, help_text=_("即房东的 id"))
    year = serializers.SerializerMethodField()
    points = serializers.IntegerField(read_only=True)
    gained = serializers.IntegerField(read_only=True)
    lost = serializers.IntegerField(read_only=True)
    band = serializers.SerializerMethodField(help_text=_("poor 积分偏低 / middle 积分一般 / good 积分良好"))
    place = serializers.SerializerMethodField(help_text=_("名次（列表中按积分排名，同分同名次）"))

    class Meta:
        model = Landlord
        fields = ["id", "name", "year", "points", "gained", "lost", "band", "place"]
        read_only_fields = fields

    def get_year(self, obj: Landlord) -> int:
        return int(self.context["year"])

    def get_place(self, obj: Landlord) -> int | None:
        place = getattr(obj, "place", None)
        return int(place) if place is not None else None

    def get_band(self, obj: Landlord) -> str:
        return str(obj.band)  # type: ignore[attr-defined]  # annotated by services.landlords_with_points


class PointsRuleSetSerializer(RuleSetSerializer[PointsRuleSet]):
    parameters = serializers.SerializerMethodField(
        help_text=_(
            "参数（缺省值已补全）：amounts 各项分值、year 年度基础分、nominations 评选分数线和名额比例、"
            "interval 复查间隔的积分档次和增减比例、risk 积分偏低计入风险的权重"
        )
    )

    class Meta(RuleSetSerializer.Meta):
        model = PointsRuleSet


class EvaluationRowSerializer(serializers.Serializer[Any]):
    award = serializers.CharField()
    landlord = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField()
    rank = serializers.IntegerField()
    nominated = serializers.BooleanField()


class YearEndEvaluationSerializer(serializers.ModelSerializer[YearEndEvaluation]):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    rule_set_code = serializers.CharField(source="rule_set.code", read_only=True)
    rows = serializers.SerializerMethodField(
        help_text=_("达到分数线的房东及名次（仅您辖区内的房东；列表中不含）")
    )

    class Meta:
        model = YearEndEvaluation
        fields = [
            "id",
            "year",
            "status",
            "status_display",
            "rule_set",
            "rule_set_code",
            "computed_at",
            "computed_by",
            "confirmed_at",
            "confirmed_by",
            "summary",
            "rows",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(EvaluationRowSerializer(many=True))
    def get_rows(self, obj: YearEndEvaluation) -> list[dict[str, Any]]:
        from ..evaluation import rows_visible_to

        request = self.context.get("request")
        if request is None or not self.context.get("with_rows"):
            return []
        return rows_visible_to(obj, request.user)


class EvaluationComputeSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=9999, help_text=_("评选年度"))


class EvaluationConfirmSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text=_("读取评选结果时的版本（不一致时 409）"))


class NominationSerializer(serializers.ModelSerializer[Nomination]):
    year = serializers.IntegerField(source="evaluation.year", read_only=True)
    award_display = serializers.CharField(source="get_award_display", read_only=True)
    landlord_name = serializers.CharField(source="landlord.name", read_only=True)
    certificate_url = serializers.SerializerMethodField(help_text=_("荣誉证书 PDF"))

    class Meta:
        model = Nomination
        fields = [
            "id",
            "evaluation",
            "year",
            "award",
            "award_display",
            "landlord",
            "landlord_name",
            "points",
            "rank",
            "serial",
            "issued_at",
            "certificate_url",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    def get_certificate_url(self, obj: Nomination) -> str:
        from django.urls import reverse

        return absolute_url(self.context, reverse("nominations-certificate", args=[obj.pk]))
