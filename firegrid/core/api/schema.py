"""OpenAPI details drf-spectacular cannot infer: an update answers with the read serializer, and a
PATCH still requires the `version` it was based on."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse

from .fields import VersionField

UPDATE_ACTIONS = frozenset({"update", "partial_update"})

# The errors every write documents (`responses={201: …, **ERRORS}`), and a stale `version` (409).
ERRORS = {
    400: OpenApiResponse(description="字段错误（按字段名返回），或 non_field_errors"),
    403: OpenApiResponse(description="角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}
CONFLICT = {409: OpenApiResponse(description="version 已过期：他人已修改，请重新读取")}
# In `responses={201: VIEW_SERIALIZER, **ERRORS}`: the answer is the viewset's own serializer — for an action
# a shared mixin declares once for several viewsets, each answering with its own rows.
VIEW_SERIALIZER = OpenApiResponse(description="")


class FiregridAutoSchema(AutoSchema):
    # Any: what `@extend_schema(responses=…)` gave (a serializer, its class, a dict by status code …).
    def get_response_serializers(self) -> Any:
        if getattr(self.view, "action", None) in UPDATE_ACTIONS and hasattr(
            self.view, "get_read_serializer_class"
        ):
            return self.view.get_read_serializer_class()
        return super().get_response_serializers()

    def _get_response_for_code(
        self, serializer: Any, status_code: str, media_types: Any = None, direction: str = "response"
    ) -> Any:
        if serializer is VIEW_SERIALIZER:
            serializer = self._get_serializer()
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        # drf-spectacular drops every requirement from PATCH bodies; the version stays required.
        version = force_instance(serializer).fields.get("version")
        if direction == "request" and isinstance(version, VersionField):
            required = schema.setdefault("required", [])
            if "version" not in required:
                required.append("version")
        return schema
