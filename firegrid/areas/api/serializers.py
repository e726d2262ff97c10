"""Serializers of the organisation: areas, departments, units, and the signed-in user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.core.permissions import Action

from ..choices import Role
from ..models import Area, Department, Unit, User
from ..permissions import ROLE_ACTIONS


class AreaSerializer(ScopedModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Area
        fields = ["id", "parent", "parent_name", "level", "level_display", "name", "code", "version"]


class AreaDetailSerializer(AreaSerializer):
    """An area with its outline (GeoJSON), which lists leave out: outlines are large."""

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "outline"]


class DepartmentSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "name", "kind", "kind_display", "area", "area_name", "version"]


class UnitSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "credit_code",
            "area",
            "area_name",
            "contact_name",
            "contact_mobile",
            "version",
        ]


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user: who they are, their role and the roots of their scope."""

    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope_area_ids = serializers.SerializerMethodField(
        help_text=_("管辖范围的根区域（含其全部下级）；区级角色为区，单位联络人和房东为空。")
    )
    permissions = serializers.SerializerMethodField(
        help_text=_("角色可执行的操作，按对象类型（如 registry.premises）列出。")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "role",
            "role_display",
            "scope_area_ids",
            "unit",
            "department",
            "landlord",
            "permissions",
        ]
        read_only_fields = fields

    def get_scope_area_ids(self, user: User) -> list[int]:
        return [int(path.strip("/").rsplit("/", 1)[-1]) for path in user.scope_paths if path.strip("/")]

    def get_permissions(self, user: User) -> dict[str, list[str]]:
        if user.is_superuser:
            granted = dict.fromkeys(ROLE_ACTIONS[Role.SYSTEM_ADMIN], frozenset(Action))
        else:
            granted = ROLE_ACTIONS.get(user.role, {})
        return {label: sorted(str(a) for a in actions) for label, actions in sorted(granted.items())}
