"""API of the ledger import (台账导入): `ledger-imports` (upload, mapping, save-mapping, check, commit,
progress, problems, report) and `ledger-mappings` (the saved column mappings the caller may be offered,
as YAML; publish/withdraw by a district role).

The same services as the pages (ledger/services.py): the same permission (add and change on every model
the kind writes, and an area scope), the same jobs (a job is its uploader's: another user's is 404, a
system admin sees every job), the same audit (one entry per committed import, written by the run).
Errors come back per field like every other endpoint (a Django ValidationError from a service → 400)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from firegrid.areas.models import User
from firegrid.core.api.files import FileNegotiation
from firegrid.core.api.schema import ERRORS, FiregridAutoSchema

from ..ledger import batch, mapping_file, services
from ..ledger.choices import RUNNING_STATES, ImportKind
from ..ledger.report import XLSX, problem_report_response
from ..models import ImportJob, LedgerMapping

if TYPE_CHECKING:
    from firegrid.core.http import AuthedRequest

YAML = "application/yaml"


class LedgerImporter(BasePermission):
    """Roles that may import at least one kind of ledger; others 403 (before any lookup)."""

    message = gettext_lazy("您的角色无权导入台账。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, User) and bool(services.importable_kinds(request.user))


# --- serializers ------------------------------------------------------------------------------------------


class ColumnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    index = serializers.IntegerField(help_text=gettext_lazy("列序号（从 0 起）"))
    letter = serializers.CharField(help_text=gettext_lazy("Excel 列字母"))
    header = serializers.CharField()
    samples = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("样例值（已脱敏）"))
    field = serializers.CharField(allow_blank=True, help_text=gettext_lazy("对应的字段，空为不导入"))
    reason = serializers.CharField(allow_blank=True, help_text=gettext_lazy("建议依据：saved、name、sample"))


class ImportJobSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    rows = serializers.IntegerField(
        source="progress_total", read_only=True, help_text=gettext_lazy("数据行数")
    )
    columns = serializers.SerializerMethodField()
    default_grid = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()
    value_proposals = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    created_by_name = serializers.CharField(source="created_by.__str__", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "kind_display",
            "original_name",
            "format",
            "encoding",
            "sheet_name",
            "header_row",
            "status",
            "status_display",
            "rows",
            "columns",
            "default_grid",
            "area",
            "values",
            "value_proposals",
            "counts",
            "error_count",
            "warning_count",
            "committed",
            "notes",
            "created_by",
            "created_by_name",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ColumnSerializer(many=True))
    def get_columns(self, job: ImportJob) -> list[dict[str, Any]]:
        from openpyxl.utils import get_column_letter

        mapping = job.mapping or {}
        mapped = mapping.get("columns") or {}
        reasons = mapping.get("reasons") or {}
        samples = job.samples or []
        return [
            {
                "index": i,
                "letter": get_column_letter(i + 1),
                "header": header,
                "samples": samples[i] if i < len(samples) else [],
                "field": mapped.get(str(i), ""),
                "reason": reasons.get(str(i), ""),
            }
            for i, header in enumerate(job.headers or [])
        ]

    def get_default_grid(self, job: ImportJob) -> int | None:
        grid: int | None = (job.mapping or {}).get("default_grid")
        return grid

    def get_area(self, job: ImportJob) -> str:
        """The code of the area the import is limited to; empty for the user's whole scope."""
        return job.area.code if job.area else ""

    def get_values(self, job: ImportJob) -> dict[str, dict[str, str]]:
        values: dict[str, dict[str, str]] = (job.mapping or {}).get("values") or {}
        return values

    def get_value_proposals(self, job: ImportJob) -> dict[str, list[dict[str, Any]]]:
        proposals: dict[str, list[dict[str, Any]]] = (job.mapping or {}).get("value_proposals") or {}
        return proposals

    def get_notes(self, job: ImportJob) -> list[str]:
        return services.job_notes(job)


class UploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(help_text=gettext_lazy(".xlsx 或 .csv"))
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    area = serializers.CharField(
        max_length=20, help_text=gettext_lazy("导入范围的区域代码（须在您的辖区内）")
    )


class MappingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    columns = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text=gettext_lazy("列序号（从 0 起）→ 字段；未列出或为空的列不导入"),
    )
    default_grid = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("没有网格列的行所在的网格（id）")
    )
    values = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        required=False,
        help_text=gettext_lazy("取值对应：列（area 或字段）→ 台账中的值 → 系统值（区域代码或选项）"),
    )

    def validate_columns(self, columns: dict[str, str]) -> dict[int, str]:
        parsed: dict[int, str] = {}
        for index, key in columns.items():
            if not str(index).isdigit():
                raise serializers.ValidationError(_("列序号应为从 0 起的整数：%(index)s") % {"index": index})
            parsed[int(index)] = key
        return parsed


class SaveMappingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    publish = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("发布为全区通用（仅区级角色）")
    )


class PublishSerializer(serializers.Serializer):  # type: ignore[type-arg]
    published = serializers.BooleanField(
        required=False, default=True, help_text=gettext_lazy("true 发布为全区通用，false 撤销发布")
    )


class ProgressSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.CharField()
    status_display = serializers.CharField()
    running = serializers.BooleanField()
    stale = serializers.BooleanField(help_text=gettext_lazy("任务已中断，可以重新检查"))
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    row = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Excel 行号"))
    column = serializers.CharField(allow_blank=True, help_text=gettext_lazy("Excel 列字母"))
    header = serializers.CharField(allow_blank=True)
    level = serializers.CharField(help_text=gettext_lazy("error 或 warning"))
    message = serializers.CharField()


class LedgerMappingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    owner_area_name = serializers.CharField(source="owner_area.name", read_only=True, allow_null=True)
    columns = serializers.SerializerMethodField()
    default_grid = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()

    class Meta:
        model = LedgerMapping
        fields = [
            "id",
            "kind",
            "kind_display",
            "signature",
            "headers",
            "columns",
            "default_grid",
            "values",
            "owner_area",
            "owner_area_name",
            "published",
            "used_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_columns(self, saved: LedgerMapping) -> dict[str, str]:
        headers = saved.headers or []
        columns = (saved.mapping or {}).get("columns") or {}
        return {headers[int(i)] if int(i) < len(headers) else str(i): key for i, key in columns.items()}

    def get_default_grid(self, saved: LedgerMapping) -> int | None:
        grid: int | None = (saved.mapping or {}).get("default_grid")
        return grid

    def get_values(self, saved: LedgerMapping) -> dict[str, dict[str, str]]:
        values: dict[str, dict[str, str]] = (saved.mapping or {}).get("values") or {}
        return values


# --- ledger imports ---------------------------------------------------------------------------------------


def _job_response(job: ImportJob, request: Request, code: int = status.HTTP_200_OK) -> Response:
    job = ImportJob.objects.select_related("created_by", "area").get(pk=job.pk)
    if code == status.HTTP_200_OK and job.status in RUNNING_STATES:
        code = status.HTTP_202_ACCEPTED  # running in the background: poll `progress/`
    return Response(ImportJobSerializer(job, context={"request": request}).data, status=code)


JOB_RESPONSES = {200: ImportJobSerializer, 202: ImportJobSerializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="台账导入任务列表", description="本人上传的台账导入任务（系统管理员可见全部），最新的在前。"
    ),
    retrieve=extend_schema(
        summary="台账导入任务", description="任务状态、列对应关系（含表头与已脱敏的样例值）、检查结果。"
    ),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportJob]):
    """台账导入: upload a ledger (`POST`, multipart: file, kind, area) → the proposed mapping; confirm it
    (`{id}/mapping/`) → check it (`{id}/check/`, the dry run) → commit it (`{id}/commit/`). Checks and
    commits of large files run in the background: `{id}/progress/`. Every problem: `{id}/problems/`;
    the uploaded sheet with an 错误 column: `{id}/report/`. Saving the confirmed mapping for the caller's
    area is an explicit call: `{id}/save-mapping/`."""

    queryset = ImportJob.objects.select_related("created_by", "area")
    serializer_class = ImportJobSerializer
    permission_classes = [IsAuthenticated, LedgerImporter]
    filter_backends = []
    schema = FiregridAutoSchema()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.for_user(self.request.user).select_related("created_by", "area")

    def get_object(self) -> ImportJob:
        job: ImportJob = super().get_object()
        if not services.can_import(self.request.user, job.kind):
            raise PermissionDenied(_("您的角色无权导入此类台账。"))
        return job

    @extend_schema(
        summary="上传台账",
        description="multipart/form-data：file（.xlsx 或 .csv）、kind（台账类型）、area（区域代码，须在辖区内）。"
        "返回任务：识别的工作表和表头行、每列的表头、已脱敏的样例值和建议的对应字段（本辖区保存过的对应关系优先）。"
        "文件无法读取、格式不对时返回 400（file）。",
        request={"multipart/form-data": UploadSerializer},
        responses={201: ImportJobSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest) -> Response:
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            services.require_import(request.user, data["kind"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        area = batch.area_in_scope(request.user, data["area"])
        try:
            job = services.create_import_job(
                actor=request.user, kind=data["kind"], upload=data["file"], area=area
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"file": exc.messages}) from None
        return _job_response(job, request, status.HTTP_201_CREATED)

    @extend_schema(
        summary="确认列对应关系",
        description="columns：列序号 → 字段；default_grid：没有网格列时的网格；values：区域列和选项列的取值对应"
        "（未给出的值按系统建议：完全一致、规范化一致或已保存的；模糊匹配须明确给出）。不保存对应关系。",
        request=MappingSerializer,
        responses={200: ImportJobSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mapping")
    def set_mapping(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        body = MappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        default_grid = (
            data["default_grid"] if "default_grid" in data else (job.mapping or {}).get("default_grid")
        )
        job = services.confirm_mapping(
            job, actor=request.user, columns=data["columns"], default_grid=default_grid, remember=False
        )
        if data.get("values"):
            values = {
                entry: dict(table) for entry, table in ((job.mapping or {}).get("values") or {}).items()
            }
            for entry, table in data["values"].items():
                values.setdefault(entry, {}).update(table)
            job = services.confirm_values(job, actor=request.user, values=values)
        return _job_response(job, request)

    @extend_schema(
        summary="保存对应关系",
        description="把任务已确认的列对应关系、默认网格和取值对应保存到本人的辖区（社区或以上），"
        "下次上传相同表头的台账时优先建议；同一辖区同一表头的旧对应关系被替换。"
        "publish=true 同时发布为全区通用，仅区级角色可用（否则 403）。尚未确认对应关系时 400。",
        request=SaveMappingSerializer,
        responses={200: LedgerMappingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="save-mapping")
    def save_mapping(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        body = SaveMappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            saved = services.save_mapping(job, actor=request.user, publish=body.validated_data["publish"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(LedgerMappingSerializer(saved, context={"request": request}).data)

    @extend_schema(
        summary="检查（试导入）",
        description="检查每一行，不写入。小文件在请求内完成（200），大文件在后台运行（202，轮询 progress）。",
        request=None,
        responses=JOB_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def check(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        services.start_validation(job, actor=request.user)
        return _job_response(job, request)

    @extend_schema(
        summary="导入",
        description="写入检查无误的台账（全部或全不）。只有检查通过（没有错误）的任务可以导入；"
        "导入时再检查一遍，发现问题则不写入。写入一条操作日志。",
        request=None,
        responses=JOB_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def commit(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        services.start_commit(job, actor=request.user)
        return _job_response(job, request)

    @extend_schema(summary="进度", request=None, responses={200: ProgressSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def progress(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        done, total = services.job_progress(job)
        return Response(
            ProgressSerializer(
                {
                    "status": job.status,
                    "status_display": job.get_status_display(),
                    "running": job.status in RUNNING_STATES,
                    "stale": services.is_stale(job),
                    "done": done,
                    "total": total,
                    "percent": min(100, done * 100 // total) if total else 0,
                }
            ).data
        )

    @extend_schema(
        summary="问题清单",
        description="最近一次检查发现的全部问题（行号、列字母、表头、级别、说明），按行排列，分页。",
        request=None,
        responses={200: ProblemSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def problems(self, request: AuthedRequest, pk: str | None = None) -> Response:
        job = self.get_object()
        rows = batch.problem_list(job) if job.finished_at else []
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]  # a list pages like a queryset
        return self.get_paginated_response(ProblemSerializer(page, many=True).data)

    @extend_schema(
        summary="问题报告（.xlsx）",
        description="上传的台账逐行原样，加一列“错误”；另有“问题清单”工作表。检查完成前 404。",
        request=None,
        responses={(200, XLSX): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileNegotiation)
    def report(self, request: AuthedRequest, pk: str | None = None) -> FileResponse:
        return problem_report_response(self.get_object())


# --- saved mappings ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="台账列对应关系", description="本辖区（及上级区域、全区通用）保存的对应关系。"
    ),
    retrieve=extend_schema(summary="台账列对应关系"),
)
class LedgerMappingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[LedgerMapping]
):
    """Saved column mappings (per area, or published district-wide). `{id}/yaml/` exports one as the file
    `firegrid ledger import --mapping` reads; `{id}/publish/` publishes or withdraws one (district roles)."""

    queryset = LedgerMapping.objects.select_related("owner_area")
    serializer_class = LedgerMappingSerializer
    permission_classes = [IsAuthenticated, LedgerImporter]
    filter_backends = []
    schema = FiregridAutoSchema()
    request: AuthedRequest

    def get_queryset(self) -> QuerySet[LedgerMapping]:
        rows = batch.visible_mappings(self.request.user).order_by("-updated_at", "-id")
        kinds = services.importable_kinds(self.request.user)
        return rows.filter(kind__in=kinds)

    @extend_schema(
        summary="导出为 YAML",
        description="对应关系的 YAML 文件（firegrid ledger import --mapping 使用）。",
        request=None,
        responses={(200, YAML): OpenApiTypes.STR, 403: ERRORS[403], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileNegotiation)
    def yaml(self, request: AuthedRequest, pk: str | None = None) -> HttpResponse:
        saved = self.get_object()
        response = HttpResponse(mapping_file.to_yaml(saved), content_type=f"{YAML}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ledger-mapping-{saved.pk}.yaml"'
        return response

    @extend_schema(
        summary="发布或撤销发布",
        description="published=true（默认）发布为全区通用，各社区上传相同表头的台账时均可使用；"
        "published=false 撤销发布。仅区级角色可用（否则 403）；看不到的对应关系 404。",
        request=PublishSerializer,
        responses={200: LedgerMappingSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: AuthedRequest, pk: str | None = None) -> Response:
        saved = self.get_object()  # outside the caller's areas: 404 before the role is considered
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            saved = services.publish_mapping(
                saved, actor=request.user, published=body.validated_data["published"]
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(LedgerMappingSerializer(saved, context={"request": request}).data)


def register(router: BaseRouter) -> None:
    router.register("ledger-imports", ImportJobViewSet, basename="ledger-imports")
    router.register("ledger-mappings", LedgerMappingViewSet, basename="ledger-mappings")
