"""Serializers of the rental registry. Foreign keys are writable ids within the caller's scope; the
`*_display`, `*_name` and `*_label` fields are read-only conveniences for lists."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.core.validators import normalise_id_number, validate_resident_id

from .. import services
from ..models import OUTSIDE_SCOPE_ID_NUMBER, Building, Landlord, Premises, Room, TenantHousehold

RECORD_FIELDS = ["version", "created_at", "updated_at"]

MASKED = _(
    "响应中脱敏显示，完整内容请用 reveal 查看（记入操作日志）。写入时提交完整内容；原样提交脱敏值表示不修改。"
)


class BuildingSerializer(ScopedModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    structure_display = serializers.CharField(source="get_structure_display", read_only=True)
    use_display = serializers.CharField(source="get_use_display", read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "grid",
            "grid_name",
            "address",
            "name",
            "latitude",
            "longitude",
            "floors",
            "height_m",
            "structure",
            "structure_display",
            "year_built",
            "use",
            "use_display",
            *RECORD_FIELDS,
        ]


class PremisesSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    building_address = serializers.CharField(source="building.address", read_only=True)
    grid = serializers.IntegerField(source="building.grid_id", read_only=True, help_text=_("所在网格"))
    grid_name = serializers.CharField(source="building.grid.name", read_only=True)
    landlord_name = serializers.CharField(source="landlord.name", read_only=True)

    class Meta:
        model = Premises
        fields = [
            "id",
            "building",
            "building_address",
            "grid",
            "grid_name",
            "kind",
            "kind_display",
            "unit_label",
            "business_name",
            "is_shared_rental",
            "floor_from",
            "floor_to",
            "floor_area_m2",
            "landlord",
            "landlord_name",
            "status",
            "status_display",
            *RECORD_FIELDS,
        ]


class RoomSerializer(ScopedModelSerializer):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    use_display = serializers.CharField(source="get_use_display", read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "premises",
            "premises_label",
            "number",
            "area_m2",
            "use",
            "use_display",
            "occupants",
            "has_window",
            *RECORD_FIELDS,
        ]


class LandlordIdNumberValidator(UniqueValidator):
    """A landlord's ID number is unique where given (an empty one is no one's: `held_outside_scope`); one
    held by a landlord outside the caller's scope is refused with OUTSIDE_SCOPE_ID_NUMBER instead of
    "已存在", which would confirm the person is a landlord."""

    def __call__(self, value: Any, serializer_field: serializers.Field[Any, Any, Any, Any]) -> None:
        try:
            validate_resident_id(normalise_id_number(value))
        except DjangoValidationError:
            # Not an ID number at all (the field's own validator names the fault): nothing to look up,
            # and no query with bytes a database refuses (NUL on PostgreSQL — found by the API fuzzing).
            return
        instance = getattr(serializer_field.parent, "instance", None)
        user = serializer_field.context["request"].user
        if Landlord.objects.held_outside_scope(user, value, exclude_pk=getattr(instance, "pk", None)):
            raise serializers.ValidationError(OUTSIDE_SCOPE_ID_NUMBER, code="unique")
        super().__call__(value, serializer_field)


class LandlordSerializer(ScopedModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True)
    employer_unit_name = serializers.CharField(source="employer_unit.name", read_only=True, allow_null=True)
    four_category = serializers.ListField(
        source="four_category_labels",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("四类人员类别（党员、干部、两代表一委员、财政供养人员）"),
    )

    class Meta:
        model = Landlord
        fields = [
            "id",
            "name",
            "id_number",
            "mobile",
            "address",
            "area",
            "area_name",
            "is_party_member",
            "is_official",
            "is_deputy",
            "is_public_payroll",
            "four_category",
            "employer_unit",
            "employer_unit_name",
            *RECORD_FIELDS,
        ]
        extra_kwargs = {"id_number": {"help_text": MASKED}, "mobile": {"help_text": MASKED}}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        id_number = fields["id_number"]
        # DRF builds the UniqueValidator from landlord_id_number_unique (its queryset leaves out empty IDs).
        id_number.validators = [
            LandlordIdNumberValidator(v.queryset, v.message) if isinstance(v, UniqueValidator) else v
            for v in id_number.validators
        ]
        return fields


class TenantHouseholdSerializer(ScopedModelSerializer):
    premises_label = serializers.CharField(source="premises.__str__", read_only=True)
    room_number = serializers.CharField(source="room.number", read_only=True, allow_null=True)
    awaiting_confirmation = serializers.BooleanField(
        read_only=True, help_text=_("房东登记的变动待网格员核实")
    )
    reported_late = serializers.BooleanField(read_only=True, help_text=_("入住后超过规定天数才登记"))

    class Meta:
        model = TenantHousehold
        fields = [
            "id",
            "premises",
            "premises_label",
            "room",
            "room_number",
            "head_name",
            "id_number",
            "mobile",
            "people",
            "moved_in",
            "moved_out",
            "awaiting_confirmation",
            "reported_by_landlord_at",
            "move_out_reported_at",
            "confirmed_at",
            "confirmed_by",
            "reported_late",
            *RECORD_FIELDS,
        ]
        read_only_fields = [
            "reported_by_landlord_at",
            "move_out_reported_at",
            "confirmed_at",
            "confirmed_by",
        ]
        extra_kwargs = {"id_number": {"help_text": MASKED}, "mobile": {"help_text": MASKED}}


class TenantMoveInSerializer(ScopedModelSerializer):
    """A tenant household moving in (流管通): written by `services.register_move_in`. Sent by a landlord it
    waits for a grid worker's confirmation; by a grid worker, it is confirmed as it is written."""

    class Meta:
        model = TenantHousehold
        fields = ["premises", "room", "head_name", "id_number", "mobile", "people", "moved_in"]

    def create(self, validated_data: dict[str, Any]) -> TenantHousehold:
        return services.register_move_in(validated_data.pop("premises"), **validated_data, actor=self.actor)


class TenantMoveOutSerializer(serializers.Serializer[Any]):
    moved_out = serializers.DateField(label=_("搬离日期"))
