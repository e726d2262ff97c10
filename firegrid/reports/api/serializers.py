from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import DailySnapshot, SnapshotRow


class SnapshotRowSerializer(serializers.ModelSerializer):
    completion = serializers.FloatField(read_only=True, help_text="完成率 (%)")

    class Meta:
        model = SnapshotRow
        fields = [
            "dimension",
            "key",
            "name",
            "parent_key",
            "in_scope",
            "surveyed",
            "with_hazards",
            "notified",
            "rectifying",
            "overdue",
            "accepted",
            "cancelled",
            "completion_permille",
            "completion",
            "accepted_delta",
            "completion_delta",
            "rank",
            "rank_change",
        ]
        read_only_fields = fields


class DailySnapshotSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    generated_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = DailySnapshot
        fields = [
            "id",
            "campaign",
            "day",
            "version",
            "generated_at",
            "generated_by",
            "generated_via",
            "reason",
            "status",
        ]
        read_only_fields = fields


class OutreachRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    records = serializers.IntegerField()
    attendance = serializers.IntegerField()
    copies = serializers.IntegerField()


class DailySnapshotDetailSerializer(DailySnapshotSerializer):
    rows = serializers.SerializerMethodField()
    outreach = serializers.SerializerMethodField(
        help_text="宣传发动：生成日报时固定的各宣传形式累计（调用者辖区内；无权查看的为 null）"
    )

    class Meta(DailySnapshotSerializer.Meta):
        fields = [*DailySnapshotSerializer.Meta.fields, "rows", "outreach"]
        read_only_fields = fields

    @extend_schema_field(OutreachRowSerializer(many=True, allow_null=True))
    def get_outreach(self, snapshot: DailySnapshot) -> list[dict[str, Any]] | None:
        from ..services import outreach_section

        section = outreach_section(snapshot, self.context["request"].user)
        if section is None:
            return None
        return [
            {name: row[name] for name in ("kind", "records", "attendance", "copies")}
            | {"kind_label": str(row["label"])}
            for row in section["rows"]
        ]

    @extend_schema_field(SnapshotRowSerializer(many=True))
    def get_rows(self, snapshot: DailySnapshot) -> list[dict[str, Any]]:
        from ..services import visible_rows

        rows = visible_rows(snapshot, self.context["request"].user).order_by(
            "dimension", "rank", "name", "key"
        )
        # With many=True the data is a list (DRF's ReturnList); the stubs type it as the one-row dict.
        return cast(list[dict[str, Any]], SnapshotRowSerializer(rows, many=True).data)


class GenerateSerializer(serializers.Serializer):
    campaign = serializers.SlugField(help_text="行动代号")
    day = serializers.DateField()
    correction = serializers.BooleanField(default=False, help_text="生成新版本（须填写原因）")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
