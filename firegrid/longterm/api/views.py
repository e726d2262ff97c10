"""API of the work queue: `GET /api/v1/queue/` — the same items as the page, scoped, along the route."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from firegrid.core.http import AuthedRequest

from ..choices import QueueKind
from ..queue import BUILDINGS_PER_PAGE, kind_counts, may_view_queue, work_queue
from .self_inspections import SelfInspectionMissViewSet, SelfInspectionViewSet, VerificationDrawViewSet
from .serializers import QueueItemSerializer, QueueQuerySerializer

MAX_BUILDINGS_PER_PAGE = 500


class QueuePermission(BasePermission):
    """Roles with a work queue (area roles and district-wide roles); others 403."""

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return may_view_queue(request.user)


class PageQuerySerializer(QueueQuerySerializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=100_000, help_text=_("页码"))
    page_size = serializers.IntegerField(
        required=False, min_value=1, help_text=_("每页建筑数（默认 50，最多 500）")
    )


# One page object, not a list of them: drf-spectacular would describe a `list` action's answer as an array.
@extend_schema_serializer(many=False)
class QueuePageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    buildings = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    routed = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueItemSerializer(many=True)


class QueueViewSet(viewsets.ViewSet):
    """今日任务: what to visit today in the caller's scope, one item per premises, grouped by building
    along a walking route (from `lat`/`lng` if given, else each grid's centre). A page holds the items of
    `page_size` buildings; `count` is the items of every page."""

    permission_classes = [IsAuthenticated, QueuePermission]

    @extend_schema(
        summary="今日任务",
        description="范围内今日应办的事项（复查到期和逾期、待回访、房东申请复查），每户一项，按建筑分组、"
        "按步行路线排列；每页为 page_size 幢建筑的事项。counts 为各类事项数（同一户可有多个原因）。",
        parameters=[PageQuerySerializer, OpenApiParameter("format", exclude=True)],
        responses=QueuePageSerializer,
    )
    def list(self, request: AuthedRequest) -> Response:
        query = PageQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        today = timezone.localdate()
        grid = data.get("grid")
        grid_ids = [grid.pk] if grid is not None else None
        origin = (float(data["lat"]), float(data["lng"])) if "lat" in data else None
        per_page = min(data.get("page_size") or BUILDINGS_PER_PAGE, MAX_BUILDINGS_PER_PAGE)
        page = work_queue(
            request.user,
            today=today,
            origin=origin,
            page=data.get("page") or 1,
            per_page=per_page,
            grid_ids=grid_ids,
            kind=data.get("kind", ""),
        )
        counts = kind_counts(request.user, today=today, grid_ids=grid_ids)
        url = request.build_absolute_uri()
        total = counts["total"] if not data.get("kind") else counts.get(data["kind"], 0)
        return Response(
            {
                "count": total,
                "counts": {k: counts.get(k, 0) for k in ("total", *QueueKind.values) if k in counts},
                "buildings": page.buildings,
                "page": page.number,
                "num_pages": page.num_pages,
                "routed": page.routed,
                "next": replace_query_param(url, "page", page.number + 1) if page.has_next else None,
                "previous": replace_query_param(url, "page", page.number - 1) if page.has_previous else None,
                "results": QueueItemSerializer(page.items, many=True).data,
            }
        )


def register(router: BaseRouter) -> None:
    router.register("queue", QueueViewSet, basename="queue")
    router.register("self-inspections", SelfInspectionViewSet, basename="self-inspections")
    router.register("verification-draws", VerificationDrawViewSet, basename="verification-draws")
    router.register("self-inspection-misses", SelfInspectionMissViewSet, basename="self-inspection-misses")
