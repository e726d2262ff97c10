"""The API's side of versioned rule sets (`firegrid.core.rulesets`: risk's 风险规则, points' 积分规则): the fields
a version answers with, the write requests' shapes, and the actions the system administrator changes the
rules with — `new-version` (a draft copied from a version), `parameters` (set a draft's) and `publish`.
Each app's viewset adds its queryset, its serializer and what publishing sets off (`perform_publish`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from firegrid.core import rulesets
from firegrid.core.permissions import Action
from firegrid.core.rulesets import VersionedRuleSet

from .base import ScopedViewSetMixin
from .schema import ERRORS, VIEW_SERIALIZER

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedRequest

_R = TypeVar("_R", bound=VersionedRuleSet)

RECORD_FIELDS = ["version", "created_at", "updated_at"]


class RuleSetSerializer(serializers.ModelSerializer[_R]):
    # A version of a rule set; each app's subclass names its model and says what its parameters hold
    # (a comment, not a docstring: the OpenAPI schema would show it on each).
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    based_on_code = serializers.CharField(source="based_on.code", read_only=True, allow_null=True)
    parameters = serializers.SerializerMethodField()

    class Meta:
        fields = [
            "id",
            "code",
            "name",
            "status",
            "status_display",
            "published_at",
            "published_by",
            "based_on",
            "based_on_code",
            "parameters",
            "notes",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_parameters(self, obj: _R) -> dict[str, Any]:
        return obj.full_parameters()


class RuleSetVersionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32, help_text=_("新版本号，不能与已有版本号相同"))
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class RuleSetParametersSerializer(serializers.Serializer[Any]):
    parameters = serializers.DictField(
        child=serializers.DictField(), help_text=_("要修改的参数：{分组: {参数名: 值}}")
    )
    version = serializers.IntegerField(required=False, help_text=_("读取时的版本（可选；不一致时 409）"))


class RuleSetViewSetMixin(ScopedViewSetMixin):
    """The versions of a rule set (drafts first, then the published newest first; `?status=`) with
    `new-version`, `parameters` and `publish` (a published version never changes).
    The concrete viewset's `perform_publish` publishes through its app's service (which sets off what a
    publication does there), and its `extend_schema_view(publish=…)` says what that is."""

    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedViewSetMixin.action_permissions,
        "new_version": Action.ADD,
        "parameters": Action.CHANGE,
        "publish": Action.CHANGE,
    }

    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[Any]:
        # Drafts first, then the published versions newest first.
        ordered = F("published_at").desc(nulls_first=True)
        return super().get_queryset().select_related("based_on").order_by(ordered, "code")

    def perform_publish(self, rule_set: Any, *, actor: User) -> VersionedRuleSet:
        raise NotImplementedError

    def _respond(self, rule_set: VersionedRuleSet, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(rule_set).data, status=code)

    @extend_schema(
        summary="创建新版本",
        description="复制该版本的参数为一个新的草稿版本。仅系统管理员。",
        request=RuleSetVersionSerializer,
        responses={201: VIEW_SERIALIZER, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="new-version", filter_backends=[])
    def new_version(self, request: AuthedRequest, pk: str | None = None) -> Response:
        base = self.get_object()
        serializer = RuleSetVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = rulesets.create_rule_set_draft(
            base,
            code=serializer.validated_data["code"],
            name=serializer.validated_data.get("name", ""),
            actor=request.user,
        )
        return self._respond(draft, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改参数",
        description="设置草稿版本的参数：{parameters: {分组: {参数名: 值}}, version}。已发布的版本不能修改"
        "（400）；错误按“分组.参数名”返回。仅系统管理员。",
        request=RuleSetParametersSerializer,
        responses={200: VIEW_SERIALIZER, **ERRORS},
    )
    @action(detail=True, methods=["patch"], filter_backends=[])
    def parameters(self, request: AuthedRequest, pk: str | None = None) -> Response:
        rule_set = self.get_object()
        serializer = RuleSetParametersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = rulesets.update_rule_set_parameters(
            rule_set,
            serializer.validated_data["parameters"],
            actor=request.user,
            expected_version=serializer.validated_data.get("version"),
        )
        return self._respond(updated)

    @extend_schema(
        summary="发布",
        description="发布草稿版本：此后按该版本计算，原版本停用。仅系统管理员。",
        request=None,
        responses={200: VIEW_SERIALIZER, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._respond(self.perform_publish(self.get_object(), actor=request.user))
