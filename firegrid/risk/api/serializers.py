"""Serializers of risk grades (reasons in the reader's language) and rule sets (the shared rule-set
serializer, `core/api/rulesets.py`, with what risk's parameters hold)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from firegrid.core.api.rulesets import RuleSetSerializer

from ..choices import RiskGrade
from ..models import GradeChange, PremisesGrade, RiskRuleSet

RECORD_FIELDS = ["version", "created_at", "updated_at"]


class PremisesGradeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(source="pk", read_only=True, help_text=_("即出租户的 id"))
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    grid = serializers.IntegerField(source="premises.building.grid_id", read_only=True)
    grid_name = serializers.CharField(source="premises.building.grid.name", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    level = serializers.CharField(read_only=True, help_text=_("高风险 / 中风险 / 低风险"))
    reasons = serializers.SerializerMethodField(help_text=_("原因，按请求的界面语言"))
    explanation = serializers.CharField(read_only=True, help_text=_("如“红: 2 项红线隐患未消除；群租房”"))
    rule_set_code = serializers.CharField(source="rule_set.code", read_only=True)
    due_state = serializers.SerializerMethodField(
        help_text=_("overdue 已超期 / today 今日到期 / week 7日内到期")
    )
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = PremisesGrade
        fields = [
            "id",
            "premises",
            "premises_label",
            "grid",
            "grid_name",
            "grade",
            "grade_display",
            "level",
            "score",
            "reasons",
            "explanation",
            "rule_set",
            "rule_set_code",
            "computed_at",
            "last_covering_inspection_at",
            "next_due",
            "due_state",
            "days_overdue",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, obj: PremisesGrade) -> list[str]:
        return obj.reason_texts()

    def get_due_state(self, obj: PremisesGrade) -> str:
        return obj.due_state()

    def get_days_overdue(self, obj: PremisesGrade) -> int:
        return obj.days_overdue()


class GradeChangeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # The first grade of a premises has no old one (""): DRF drops allow_blank from read-only model fields.
    old_grade = serializers.ChoiceField(
        choices=RiskGrade.choices, allow_blank=True, read_only=True, label=_("原等级")
    )
    old_grade_display = serializers.CharField(source="get_old_grade_display", read_only=True)
    new_grade_display = serializers.CharField(source="get_new_grade_display", read_only=True)
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    reasons = serializers.SerializerMethodField()
    rule_set_code = serializers.CharField(source="rule_set.code", read_only=True)

    class Meta:
        model = GradeChange
        fields = [
            "id",
            "old_grade",
            "old_grade_display",
            "new_grade",
            "new_grade_display",
            "score",
            "reasons",
            "rule_set",
            "rule_set_code",
            "computed_at",
            "cause",
            "cause_display",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, obj: GradeChange) -> list[str]:
        return obj.reason_texts()


class RiskRuleSetSerializer(RuleSetSerializer[RiskRuleSet]):
    parameters = serializers.SerializerMethodField(
        help_text=_(
            "参数（缺省值已补全）：weights 权重、thresholds 阈值、cut_offs 分数线、"
            "intervals_days 各等级复查间隔（天）、interval_bounds_days 间隔上下限"
        )
    )

    class Meta(RuleSetSerializer.Meta):
        model = RiskRuleSet
