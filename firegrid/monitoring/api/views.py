"""API of monitoring, in the scoped, versioned, audited style of every endpoint:

- `devices`: list (filter by state, kind, area …), read, create, change (with `version`), delete, history;
  `events` — a device's recent events (newest first, paged).
- `alert-cases`: list, read, history; `acknowledge`, `visit`, `close` (outcome and note) move a case
  (optional `version`: 409 when someone moved it meanwhile). Cases are opened by the ingester only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from firegrid.core.api.base import ReadAfterWriteMixin, ScopedModelViewSet, ScopedReadOnlyModelViewSet
from firegrid.core.api.schema import CONFLICT, ERRORS
from firegrid.core.http import AuthedRequest
from firegrid.core.permissions import Action

from .. import services
from ..filters import AlertCaseFilterSet, DeviceFilterSet
from ..models import AlertCase, Device, DeviceEvent
from .serializers import (
    AlertCaseSerializer,
    CaseMoveSerializer,
    CloseCaseSerializer,
    DeviceEventSerializer,
    DeviceSerializer,
)


class DeviceViewSet(ReadAfterWriteMixin, ScopedModelViewSet[Device]):
    """传感器: smoke detectors, e-bike charging monitors, electrical fire monitors and gas detectors in
    premises; their state comes from what they send (MQTT), never from a write."""

    queryset = Device.objects.select_related("premises__building").order_by("pk")
    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedModelViewSet.action_permissions,
        "events": Action.VIEW,
    }

    @extend_schema(
        summary="传感器最近事件",
        description="该传感器收到的消息（心跳、报警、故障、低电量、恢复、读数）和离线记录，新的在前。",
        responses=DeviceEventSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request: AuthedRequest, pk: str | None = None) -> Response:
        device = self.get_object()
        page = self.paginate_queryset(DeviceEvent.objects.filter(device=device).order_by("-ts", "-pk"))
        return self.get_paginated_response(DeviceEventSerializer(page, many=True).data)


class AlertCaseViewSet(ScopedReadOnlyModelViewSet[AlertCase]):
    """报警处置: one alarm episode of one device — opened by the ingester, acknowledged, visited and closed
    (with an outcome and a note) by people in scope."""

    queryset = AlertCase.objects.select_related(
        "premises__building", "device", "acknowledged_by", "visited_by", "closed_by"
    ).order_by("-opened_at", "-pk")
    serializer_class = AlertCaseSerializer
    filterset_class = AlertCaseFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ScopedReadOnlyModelViewSet.action_permissions,
        "acknowledge": Action.CHANGE,
        "visit": Action.CHANGE,
        "close": Action.CHANGE,
    }

    def _answer(self, request: AuthedRequest, case: AlertCase) -> Response:
        return Response(
            AlertCaseSerializer(self.get_queryset().get(pk=case.pk), context={"request": request}).data
        )

    @extend_schema(
        summary="响应报警",
        description="待响应 → 已响应。",
        request=CaseMoveSerializer,
        responses={200: AlertCaseSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: AuthedRequest, pk: str | None = None) -> Response:
        body = CaseMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.acknowledge_case(
            self.get_object(), actor=request.user, expected_version=body.validated_data.get("version")
        )
        return self._answer(request, case)

    @extend_schema(
        summary="到场核查",
        description="待响应或已响应 → 已到场。",
        request=CaseMoveSerializer,
        responses={200: AlertCaseSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def visit(self, request: AuthedRequest, pk: str | None = None) -> Response:
        body = CaseMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.visit_case(
            self.get_object(), actor=request.user, expected_version=body.validated_data.get("version")
        )
        return self._answer(request, case)

    @extend_schema(
        summary="办结报警处置",
        description="已响应或已到场 → 已办结，须填写核查结论和处置说明。",
        request=CloseCaseSerializer,
        responses={200: AlertCaseSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: AuthedRequest, pk: str | None = None) -> Response:
        body = CloseCaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        case = services.close_case(
            self.get_object(),
            outcome=data["outcome"],
            note=data["note"],
            actor=request.user,
            expected_version=data.get("version"),
        )
        return self._answer(request, case)


def register(router: BaseRouter) -> None:
    router.register("devices", DeviceViewSet, basename="devices")
    router.register("alert-cases", AlertCaseViewSet, basename="alert-cases")
