"""API of patrols (巡查), in the scoped, versioned, audited style of every endpoint:

- `patrol-teams`: list, read, create, change (with `version`), delete (officers), history.
- `patrols`: list, read, history; `POST patrols/` plans one; `start`, `finish`, `cancel` move it (optional
  `version`: 409 when stale); `scan` records a scan (a replay with the same `client_uuid` answers the
  first scan with 200; a building the caller may not scan on the patrol is 404).
- `patrol-scans`: read-only.
- `patrol-findings`: list, read, history; `POST` records one on a patrol under way (multipart with a
  photo; replay 200); `close` (area roles, with a note); its photos' files.
- `fabrication-flags`: read-only for supervisors; `review` clears or confirms one with a note.

Every write calls `firegrid.patrols.services`; there is no generic PUT or DELETE of a patrol, scan,
finding or flag (405).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.areas.models import Area
from firegrid.core.api.base import (
    ReadAfterWriteMixin,
    ScopedModelViewSet,
    ScopedReadOnlyModelViewSet,
    ScopedViewSetMixin,
)
from firegrid.core.api.photos import photo_file_action
from firegrid.core.api.schema import CONFLICT, ERRORS
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action
from firegrid.registry.models import Premises

from .. import services
from ..filters import (
    FabricationFlagFilterSet,
    PatrolFilterSet,
    PatrolFindingFilterSet,
    PatrolScanFilterSet,
    PatrolTeamFilterSet,
)
from ..models import FabricationFlag, FindingPhoto, Patrol, PatrolFinding, PatrolScan, PatrolStop, PatrolTeam
from ..phone import resolve_code
from .serializers import (
    CancelSerializer,
    CloseFindingSerializer,
    FabricationFlagSerializer,
    FindingCreateSerializer,
    MoveSerializer,
    PatrolFindingSerializer,
    PatrolPlanSerializer,
    PatrolScanSerializer,
    PatrolSerializer,
    PatrolTeamSerializer,
    ReviewSerializer,
    ScanRequestSerializer,
)

ACTIONS = ScopedViewSetMixin.action_permissions


class PatrolTeamViewSet(ReadAfterWriteMixin, ScopedModelViewSet[PatrolTeam]):
    """巡查队: grid workers' teams and landlord volunteer teams (房东自治巡查队) of a grid or community."""

    queryset = (
        PatrolTeam.objects.select_related("area")
        .prefetch_related("members")
        .order_by("area__code", "name", "pk")
    )
    serializer_class = PatrolTeamSerializer
    filterset_class = PatrolTeamFilterSet


class PatrolViewSet(ScopedReadOnlyModelViewSet[Patrol]):
    """巡查: a team's patrol of a route of buildings in a time window, day or night."""

    queryset = (
        Patrol.objects.select_related("team", "area", "created_by")
        .prefetch_related(
            "participants",
            Prefetch("stops", queryset=PatrolStop.objects.select_related("building")),
            Prefetch("scans", queryset=PatrolScan.objects.only("id", "patrol_id", "building_id")),
        )
        .order_by("-window_start", "-pk")
    )
    serializer_class = PatrolSerializer
    filterset_class = PatrolFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "start": Action.CHANGE,
        "finish": Action.CHANGE,
        "cancel": Action.CHANGE,
        # Sight of the patrol; the service checks the scan itself (the role may add scans, the caller is
        # on the team, the patrol is under way).
        "scan": Action.VIEW,
    }

    def _read(self, patrol: Patrol, code: int = status.HTTP_200_OK) -> Response:
        return Response(PatrolSerializer(self.get_queryset().get(pk=patrol.pk)).data, status=code)

    @extend_schema(
        summary="计划巡查",
        description="按给出的建筑顺序（或按 auto_route 自动生成的步行路线）计划一次巡查。",
        request=PatrolPlanSerializer,
        responses={201: PatrolSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:
        body = PatrolPlanSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team: PatrolTeam = data["team"]
        area = team.area
        if "area" in data:
            found = Area.objects.visible_to(request.user).filter(pk=data["area"]).first()
            if found is None:
                raise DjangoValidationError({"area": _("巡查区域不存在或不在您的管辖范围内。")})
            area = found
        buildings = list(data.get("buildings") or [])
        if not buildings:
            buildings = services.route_from_area(
                area,
                actor=request.user,
                week_of=data["window_start"].date(),
                unpatrolled_only=data["auto_route"] == "unpatrolled",
                limit=data.get("limit"),
            )
        patrol = services.plan_patrol(
            team=team,
            area=area,
            kind=data["kind"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            buildings=buildings,
            note=data.get("note", ""),
            actor=request.user,
        )
        return self._read(patrol, status.HTTP_201_CREATED)

    def _move(self, request: AuthedRequest, move: str) -> Response:
        patrol = self.get_object()
        serializer_class = CancelSerializer if move == "cancel" else MoveSerializer
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        version = body.validated_data.get("version")
        if move == "start":
            patrol = services.start_patrol(patrol, actor=request.user, expected_version=version)
        elif move == "finish":
            patrol = services.finish_patrol(patrol, actor=request.user, expected_version=version)
        else:
            patrol = services.cancel_patrol(
                patrol, actor=request.user, reason=body.validated_data["reason"], expected_version=version
            )
        return self._read(patrol)

    @extend_schema(
        summary="开始巡查", request=MoveSerializer, responses={200: PatrolSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._move(request, "start")

    @extend_schema(
        summary="结束巡查",
        description="结束进行中的巡查；参与人员为本次巡查中打过卡的人。",
        request=MoveSerializer,
        responses={200: PatrolSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def finish(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._move(request, "finish")

    @extend_schema(
        summary="取消巡查", request=CancelSerializer, responses={200: PatrolSerializer, **ERRORS, **CONFLICT}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: AuthedRequest, pk: str | None = None) -> Response:
        return self._move(request, "cancel")

    @extend_schema(
        summary="巡查打卡",
        description="记录一次扫码打卡。路线外或时段外的打卡照常记录，并生成疑似造假提示供核查；"
        "同一 client_uuid 重发返回第一次的打卡（200）；不能在本次巡查中打卡的建筑返回 404。",
        request=ScanRequestSerializer,
        responses={201: PatrolScanSerializer, 200: PatrolScanSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def scan(self, request: AuthedRequest, pk: str | None = None) -> Response:
        patrol = self.get_object()
        body = ScanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        replay = PatrolScan.objects.filter(client_uuid=data["client_uuid"]).exists()
        premises: Premises | None = None
        if "building" in data:
            building = services.scannable_buildings(patrol, request.user).filter(pk=data["building"]).first()
            if building is None:
                raise Http404
            source = "building_qr"
        else:
            try:
                scanned = resolve_code(data["code"], patrol, request.user)
            except DjangoValidationError as exc:
                raise DjangoValidationError({"code": exc.messages}) from exc
            building, premises, source = scanned.building, scanned.premises, scanned.source
        scan = services.record_scan(
            patrol,
            building,
            actor=request.user,
            client_uuid=data["client_uuid"],
            premises=premises,
            source=source,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            scanned_at=data.get("scanned_at"),
        )
        code = status.HTTP_200_OK if replay else status.HTTP_201_CREATED
        return Response(PatrolScanSerializer(scan).data, status=code)


class PatrolScanViewSet(ScopedReadOnlyModelViewSet[PatrolScan]):
    """巡查打卡: the scans of the patrols in the caller's scope (written through `patrols/{id}/scan/`)."""

    queryset = PatrolScan.objects.select_related("building", "scanned_by").order_by("-scanned_at", "-pk")
    serializer_class = PatrolScanSerializer
    filterset_class = PatrolScanFilterSet


def _finding_photos(view: Any, finding: PatrolFinding) -> Any:
    return FindingPhoto.objects.visible_to(view.request.user).filter(finding=finding)


class PatrolFindingViewSet(ScopedReadOnlyModelViewSet[PatrolFinding]):
    """巡查发现: notes and hazard leads of patrols; open ones wait in the grid workers' work queue."""

    queryset = (
        PatrolFinding.objects.select_related("building", "premises", "reported_by")
        .prefetch_related("photos__uploaded_by")
        .order_by("-reported_at", "-pk")
    )
    serializer_class = PatrolFindingSerializer
    filterset_class = PatrolFindingFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "close": Action.CHANGE,
        "photo_file": Action.VIEW,
    }

    @extend_schema(
        summary="记录巡查发现",
        description="在进行中的巡查里记录情况或隐患线索（可附一张照片，multipart/form-data）。"
        "同一 client_uuid 重发返回第一次的记录（200）。",
        request={"multipart/form-data": FindingCreateSerializer, "application/json": FindingCreateSerializer},
        responses={201: PatrolFindingSerializer, 200: PatrolFindingSerializer, **ERRORS},
    )
    def create(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:
        body = FindingCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        patrol: Patrol = data["patrol"]
        building = services.scannable_buildings(patrol, request.user).filter(pk=data["building"]).first()
        if building is None:
            raise Http404
        premises = None
        if data.get("premises"):
            premises = Premises.objects.filter(pk=data["premises"], building=building).first()
            if premises is None:
                raise DjangoValidationError({"premises": _("出租户不在所选建筑内。")})
        replay = PatrolFinding.objects.filter(client_uuid=data["client_uuid"]).exists()
        finding = services.add_finding(
            patrol,
            building=building,
            premises=premises,
            kind=data["kind"],
            note=data["note"],
            actor=request.user,
            client_uuid=data["client_uuid"],
            photo=data.get("photo"),
        )
        body_data = PatrolFindingSerializer(
            self.get_queryset().get(pk=finding.pk), context={"request": request}
        ).data
        return Response(body_data, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)

    @extend_schema(
        summary="关闭巡查发现",
        description="无需上门或已另行处理：写明处理说明后关闭（网格员、社区和街道人员）。",
        request=CloseFindingSerializer,
        responses={200: PatrolFindingSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: AuthedRequest, pk: str | None = None) -> Response:
        finding = self.get_object()
        body = CloseFindingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        finding = services.close_finding(
            finding,
            actor=request.user,
            note=body.validated_data["close_note"],
            expected_version=body.validated_data.get("version"),
        )
        read = PatrolFindingSerializer(self.get_queryset().get(pk=finding.pk), context={"request": request})
        return Response(read.data)

    photo_file = photo_file_action(
        "photo_file",
        url_path="photos",
        url_name="photo-file",
        photos=_finding_photos,
        summary="巡查照片文件",
        description="巡查发现的照片或缩略图（JPEG，已去除 EXIF）。",
        photo_id="照片 id",
    )


class FabricationFlagViewSet(ScopedReadOnlyModelViewSet[FabricationFlag]):
    """疑似造假提示: for supervisors (community and subdistrict officers, district roles) — hints to look
    at, never penalties; not shown to the flagged worker's peers."""

    queryset = FabricationFlag.objects.select_related(
        "user", "grid", "reviewed_by", "photo", "other_photo"
    ).order_by("-raised_at", "-pk")
    serializer_class = FabricationFlagSerializer
    filterset_class = FabricationFlagFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "review": Action.CHANGE}

    @extend_schema(
        summary="核查提示",
        description="排除（cleared）或确认（confirmed），须写核查说明并提交读取时的 version；"
        "已核查的提示返回 400；与本人有关的提示不能由本人核查（403）。",
        request=ReviewSerializer,
        responses={200: FabricationFlagSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request: AuthedRequest, pk: str | None = None) -> Response:
        flag = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        flag = services.review_flag(
            flag,
            decision=data["decision"],
            note=data["review_note"],
            actor=request.user,
            expected_version=data["version"],
        )
        return Response(FabricationFlagSerializer(self.get_queryset().get(pk=flag.pk)).data)


def register(router: BaseRouter) -> None:
    router.register("patrol-teams", PatrolTeamViewSet, basename="patrol-teams")
    router.register("patrols", PatrolViewSet, basename="patrols")
    router.register("patrol-scans", PatrolScanViewSet, basename="patrol-scans")
    router.register("patrol-findings", PatrolFindingViewSet, basename="patrol-findings")
    router.register("fabrication-flags", FabricationFlagViewSet, basename="fabrication-flags")
