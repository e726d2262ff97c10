"""The base viewsets: scope, role checks, writes through services, history and reveal — once, here.

A model's viewset is a declaration (queryset with its select_related, serializer, FilterSet) and one
router line; nothing in it can forget the scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, ModelSerializer

from firegrid.core import services
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import Action
from firegrid.core.querysets import ScopedQuerySet
from firegrid.core.responses import no_store

from .permissions import RoleActionPermission
from .schema import UPDATE_ACTIONS, FiregridAutoSchema
from .serializers import (
    AuditEntrySerializer,
    RevealResultSerializer,
    RevealSerializer,
    update_serializer_class,
)

if TYPE_CHECKING:
    from rest_framework.filters import BaseFilterBackend
    from rest_framework.generics import BaseFilterProtocol
    from rest_framework.permissions import _PermissionClass
    from rest_framework.schemas.inspectors import ViewInspector

    from firegrid.core.http import AuthedRequest

    # The mixins below go into DRF viewsets: the type checker reads them as one.
    _ViewSet = viewsets.GenericViewSet[Any]
else:
    _ViewSet = object

_M = TypeVar("_M", bound=models.Model)


class ScopedViewSetMixin(_ViewSet):
    """Rows come from `Model.objects.visible_to(user, "view")`: out of scope is 404.

    Each viewset action maps to a `firegrid.core.permissions.Action`; a role without it gets 403 (on one
    object: once the object is found in scope). Ordering is the FilterSet's `sort` parameter.
    """

    # Typed as DRF's views declare them, so a viewset combining this mixin with them type-checks.
    filter_backends: Sequence[type[BaseFilterBackend | BaseFilterProtocol[Any]]] = [DjangoFilterBackend]
    permission_classes: Sequence[_PermissionClass] = [IsAuthenticated, RoleActionPermission]
    schema: ViewInspector | None = FiregridAutoSchema()
    # Every viewset requires a signed-in user (IsAuthenticated, checked before any handler).
    request: AuthedRequest

    action_permissions: ClassVar[dict[str | None, str]] = {
        None: Action.VIEW,  # OPTIONS
        "metadata": Action.VIEW,
        "list": Action.VIEW,
        "retrieve": Action.VIEW,
        "history": Action.VIEW,
        "create": Action.ADD,
        "update": Action.CHANGE,
        "partial_update": Action.CHANGE,
        "destroy": Action.DELETE,
        "reveal": Action.REVEAL,
    }

    def required_action(self) -> str:
        try:
            return self.action_permissions[self.action]
        except KeyError:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{self.action} has no entry in action_permissions"
            ) from None

    def get_queryset(self) -> QuerySet[Any]:
        rows = super().get_queryset()
        if not isinstance(rows, ScopedQuerySet):
            raise ImproperlyConfigured(f"{type(self).__name__}.queryset is not a scoped model's")
        return rows.visible_to(self.request.user, Action.VIEW)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        serializer_class = super().get_serializer_class()
        if self.action in UPDATE_ACTIONS:
            # Only model viewsets update, and their serializers are model serializers.
            return update_serializer_class(cast(type[ModelSerializer[Any]], serializer_class))
        return serializer_class

    def get_read_serializer_class(self) -> type[BaseSerializer[Any]]:
        """The serializer responses are written with: for an update, the one without a writable `version`."""
        serializer_class = self.get_serializer_class()
        read_class: type[BaseSerializer[Any]] = getattr(
            serializer_class, "read_serializer_class", serializer_class
        )
        return read_class

    @extend_schema(
        summary="变更记录",
        description="该对象的操作日志（新增、修改、删除、查看个人信息），最新的在前。",
        responses=AuditEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: AuthedRequest, pk: str | None = None) -> Response:
        obj = self.get_object()
        page = self.paginate_queryset(AuditEntry.objects.for_object(obj).order_by("-time", "-id"))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class ReadAfterWriteMixin(_ViewSet):
    """Create and update answer with the saved row read again through the viewset's queryset, as the list
    reads it: the service returns the row it saved, without the annotations (counts) and prefetched
    many-to-manys the response shows."""

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        saved = serializer.save()
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        saved = serializer.save()
        serializer.instance = self.get_queryset().get(pk=saved.pk)


class ScopedReadOnlyModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[_M]):
    """List, detail and history of a scoped model."""


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet[_M]):
    """List, detail, history, create, update (with the `version` read) and delete of a scoped model.

    Create and update go through the serializer to `create_record` / `update_record`; delete through
    `delete_record`.
    """

    def perform_destroy(self, instance: _M) -> None:
        services.delete_record(instance, actor=self.request.user)


class PersonalDataViewSetMixin(_ViewSet):
    """`POST …/{id}/reveal/` for models with `personal_fields`: the full value, and an audit entry."""

    @extend_schema(
        summary="查看完整个人信息",
        description="返回未脱敏的身份证号码或手机号码，并记入操作日志（操作：查看完整个人信息）。"
        "无此权限的角色返回 403。",
        request=RevealSerializer,
        responses=RevealResultSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reveal(self, request: AuthedRequest, pk: str | None = None) -> Response:
        obj = self.get_object()
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = services.reveal_personal_data(obj, field, actor=request.user)
        return no_store(Response(RevealResultSerializer({"field": field, "value": value}).data))
