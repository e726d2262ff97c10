"""API of outreach records (宣传记录): list with the web list's filters, detail, history, create, edit with
the `version` read, delete; `totals/` gives the per-kind figures of what the filters select."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.core.api.base import ScopedModelViewSet, ScopedViewSetMixin
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.core.permissions import Action

from .. import services
from ..filters import OutreachRecordFilterSet
from ..models import OutreachKind, OutreachRecord

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest


class OutreachRecordSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = OutreachRecord
        fields = [
            "id",
            "campaign",
            "kind",
            "kind_display",
            "held_on",
            "area",
            "area_name",
            "audience",
            "attendance",
            "material",
            "copies",
            "note",
            "recorded_by",
            "recorded_by_name",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["recorded_by"]

    def create(self, validated_data: dict[str, Any]) -> OutreachRecord:
        return services.create_outreach_record(validated_data, actor=self.actor)

    def update(self, instance: OutreachRecord, validated_data: dict[str, Any]) -> OutreachRecord:
        expected_version = validated_data.pop("version", None)
        return services.update_outreach_record(
            instance, validated_data, actor=self.actor, expected_version=expected_version
        )


class KindTotalsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutreachKind.choices)
    kind_display = serializers.CharField()
    records = serializers.IntegerField(help_text=_("记录数"))
    attendance = serializers.IntegerField(help_text=_("参加人数合计"))
    copies = serializers.IntegerField(help_text=_("份数合计"))


@extend_schema_view(
    list=extend_schema(summary="宣传记录列表"),
    retrieve=extend_schema(summary="宣传记录详情"),
    create=extend_schema(
        summary="登记宣传记录",
        description="动员会须填参加人数；发放宣传资料须填资料类型和份数；联系卡发放须填份数。"
        "日期不能晚于今天，并须在所选专项行动期间内；区域须在管辖范围内。登记人为当前用户。",
    ),
)
class OutreachRecordViewSet(ScopedModelViewSet):
    """Outreach records (宣传记录) of the areas in the caller's scope (an area and all below it)."""

    queryset = OutreachRecord.objects.select_related("area", "campaign", "recorded_by")
    serializer_class = OutreachRecordSerializer
    filterset_class = OutreachRecordFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedViewSetMixin.action_permissions,
        "totals": Action.VIEW,
    }

    @extend_schema(
        summary="宣传合计",
        description="按宣传形式合计所筛选记录的记录数、参加人数和份数（筛选参数同列表）；每种形式都列出，"
        "没有记录的为 0。",
        responses=KindTotalsSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def totals(self, request: AuthedRequest) -> Response:
        records = self.filter_queryset(self.get_queryset())
        totals = services.outreach_totals(None, records=records)
        data = [{"kind": k, "kind_display": OutreachKind(k).label, **v} for k, v in totals.items()]
        return Response(KindTotalsSerializer(data, many=True).data)


def register(router: BaseRouter) -> None:
    router.register("outreach-records", OutreachRecordViewSet, basename="outreach-records")
