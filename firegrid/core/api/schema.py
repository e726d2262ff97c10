"""OpenAPI details drf-spectacular cannot infer: an update answers with the read serializer, and a
PATCH still requires the `version` it was based on."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance

from .fields import VersionField

UPDATE_ACTIONS = frozenset({"update", "partial_update"})


class FiregridAutoSchema(AutoSchema):
    # Any: what `@extend_schema(responses=…)` gave (a serializer, its class, a dict by status code …).
    def get_response_serializers(self) -> Any:
        if getattr(self.view, "action", None) in UPDATE_ACTIONS and hasattr(
            self.view, "get_read_serializer_class"
        ):
            return self.view.get_read_serializer_class()
        return super().get_response_serializers()

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        # drf-spectacular drops every requirement from PATCH bodies; the version stays required.
        version = force_instance(serializer).fields.get("version")
        if direction == "request" and isinstance(version, VersionField):
            required = schema.setdefault("required", [])
            if "version" not in required:
                required.append("version")
        return schema
