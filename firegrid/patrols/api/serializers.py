"""Patrols as JSON: teams, patrols with their route, scans, findings with photos, fabrication flags, and
the bodies of the actions (plan, scan, cancel, finding, close, review)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.areas.models import User
from firegrid.core.api.fields import LabelField, ScopedPrimaryKeyRelatedField
from firegrid.core.api.photos import PhotoSerializer, PhotoUploadField
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.registry.models import Building

from .. import services
from ..checks import describe
from ..choices import REVIEW_DECISIONS, FindingKind, PatrolKind
from ..models import FabricationFlag, FindingPhoto, Patrol, PatrolFinding, PatrolScan, PatrolTeam

ACTIVE_USERS = User.objects.filter(is_active=True)


class PatrolTeamSerializer(ScopedModelSerializer[PatrolTeam]):
    # Members and leader by user id; the service checks them against the area and kind (a grid workers'
    # team: the area's staff; a landlord volunteer team: the area's landlords with an account).
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = LabelField(source="area")
    members = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_USERS, many=True, required=False, help_text=_("队员的用户 id")
    )
    leader = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_USERS, required=False, allow_null=True, help_text=_("队长（须是队员）")
    )

    class Meta:
        model = PatrolTeam
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "area",
            "area_name",
            "members",
            "leader",
            "active",
            "note",
            "version",
        ]
        read_only_fields = ["version"]

    def create(self, validated_data: dict[str, Any]) -> PatrolTeam:
        return services.create_team(
            name=validated_data["name"],
            kind=validated_data["kind"],
            area=validated_data["area"],
            members=validated_data.get("members", []),
            leader=validated_data.get("leader"),
            note=validated_data.get("note", ""),
            active=validated_data.get("active", True),
            actor=self.actor,
        )

    def update(self, instance: PatrolTeam, validated_data: dict[str, Any]) -> PatrolTeam:
        expected = validated_data.pop("version", None)
        return services.update_team(instance, validated_data, actor=self.actor, expected_version=expected)


class RouteStopSerializer(serializers.Serializer):  # type: ignore[type-arg]
    position = serializers.IntegerField()
    building = serializers.IntegerField(source="building_id")
    address = serializers.CharField(source="building.__str__")
    scanned = serializers.BooleanField(help_text=_("本次巡查中已打卡"))


class PatrolSerializer(serializers.ModelSerializer[Patrol]):
    team_name = LabelField(source="team")
    area_name = LabelField(source="area")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by_name = LabelField(source="created_by")
    route = serializers.SerializerMethodField(help_text=_("路线：按顺序的建筑及是否已打卡"))

    class Meta:
        model = Patrol
        fields = [
            "id",
            "team",
            "team_name",
            "area",
            "area_name",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "window_start",
            "window_end",
            "started_at",
            "finished_at",
            "route",
            "participants",
            "created_by_name",
            "note",
            "version",
        ]
        read_only_fields = fields

    def get_route(self, patrol: Patrol) -> list[dict[str, Any]]:
        scanned = {scan.building_id for scan in patrol.scans.all()}
        stops = sorted(patrol.stops.all(), key=lambda stop: stop.position)
        rows = [
            {
                "position": s.position,
                "building_id": s.building_id,
                "building": s.building,
                "scanned": s.building_id in scanned,
            }
            for s in stops
        ]
        return list(RouteStopSerializer(rows, many=True).data)


class PatrolPlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Plan a patrol: the route is `buildings` in the order given, or — without them — the area's
    buildings by `auto_route` (not patrolled this week, or all) in walking order."""

    team = ScopedPrimaryKeyRelatedField(queryset=PatrolTeam.objects.all(), help_text=_("巡查队"))
    area = serializers.IntegerField(required=False, help_text=_("巡查区域（不填：巡查队的区域）"))
    kind = serializers.ChoiceField(choices=PatrolKind.choices, default=PatrolKind.DAY)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    buildings = ScopedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), many=True, required=False, help_text=_("路线上的建筑，按顺序")
    )
    auto_route = serializers.ChoiceField(
        choices=[("unpatrolled", _("本周尚未巡查的建筑")), ("all", _("区域内全部建筑"))],
        required=False,
        help_text=_("不给 buildings 时按此自动生成路线"),
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("buildings") and not attrs.get("auto_route"):
            raise serializers.ValidationError({"buildings": _("请给出路线上的建筑，或选择自动生成路线。")})
        return attrs


class MoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("读取时的版本号（可选，已变则 409）")
    )


class CancelSerializer(MoveSerializer):
    reason = serializers.CharField(max_length=150, help_text=_("取消原因"))


class ScanRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One scan: the building (its id, or `code`: the QR code's text or a typed building number; a
    premises' door code counts for its building), the phone's client id, and optionally its position
    and — for a scan sent late — the time it was made."""

    building = serializers.IntegerField(required=False, help_text=_("建筑 id"))
    code = serializers.CharField(required=False, max_length=500, help_text=_("二维码内容或建筑编号"))
    client_uuid = serializers.UUIDField(help_text=_("手机生成的编号：同一编号重发返回第一次的打卡（200）"))
    latitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=12, decimal_places=8, required=False, allow_null=True)
    scanned_at = serializers.DateTimeField(required=False, help_text=_("离线时打卡的时间（不填：现在）"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "building" not in attrs and not attrs.get("code"):
            raise serializers.ValidationError({"building": _("请给出建筑或二维码内容。")})
        return attrs


class PatrolScanSerializer(serializers.ModelSerializer[PatrolScan]):
    building_label = LabelField(source="building")
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    scanned_by_name = LabelField(source="scanned_by")

    class Meta:
        model = PatrolScan
        fields = [
            "id",
            "patrol",
            "building",
            "building_label",
            "premises",
            "source",
            "source_display",
            "scanned_at",
            "latitude",
            "longitude",
            "scanned_by",
            "scanned_by_name",
            "on_route",
            "in_window",
            "client_uuid",
        ]
        read_only_fields = fields


class FindingPhotoSerializer(PhotoSerializer[FindingPhoto]):
    class Meta(PhotoSerializer.Meta):
        model = FindingPhoto


class PatrolFindingSerializer(serializers.ModelSerializer[PatrolFinding]):
    building_label = LabelField(source="building")
    premises_label = serializers.CharField(source="premises.unit_label", read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reported_by_name = LabelField(source="reported_by")
    photos = FindingPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = PatrolFinding
        fields = [
            "id",
            "patrol",
            "building",
            "building_label",
            "premises",
            "premises_label",
            "kind",
            "kind_display",
            "note",
            "status",
            "status_display",
            "reported_by_name",
            "reported_at",
            "inspection",
            "closed_at",
            "close_note",
            "client_uuid",
            "photos",
            "version",
        ]
        read_only_fields = fields


class FindingCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A finding on a patrol under way (multipart/form-data when it has a photo)."""

    patrol = ScopedPrimaryKeyRelatedField(queryset=Patrol.objects.all(), help_text=_("巡查"))
    building = serializers.IntegerField(help_text=_("建筑 id"))
    premises = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("出租户 id（不填：整幢）")
    )
    kind = serializers.ChoiceField(choices=FindingKind.choices, default=FindingKind.NOTE)
    note = serializers.CharField(max_length=1000)
    client_uuid = serializers.UUIDField(help_text=_("手机生成的编号：同一编号重发返回第一次的记录（200）"))
    photo = PhotoUploadField(required=False)


class CloseFindingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    close_note = serializers.CharField(max_length=200, help_text=_("处理说明"))
    version = serializers.IntegerField(required=False, min_value=1)


class FabricationFlagSerializer(serializers.ModelSerializer[FabricationFlag]):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    user_name = LabelField(source="user")
    grid_name = LabelField(source="grid")
    summary = serializers.SerializerMethodField(help_text=_("依据的文字说明"))
    reviewed_by_name = LabelField(source="reviewed_by")
    photo_id = serializers.IntegerField(source="photo.photo_id", read_only=True, allow_null=True)
    other_photo_id = serializers.IntegerField(source="other_photo.photo_id", read_only=True, allow_null=True)

    class Meta:
        model = FabricationFlag
        fields = [
            "id",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "user",
            "user_name",
            "grid",
            "grid_name",
            "raised_at",
            "details",
            "summary",
            "inspection",
            "scan",
            "other_scan",
            "photo_id",
            "other_photo_id",
            "reviewed_by_name",
            "reviewed_at",
            "review_note",
            "version",
        ]
        read_only_fields = fields

    def get_summary(self, flag: FabricationFlag) -> str:
        return describe(flag)


class ReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = serializers.ChoiceField(choices=[(value, value) for value in REVIEW_DECISIONS])
    review_note = serializers.CharField(max_length=500, help_text=_("核查说明"))
    version = serializers.IntegerField(min_value=1, help_text=_("读取时的版本号；他人已核查则 409"))
