"""Serializers every API shares: the scoped model serializer (writes through services), history, reveal."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from firegrid.core import services
from firegrid.core.masking import MASKERS
from firegrid.core.models import AuditEntry

from .fields import ScopedPrimaryKeyRelatedField, VersionField

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

_M = TypeVar("_M", bound=models.Model)


def absolute_url(context: Mapping[str, Any], path: str) -> str:
    """`path` as a full URL when the serializer has the request (`context["request"]`), as is otherwise."""
    request = context.get("request")
    return str(request.build_absolute_uri(path)) if request is not None else path


class ScopedModelSerializer(serializers.ModelSerializer[_M]):
    # Base serializer of every model in the API (a comment, not a docstring: the OpenAPI schema would
    # show it on every component):
    # - foreign keys are writable ids limited to what the user can see (`ScopedPrimaryKeyRelatedField`);
    # - writes go through `create_record` / `update_record`, which run the model's `full_clean` (so the
    #   model's rules and Chinese messages apply, per field), check the role, re-check scope, and audit;
    # - personal fields (`Model.personal_fields`) are masked in every response; writes take full values,
    #   and a masked value sent back unchanged keeps the stored one.

    serializer_related_field = ScopedPrimaryKeyRelatedField

    def to_internal_value(self, data: Any) -> Any:
        # A client that read a record gets its personal fields masked; sending such a value back
        # unchanged (a PUT of what was read) means "keep the stored value", not "store the mask".
        # (Every parser gives a dict: JSON's object, or the QueryDict of a form.)
        if self.instance is not None and isinstance(data, dict):
            echoed = {
                name: stored
                for name in getattr(self.instance, "personal_fields", ())
                if (stored := getattr(self.instance, name)) and data.get(name) == MASKERS[name](stored)
            }
            if echoed:
                data = data.copy()
                for name, stored in echoed.items():
                    data[name] = stored  # item assignment: QueryDict.update would append
        return super().to_internal_value(data)

    def to_representation(self, instance: _M) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in getattr(instance, "personal_fields", ()):
            if data.get(name):
                data[name] = MASKERS[name](data[name])
        return data

    @property
    def actor(self) -> User:
        # Every endpoint is behind IsAuthenticated: the request's user is signed in.
        user: User = self.context["request"].user
        return user

    def create(self, validated_data: dict[str, Any]) -> _M:
        return services.create_record(self.Meta.model, validated_data, actor=self.actor)

    def update(self, instance: _M, validated_data: dict[str, Any]) -> _M:
        expected_version = validated_data.pop("version", None)
        return services.update_record(
            instance, validated_data, actor=self.actor, expected_version=expected_version
        )


@functools.cache
def update_serializer_class(
    serializer_class: type[serializers.ModelSerializer[Any]],
) -> type[serializers.ModelSerializer[Any]]:
    """The serializer for update and partial update: the same fields, plus the `version` that was read.

    A separate class (e.g. `PremisesUpdateSerializer`) so the OpenAPI schema shows `version` read-only in
    responses and required in update requests. Models without a version keep their serializer as it is.
    """
    if "version" not in getattr(serializer_class.Meta, "fields", ()):
        return serializer_class
    name = serializer_class.__name__.removesuffix("Serializer") + "UpdateSerializer"
    model: type[models.Model] = serializer_class.Meta.model
    update_class = type(
        name,
        (serializer_class,),
        {
            "__module__": serializer_class.__module__,
            "__doc__": f"Update of {model._meta.verbose_name}: the fields plus `version`.",
            "version": VersionField(),
            "read_serializer_class": serializer_class,
        },
    )
    # `type()` is typed as making a plain class; this one subclasses `serializer_class`.
    return cast(type[serializers.ModelSerializer[Any]], update_class)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    """One entry of an object's history. Personal data in `before`/`after` is already masked."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)
    before = serializers.JSONField(read_only=True, allow_null=True, help_text=_("修改前的字段值"))
    after = serializers.JSONField(read_only=True, allow_null=True, help_text=_("修改后的字段值"))

    class Meta:
        model = AuditEntry
        fields = ["id", "time", "actor_name", "action", "action_display", "before", "after", "reason"]
        read_only_fields = fields


# Every personal field has a masker; these are the fields a reveal may name.
PERSONAL_FIELD_CHOICES = [
    ("id_number", _("身份证号码")),
    ("mobile", _("手机号码")),
    ("contact_mobile", _("联系电话")),
]


class RevealSerializer(serializers.Serializer[Any]):
    """Which personal field to show unmasked."""

    field = serializers.ChoiceField(
        choices=PERSONAL_FIELD_CHOICES, help_text=_("要查看完整内容的个人信息字段")
    )


class RevealResultSerializer(serializers.Serializer[Any]):
    """An unmasked personal value; the reveal is in the object's history."""

    field = serializers.ChoiceField(choices=PERSONAL_FIELD_CHOICES)
    value = serializers.CharField(help_text=_("未脱敏的完整内容；本次查看已记入操作日志"))
