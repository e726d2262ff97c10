"""API of inspections: checklist templates, inspections (start, checklist, autosave, submit, photos),
hazards (read, void) and survey coverage.

Lists, details and history come from the scoped base viewsets. Every write is an action that calls
`firegrid.inspections.services` — there is no generic create, update or delete of an inspection or a
hazard (PUT, PATCH and DELETE on them answer 405): their state changes only as the services decide.

Idempotency, for clients that retry on a flaky network:
- `POST inspections/` with a `client_uuid` that was already used returns that inspection with 200
  (a new one is 201); nothing is created twice.
- `POST inspections/{id}/submit/` on a submitted inspection returns it unchanged with 200: no second
  set of hazards, whatever the replayed body says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from firegrid.areas.models import Area, User
from firegrid.core.api.base import ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.api.errors import validation_error_detail
from firegrid.core.api.photos import photo_refusal
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action, can

from .. import services
from ..choices import VisitOutcome
from ..coverage import coverage_rows
from ..filters import HazardFilterSet, InspectionFilterSet
from ..models import ChecklistTemplate, Hazard, Inspection, Photo
from .serializers import (
    AnswerInputSerializer,
    AnswerSerializer,
    ChecklistItemSerializer,
    ChecklistTemplateSerializer,
    CoverageQuerySerializer,
    CoverageRowSerializer,
    HazardSerializer,
    InspectionChecklistSerializer,
    InspectionSerializer,
    InspectionStartSerializer,
    InspectionSubmitSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    TemplateVersionSerializer,
    VoidSerializer,
)

ACTIONS = ScopedViewSetMixin.action_permissions


# --- checklist templates ---------------------------------------------------------------------------------


class ChecklistTemplateViewSet(ScopedReadOnlyModelViewSet):
    """Checklist templates (检查表), one row per version. Every signed-in role that inspects may read them;
    system administrators make a new draft version, set its parameters (thresholds) and publish it.
    A published version never changes; inspections keep the version they were started on."""

    # Drafts first, then the newest published (an explicit order: the count's GROUP BY drops the default).
    queryset = (
        ChecklistTemplate.objects.select_related("based_on")
        .annotate(item_count=Count("items"))
        .order_by(F("published_at").desc(nulls_first=True), "code")
    )
    serializer_class = ChecklistTemplateSerializer
    filterset_fields = ["status"]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "items": Action.VIEW,
        "new_version": Action.ADD,
        "parameters": Action.CHANGE,
        "publish": Action.CHANGE,
    }

    def _respond(self, template: ChecklistTemplate, code: int = status.HTTP_200_OK) -> Response:
        template = self.get_queryset().get(pk=template.pk)  # with its item count
        return Response(self.get_serializer(template).data, status=code)

    @extend_schema(
        summary="检查项",
        description="该版本的检查项，按顺序。",
        responses=ChecklistItemSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def items(self, request: AuthedRequest, pk: str | None = None) -> Response:
        template = self.get_object()
        page = self.paginate_queryset(template.items.order_by("position", "pk"))
        return self.get_paginated_response(ChecklistItemSerializer(page, many=True).data)

    @extend_schema(
        summary="创建新版本",
        description="复制该版本（含全部检查项）为一个新的草稿版本。仅系统管理员。",
        request=TemplateVersionSerializer,
        responses={201: ChecklistTemplateSerializer},
    )
    @action(detail=True, methods=["post"], url_path="new-version", filter_backends=[])
    def new_version(self, request: AuthedRequest, pk: str | None = None) -> Response:
        template = self.get_object()
        serializer = TemplateVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.create_template_version(
            template, code=serializer.validated_data["code"], actor=request.user
        )
        return self._respond(draft, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改参数",
        description="设置草稿版本的参数值：请求体为 {参数名: 值}。已发布的版本不能修改（400）；"
        "错误按参数名返回。仅系统管理员。",
        request=OpenApiTypes.OBJECT,
        responses=ChecklistTemplateSerializer,
        examples=[
            OpenApiExample("人均面积下限改为 4 m²", value={"min_area_per_person_m2": 4}, request_only=True)
        ],
    )
    @action(detail=True, methods=["patch"], filter_backends=[])
    def parameters(self, request: AuthedRequest, pk: str | None = None) -> Response:
        template = self.get_object()
        values = request.data
        if not isinstance(values, Mapping) or not values:
            raise ValidationError({"non_field_errors": [_("请提交要修改的参数：{参数名: 值}。")]})
        values = dict(values.items())
        errors = {
            name: [_("参数值应为数字或文字。")]
            for name, value in values.items()
            if isinstance(value, bool) or not isinstance(value, int | float | str)
        }
        if errors:
            raise ValidationError(errors)
        template = services.update_template_parameters(template, values, actor=request.user)
        return self._respond(template)

    @extend_schema(
        summary="发布",
        description="发布草稿版本：此后开始的检查使用该版本。仅系统管理员。",
        request=None,
        responses=ChecklistTemplateSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: AuthedRequest, pk: str | None = None) -> Response:
        template = services.publish_template(self.get_object(), actor=request.user)
        return self._respond(template)


# --- inspections ------------------------------------------------------------------------------------------


def _flatten(errors: Any) -> list[Any]:
    if isinstance(errors, Mapping):
        return [message for value in errors.values() for message in _flatten(value)]
    if isinstance(errors, list | tuple):
        return [message for value in errors for message in _flatten(value)]
    return [errors]


def answer_errors(entries: Any, errors: Any) -> dict[str, list[Any]] | None:
    """Serializer errors of a list of answers, keyed by item code like the service's errors.

    None when they are not per answer (the payload was not a list)."""
    if isinstance(errors, list):  # DRF before 3.16: one entry per answer, empty when valid
        errors = dict(enumerate(errors))
    if not isinstance(errors, Mapping) or not all(isinstance(index, int) for index in errors):
        return None
    entries = entries if isinstance(entries, list) else []
    keyed: dict[str, list[Any]] = {}
    for index, error in errors.items():
        if not error:
            continue
        entry = entries[index] if index < len(entries) else None
        code = entry.get("item_code") if isinstance(entry, Mapping) else None
        key = code if isinstance(code, str) and code and "item_code" not in error else "item_code"
        keyed.setdefault(key, []).extend(_flatten(error))
    return keyed


def answer_inputs(validated: list[dict[str, Any]]) -> list[services.AnswerInput]:
    return [services.AnswerInput(**answer) for answer in validated]


INSPECTION_ERRORS = {
    400: OpenApiResponse(description="按检查项编号返回的错误，或字段错误（如 outcome、answers、rooms）"),
    403: OpenApiResponse(description="角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}


@extend_schema_view(
    list=extend_schema(summary="检查列表"),
    retrieve=extend_schema(summary="检查详情"),
)
class InspectionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Inspections (检查) of premises and buildings in the caller's scope. Started, autosaved, submitted
    and given photos only through the actions below; never edited or deleted directly."""

    queryset = Inspection.objects.select_related(
        "premises__building", "building__grid", "template"
    ).prefetch_related("inspectors", "departments", "rooms_inspected")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "checklist": Action.VIEW,
        "answers": Action.CHANGE,
        "submit": Action.CHANGE,
        "photos": Action.VIEW,
        "add_photo": Action.CHANGE,
    }

    def _read(self, inspection: Inspection) -> dict[str, Any]:
        return InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data

    @extend_schema(
        summary="开始检查",
        description="开始对出租户（或建筑公共部分）的检查，使用当前发布的检查表版本。"
        "带 client_uuid 重复提交时返回已创建的同一检查，状态码 200；新建为 201。",
        request=InspectionStartSerializer,
        responses={
            201: InspectionSerializer,
            200: OpenApiResponse(InspectionSerializer, description="同一 client_uuid 的重复提交"),
            **INSPECTION_ERRORS,
        },
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = InspectionStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data.get("premises") and not data.get("building"):
            raise ValidationError({"premises": [_("请选择要检查的出租户或建筑。")]})
        client_uuid = data.get("client_uuid")
        replay = client_uuid is not None and Inspection.objects.filter(client_uuid=client_uuid).exists()
        inspection = services.start_inspection(actor=request.user, **data)
        return Response(
            self._read(inspection), status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="检查表",
        description="本次检查适用的检查项（按其检查表版本）、已保存的结论，以及根据登记信息预判的结论。",
        responses=InspectionChecklistSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def checklist(self, request: AuthedRequest, pk: str | None = None) -> Response:
        inspection = self.get_object()
        data = {
            "inspection": inspection.pk,
            "status": inspection.status,
            "template": inspection.template,
            "items": inspection.applicable_items(),
            "answers": inspection.answers.select_related("item", "hazard"),
            "suggestions": services.suggestions(inspection),
        }
        return Response(InspectionChecklistSerializer(data).data)

    @extend_schema(
        summary="暂存结论",
        description="草稿检查的自动保存：请求体为结论的列表；列表外已保存的结论保留。实测项的结论由实测值与"
        "本版本的阈值决定。错误按检查项编号返回（如不适用于该类出租户的检查项）。",
        request=AnswerInputSerializer(many=True),
        responses={200: AnswerSerializer(many=True), **INSPECTION_ERRORS},
    )
    @action(
        detail=True, methods=["put"], filter_backends=[], pagination_class=None, parser_classes=[JSONParser]
    )
    def answers(self, request: AuthedRequest, pk: str | None = None) -> Response:
        inspection = self.get_object()
        serializer = AnswerInputSerializer(data=request.data, many=True)
        if not serializer.is_valid():
            keyed = answer_errors(request.data, serializer.errors)
            raise ValidationError(keyed or {"non_field_errors": _flatten(serializer.errors)})
        services.save_answers(inspection, answer_inputs(serializer.validated_data), actor=request.user)
        answers = inspection.answers.select_related("item", "hazard")
        return Response(AnswerSerializer(answers, many=True).data)

    @extend_schema(
        summary="提交检查",
        description="以检查结果结束本次检查。结果为“已检查”时每个适用检查项都须有结论，不合格项生成隐患；"
        "复查把已整改的隐患移至待验收，验收检查将其消除。锁门、找不到、装修安排回访。"
        "幂等：已提交的检查原样返回（200），不会重复生成隐患。本次产生的隐患见 hazards/?inspection={id}。",
        request=InspectionSubmitSerializer,
        responses={200: InspectionSerializer, **INSPECTION_ERRORS},
        examples=[
            OpenApiExample("锁门", value={"outcome": VisitOutcome.LOCKED}, request_only=True),
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: AuthedRequest, pk: str | None = None) -> Response:
        inspection = self.get_object()
        serializer = InspectionSubmitSerializer(data=request.data, context=self.get_serializer_context())
        if not serializer.is_valid():
            errors = dict(serializer.errors)
            if "answers" in errors:
                nested = errors.pop("answers")
                # Errors on `answers` mean the body was an object (else the error is about the body).
                entries = request.data.get("answers") if isinstance(request.data, Mapping) else None
                keyed = answer_errors(entries, nested)
                errors.update(keyed if keyed is not None else {"answers": _flatten(nested)})
            raise ValidationError(errors)
        data = serializer.validated_data
        inspection = services.submit_inspection(
            inspection,
            actor=request.user,
            outcome=data["outcome"],
            answers=answer_inputs(data.get("answers", [])),
            rooms=data.get("rooms"),
            note=data.get("note", ""),
        )
        return Response(self._read(inspection))

    @extend_schema(
        summary="检查照片",
        description="本次检查的照片：image 为照片地址（已去除 EXIF），thumbnail 为缩略图地址。",
        responses=PhotoSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: AuthedRequest, pk: str | None = None) -> Response:
        inspection = self.get_object()
        photos = (
            Photo.objects.visible_to(request.user)
            .filter(inspection=inspection)
            .select_related("answer__item", "uploaded_by")
        )
        page = self.paginate_queryset(photos)
        context = self.get_serializer_context()
        return self.get_paginated_response(PhotoSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="上传照片",
        description="为草稿检查上传一张照片（multipart/form-data）；可指定已作出结论的检查项。"
        "照片按内容检查、缩放并去除 EXIF；被拒绝的文件返回 file 字段错误。",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, **INSPECTION_ERRORS},
    )
    @photos.mapping.post
    def add_photo(self, request: AuthedRequest, pk: str | None = None) -> Response:
        inspection = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            photo = services.add_photo(
                inspection,
                data["file"],
                actor=request.user,
                item_code=data.get("item_code") or None,
                role=data["role"],
            )
        except DjangoValidationError as exc:
            raise photo_refusal(exc, "file") from exc
        photo = Photo.objects.select_related("answer__item", "uploaded_by").get(pk=photo.pk)
        context = self.get_serializer_context()
        return Response(PhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)


# --- hazards ---------------------------------------------------------------------------------------------


class HazardViewSet(ScopedReadOnlyModelViewSet):
    """Hazards (隐患) found by inspections, in the caller's scope. `bucket` and `colour`: 待整改 red,
    待复核 orange, 已消除 green. Inspections create, move and close them; a supervisor may void one
    recorded in error."""

    queryset = Hazard.objects.select_related("premises__building", "building__grid", "item__template")
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "void": Action.VOID}

    @extend_schema(
        summary="作废隐患",
        description="作废误录的隐患：须填写原因（记入操作日志），只有未消除的隐患可以作废。"
        "网格员等无作废权限的角色返回 403。",
        request=VoidSerializer,
        responses={200: HazardSerializer, 400: OpenApiResponse(description="缺少原因，或隐患已消除")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def void(self, request: AuthedRequest, pk: str | None = None) -> Response:
        hazard = self.get_object()
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hazard = services.void_hazard(
                hazard, actor=request.user, reason=serializer.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            detail = validation_error_detail(exc)
            if "void_reason" in detail:  # the service names the model field; the API calls it `reason`
                detail["reason"] = detail.pop("void_reason")
            raise ValidationError(detail) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=hazard.pk)).data)


# --- coverage --------------------------------------------------------------------------------------------


class CoveragePermission(BasePermission):
    """Coverage is counted per area, from inspections: roles that see both."""

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user  # signed in: IsAuthenticated is checked first
        return isinstance(user, User) and can(user, Action.VIEW, Inspection) and can(user, Action.VIEW, Area)


class CoverageViewSet(viewsets.ViewSet):
    """Survey coverage (社不漏户、户不漏房、房不漏间) per area."""

    permission_classes = [IsAuthenticated, CoveragePermission]

    @extend_schema(
        summary="排查覆盖情况",
        description="所选区域（不填则为本人管辖范围）的合计行在前，其后为其下一级区域各一行。每个数字都有对应"
        "的列表链接（links：网页；api_links：API），列表的记录数与数字相同。",
        parameters=[CoverageQuerySerializer],
        responses=CoverageRowSerializer(many=True),
    )
    def list(self, request: AuthedRequest) -> Response:
        query = CoverageQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        area = query.validated_data.get("area")
        rows = coverage_rows(request.user, area)
        roots = (
            {area.pk}
            if area is not None
            else {r.area.pk for r in rows if r.area.path in request.user.scope_paths}
        )
        data = [
            {
                "area": row.area,
                "is_total": row.area.pk in roots,
                "figures": row.figures,
                "outcomes": row.outcomes,
                "survey_rate": row.survey_rate,
                "links": row.drill_downs(),
                "api_links": row.drill_downs(api=True),
            }
            for row in rows
        ]
        return Response(CoverageRowSerializer(data, many=True).data)


def register(router: BaseRouter) -> None:
    router.register("checklist-templates", ChecklistTemplateViewSet, basename="checklist-templates")
    router.register("inspections", InspectionViewSet, basename="inspections")
    router.register("hazards", HazardViewSet, basename="hazards")
    router.register("coverage", CoverageViewSet, basename="coverage")
