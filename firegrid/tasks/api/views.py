"""API of tasks (任务): list, detail, history, create and edit (title, content, due date, campaign, with the
`version` read), and the task's steps as actions: route down to child areas, escalate to the parent, assign,
start, finish, cancel; and its thread of replies.

Who may take a step is the holder's business (`services.acts_for`): the role table only says who works
with tasks at all, so the steps need sight of the task here and the service answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Prefetch
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.areas.models import Area, Department, User
from firegrid.core.api.base import ScopedModelViewSet, ScopedViewSetMixin
from firegrid.core.api.fields import LabelField, ScopedPrimaryKeyRelatedField
from firegrid.core.api.serializers import ScopedModelSerializer
from firegrid.core.permissions import Action

from .. import services
from ..filters import TaskFilterSet
from ..models import Task, TaskReply

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest

ERRORS = {
    400: OpenApiResponse(description="字段错误（按字段名返回），或 non_field_errors"),
    403: OpenApiResponse(description="不是承办单位的人员，或角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}


class TaskSerializer(ScopedModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(
        source="overdue", read_only=True, help_text=_("未办结且已过完成期限")
    )
    area = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("承办区域（与承办部门二选一）"),
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, help_text=_("承办部门")
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, help_text=_("联合处置的参与部门")
    )
    # Labels, not `source="area.name", default=""`: DRF skips a default on a partial update, so a PATCH
    # answered without `area_name` when the task had no area.
    area_name = LabelField(source="area", missing="")
    department_name = LabelField(source="department", missing="")
    assignee_name = LabelField(source="assignee", missing="")
    created_by_name = LabelField(source="created_by", missing="")

    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "body",
            "campaign",
            "area",
            "area_name",
            "department",
            "department_name",
            "departments",
            "origin_area",
            "origin_department",
            "parent",
            "assignee",
            "assignee_name",
            "due_on",
            "status",
            "status_display",
            "is_overdue",
            "plan",
            "premises",
            "created_by",
            "created_by_name",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "kind",
            "origin_area",
            "origin_department",
            "parent",
            "assignee",
            "status",
            "created_by",
            "closed_at",
        ]

    def create(self, validated_data: dict[str, Any]) -> Task:
        departments = validated_data.pop("departments", ())
        return services.create_task(validated_data, actor=self.actor, departments=departments)

    def update(self, instance: Task, validated_data: dict[str, Any]) -> Task:
        expected_version = validated_data.pop("version", None)
        return services.update_task(
            instance, validated_data, actor=self.actor, expected_version=expected_version
        )


class RouteSerializer(serializers.Serializer):
    areas = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        many=True,
        help_text=_("承办区域的直接下级区域（每个区域生成一个下级任务）"),
    )
    due_on = serializers.DateField(required=False, allow_null=True, help_text=_("下级任务期限，默认同本任务"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        help_text=_("承办单位的人员；null 取消指派"),
    )


class TaskReplySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attachment_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskReply
        fields = ["id", "kind", "kind_display", "author", "author_name", "text", "time", "attachment_url"]
        read_only_fields = fields

    def get_attachment_url(self, reply: TaskReply) -> str:
        url = reply.get_attachment_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request else url


class ReplyCreateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    attachment = serializers.FileField(required=False, help_text=_("附件（选填）"))


def task_queryset() -> QuerySet[Task]:
    return Task.objects.select_related("area", "department", "assignee", "created_by").prefetch_related(
        Prefetch("departments", queryset=Department.objects.order_by("pk"))
    )


STEP = Action.CHANGE


@extend_schema_view(
    list=extend_schema(
        summary="任务列表",
        description="可见的任务：承办或发起于本人管辖区域内的、本部门的、本人创建或经办的。",
    ),
    retrieve=extend_schema(summary="任务详情"),
    create=extend_schema(
        summary="创建任务",
        description="承办区域须在管辖范围内（部门人员：本部门承办；区指挥部：任意区域或部门），"
        "area 与 department 二选一；完成期限不能早于今天。",
    ),
    partial_update=extend_schema(summary="修改任务", description="可修改标题、内容、完成期限、专项行动。"),
    destroy=extend_schema(summary="删除任务", description="仅系统管理员；一般请撤销任务。"),
)
class TaskViewSet(ScopedModelViewSet):
    """Tasks (任务) routed down the area chain, and joint-team tasks (联合处置) of escalated plans."""

    queryset = task_queryset()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedViewSetMixin.action_permissions,
        "route": STEP,
        "escalate": STEP,
        "assign": STEP,
        "start": STEP,
        "done": STEP,
        "cancel": STEP,
        "replies": Action.VIEW,
        "add_reply": STEP,
    }

    def _read(self, task: Task, code: int = status.HTTP_200_OK) -> Response:
        task = task_queryset().get(pk=task.pk)
        return Response(TaskSerializer(task, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="交办",
        description="交办给承办区域的直接下级区域（区级部门：各街道），每个区域生成一个下级任务；"
        "选了非直接下级时返回 400，areas 的错误列出可以交办的区域。下级任务期限不能晚于本任务。",
        request=RouteSerializer,
        responses={201: TaskSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def route(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        children = services.route_task(
            task, data["areas"], actor=request.user, due_on=data.get("due_on"), note=data.get("note", "")
        )
        rows = task_queryset().filter(pk__in=[c.pk for c in children]).order_by("pk")
        context = self.get_serializer_context()
        return Response(TaskSerializer(rows, many=True, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="上报",
        description="交回承办单位的上级（网格→社区→街道→区；部门→区指挥部），须填写原因；经办人清空。",
        request=ReasonSerializer,
        responses={200: TaskSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def escalate(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.escalate_task(task, actor=request.user, reason=serializer.validated_data["reason"])
        return self._read(task)

    @extend_schema(summary="指派经办人", request=AssignSerializer, responses={200: TaskSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.assign_task(task, serializer.validated_data["assignee"], actor=request.user)
        return self._read(task)

    @extend_schema(summary="开始办理", request=None, responses={200: TaskSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._read(services.start_task(self.get_object(), actor=request.user))

    @extend_schema(
        summary="办结",
        description="承办单位人员或经办人办结任务；下级任务未办结时返回 400。",
        request=NoteSerializer,
        responses={200: TaskSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def done(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data.get("note", "")
        return self._read(services.complete_task(task, actor=request.user, note=note))

    @extend_schema(
        summary="撤销",
        description="承办单位人员或创建人撤销任务（连同未办结的下级任务），须填写原因。",
        request=ReasonSerializer,
        responses={200: TaskSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        return self._read(services.cancel_task(task, actor=request.user, reason=reason))

    @extend_schema(
        summary="回复与办理记录",
        description="任务的回复和每一步办理（交办、上报、指派、办结……），按时间先后。",
        responses=TaskReplySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def replies(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        page = self.paginate_queryset(task.replies.order_by("time", "id"))
        context = self.get_serializer_context()
        return self.get_paginated_response(TaskReplySerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="回复",
        description="可见该任务的工作人员均可回复，可附一个文件。",
        request={"multipart/form-data": ReplyCreateSerializer, "application/json": ReplyCreateSerializer},
        responses={201: TaskReplySerializer, **ERRORS},
    )
    @replies.mapping.post
    def add_reply(self, request: AuthedRequest, pk: str | None = None) -> Response:
        task = self.get_object()
        serializer = ReplyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reply = services.add_reply(
            task, actor=request.user, text=data.get("text", ""), attachment=data.get("attachment")
        )
        context = self.get_serializer_context()
        return Response(TaskReplySerializer(reply, context=context).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    router.register("tasks", TaskViewSet, basename="tasks")
