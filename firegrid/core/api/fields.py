"""Serializer fields every API shares: scoped foreign-key ids and the edit `version`."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from firegrid.core.permissions import Action
from firegrid.core.querysets import ScopedQuerySet

_M = TypeVar("_M", bound=models.Model)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[_M]):
    """A writable foreign key given as an id, limited to the rows the requesting user can see.

    A payload naming a row outside the user's scope gets a 400 on this field and nothing is written;
    the service's scope re-check after the write stays as the backstop.
    """

    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的记录不存在或不在您的管辖范围内。"),
    }

    def get_queryset(self) -> QuerySet[_M] | None:
        queryset = super().get_queryset()
        if not isinstance(queryset, ScopedQuerySet):
            return queryset
        request = self.context.get("request")
        if request is None:
            # Without a user there is no scope: offer nothing rather than everything.
            return queryset.none()
        return queryset.visible_to(request.user, Action.VIEW)


class VersionField(serializers.IntegerField):
    """The `version` the client read, required on every update (PATCH included).

    A stale version answers 409 (see `firegrid.core.api.errors`): somebody else saved in between.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("help_text", _("读取记录时得到的版本号，修改时原样提交；若他人已修改，返回 409。"))
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF skips missing fields on a partial update; the version may never be skipped.
        if data is empty:
            self.fail("required")
        return super().validate_empty_values(data)


class LabelField(serializers.CharField):
    """A related object as people read it (its `str()`), read-only, e.g. `assignee_name`.

    `source` names the object itself (`source="assignee"`): `source="assignee.__str__"` returned
    "<method-wrapper '__str__' of NoneType …>" when there was no assignee. Without one the field is
    `missing`: None (null in JSON, and nullable in the schema) unless a string such as "" is given.
    """

    def __init__(self, *, missing: str | None = None, **kwargs: Any) -> None:
        self.missing = missing
        kwargs["read_only"] = True
        kwargs["allow_null"] = missing is None
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        return self.missing if value is None else value
