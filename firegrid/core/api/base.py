"""The base viewsets: scope, role checks, writes through services, history and reveal — once, here.

A model's viewset is a declaration (queryset with its select_related, serializer, FilterSet) and one
router line; nothing in it can forget the scope.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from firegrid.core import services
from firegrid.core.models import AuditEntry
from firegrid.core.permissions import Action

from .permissions import RoleActionPermission
from .schema import UPDATE_ACTIONS, FiregridAutoSchema
from .serializers import (
    AuditEntrySerializer,
    RevealResultSerializer,
    RevealSerializer,
    update_serializer_class,
)


class ScopedViewSetMixin:
    """Rows come from `Model.objects.visible_to(user, "view")`: out of scope is 404.

    Each viewset action maps to a `firegrid.core.permissions.Action`; a role without it gets 403 (on one
    object: once the object is found in scope). Ordering is the FilterSet's `sort` parameter.
    """

    filter_backends = [DjangoFilterBackend]
    permission_classes = [IsAuthenticated, RoleActionPermission]
    schema = FiregridAutoSchema()

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

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, Action.VIEW)

    def get_serializer_class(self):
        serializer_class = super().get_serializer_class()
        if self.action in UPDATE_ACTIONS:
            return update_serializer_class(serializer_class)
        return serializer_class

    def get_read_serializer_class(self):
        """The serializer responses are written with: for an update, the one without a writable `version`."""
        serializer_class = self.get_serializer_class()
        return getattr(serializer_class, "read_serializer_class", serializer_class)

    @extend_schema(
        summary="变更记录",
        description="该对象的操作日志（新增、修改、删除、查看个人信息），最新的在前。",
        responses=AuditEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        obj = self.get_object()
        page = self.paginate_queryset(AuditEntry.objects.for_object(obj).order_by("-time", "-id"))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class ScopedReadOnlyModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List, detail and history of a scoped model."""


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """List, detail, history, create, update (with the `version` read) and delete of a scoped model.

    Create and update go through the serializer to `create_record` / `update_record`; delete through
    `delete_record`.
    """

    def perform_destroy(self, instance) -> None:
        services.delete_record(instance, actor=self.request.user)


class PersonalDataViewSetMixin:
    """`POST …/{id}/reveal/` for models with `personal_fields`: the full value, and an audit entry."""

    @extend_schema(
        summary="查看完整个人信息",
        description="返回未脱敏的身份证号码或手机号码，并记入操作日志（操作：查看完整个人信息）。"
        "无此权限的角色返回 403。",
        request=RevealSerializer,
        responses=RevealResultSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reveal(self, request, pk=None):
        obj = self.get_object()
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = services.reveal_personal_data(obj, field, actor=request.user)
        response = Response(RevealResultSerializer({"field": field, "value": value}).data)
        # An unmasked identity number must not linger in a shared cache or the browser's.
        response["Cache-Control"] = "no-store"
        return response
