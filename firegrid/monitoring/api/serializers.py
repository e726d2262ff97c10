"""Devices and alert cases as JSON, and the bodies of the case moves."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.core.api.fields import LabelField
from firegrid.core.api.serializers import ScopedModelSerializer

from ..choices import CaseOutcome
from ..models import AlertCase, Device, DeviceEvent


class DeviceSerializer(ScopedModelSerializer[Device]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    premises_label = LabelField(source="premises")

    class Meta:
        model = Device
        fields = [
            "id",
            "kind",
            "kind_display",
            "premises",
            "premises_label",
            "room",
            "device_model",
            "serial",
            "installer",
            "installed_on",
            "heartbeat_interval",
            "state",
            "state_display",
            "last_heartbeat_at",
            "last_reading",
            "version",
        ]
        read_only_fields = ["state", "last_heartbeat_at", "last_reading", "version"]


class DeviceEventSerializer(serializers.ModelSerializer[DeviceEvent]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DeviceEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "ts",
            "received_at",
            "seq",
            "payload",
            "applied",
            "clock_skewed",
        ]
        read_only_fields = fields


class AlertCaseSerializer(serializers.ModelSerializer[AlertCase]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    # Declared: DRF drops `allow_blank` from read-only model fields, and an open case's outcome is "".
    outcome = serializers.ChoiceField(
        choices=CaseOutcome.choices, allow_blank=True, read_only=True, label=_("核查结论")
    )
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    premises_label = LabelField(source="premises")
    device_serial = serializers.CharField(source="device.serial", read_only=True)
    acknowledged_by_name = LabelField(source="acknowledged_by")
    visited_by_name = LabelField(source="visited_by")
    closed_by_name = LabelField(source="closed_by")

    class Meta:
        model = AlertCase
        fields = [
            "id",
            "device",
            "device_serial",
            "premises",
            "premises_label",
            "room",
            "kind",
            "kind_display",
            "state",
            "state_display",
            "opened_at",
            "last_alarm_at",
            "alarm_count",
            "acknowledged_at",
            "acknowledged_by_name",
            "visited_at",
            "visited_by_name",
            "closed_at",
            "closed_by_name",
            "outcome",
            "outcome_display",
            "note",
            "version",
        ]
        read_only_fields = fields


class CaseMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("读取时的版本；已被他人处理时返回 409")
    )


class CloseCaseSerializer(CaseMoveSerializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, help_text=_("核查结论"))
    note = serializers.CharField(max_length=500, help_text=_("处置说明"))
