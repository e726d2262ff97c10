"""API of plans: make one, edit it (with the `version` read), move it — every state change is one
`POST plans/{id}/moves/` naming the move, served by `services.make_move` as the plan page is — the
moves the caller may make now, and the landlord's pledge. There is no PUT or DELETE of a plan (405): a
plan that should not exist is cancelled, with a reason.

Who may make a move is the state machine's decision (`rectification.machine`), not the role table's:
a landlord only reads plans, yet signs the pledge and asks for the recheck on their own. So the moves
and the pledge need only sight of the plan here; the service answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from firegrid.core.api.base import ScopedViewSetMixin
from firegrid.core.api.errors import validation_error_detail
from firegrid.core.permissions import Action

from .. import services
from ..choices import PlanState
from ..filters import PlanFilterSet
from ..machine import IllegalMove, moves_for
from ..models import (
    Document,
    EnforcementAction,
    Plan,
    PlanItem,
    PlanMove,
    PlanQuerySet,
)
from .common import ACTIONS, CONFLICT, ERRORS
from .serializers import (
    AllowedMoveSerializer,
    DocumentSerializer,
    MoveRequestSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanMoveSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    PledgeSerializer,
    check_officer_covers,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from firegrid.core.http import AuthedRequest


def plans_with_counts() -> PlanQuerySet:
    return (
        Plan.objects.select_related("premises__building__grid", "landlord", "officer", "campaign")
        .prefetch_related("escalated_to")
        .annotate(hazard_count=Count("items", distinct=True))
    )


def plan_detail_queryset() -> PlanQuerySet:
    return plans_with_counts().prefetch_related(
        Prefetch(
            "items",
            queryset=PlanItem.objects.select_related("hazard__item").annotate(
                proof_photo_count=Count("proof_photos")
            ),
        ),
        Prefetch("moves", queryset=PlanMove.objects.order_by("time", "id")),
        Prefetch(
            "documents", queryset=Document.objects.select_related("issued_by").order_by("-issued_at", "-id")
        ),
        Prefetch(
            "enforcement_actions",
            queryset=EnforcementAction.objects.select_related(
                "premises__building", "department", "recorded_by"
            ).prefetch_related("attachments"),
        ),
    )


def moves_error(exc: DjangoValidationError) -> ValidationError:
    """An illegal move is an error on the `move` the client sent; other refusals keep their keys."""
    if isinstance(exc, IllegalMove):
        return ValidationError({"move": exc.messages})
    return ValidationError(validation_error_detail(exc))


@extend_schema_view(
    list=extend_schema(summary="整改方案列表"),
    retrieve=extend_schema(
        summary="整改方案详情",
        description="方案及其隐患（整改措施、期限、验收标准）、流转记录、已出具的文书和执法措施。",
    ),
)
class PlanViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rectification plans (整改方案, 一户一方案) of premises in the caller's scope. A landlord sees their
    own. `state` moves only through `POST plans/{id}/moves/`; `allowed-moves/` says which moves the
    caller may make now."""

    queryset = plans_with_counts()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "moves": Action.VIEW,
        "make_move": Action.VIEW,
        "allowed_moves": Action.VIEW,
        "pledge": Action.VIEW,
    }

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        if self.action == "retrieve":
            return plan_detail_queryset().visible_to(self.request.user, Action.VIEW)
        return super().get_queryset()

    def _read(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        plan = plan_detail_queryset().get(pk=plan.pk)
        return Response(PlanDetailSerializer(plan, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="制定整改方案",
        description="为出租户制定整改方案：其全部待整改隐患（或所列隐患），每项的整改措施和验收标准取自检查项，"
        "期限取检查项的默认期限；方案期限为其中最晚的（或所填期限）。同一出租户在同一专项行动中只能有一个"
        "未结束的方案。\n\n"
        "只列隐患（hazards）不填出租户，即隐患列表的“起草整改方案”：所列隐患须属于同一出租户、待整改且不在"
        "未结束的方案中，否则返回 400，hazards 的错误逐一说明哪些隐患、哪些出租户不符，不做任何修改。",
        request=PlanCreateSerializer,
        responses={201: PlanDetailSerializer, **ERRORS},
        examples=[
            OpenApiExample("起草整改方案（所选隐患）", value={"hazards": [101, 102]}, request_only=True),
        ],
    )
    def create(self, request: AuthedRequest) -> Response:
        serializer = PlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        premises = data.pop("premises", None)
        hazards = data.pop("hazards", None)
        if hazards:
            plan = services.draft_plan([h.pk for h in hazards], actor=request.user, premises=premises, **data)
        else:
            assert premises is not None  # the serializer asks for one without hazards
            plan = services.create_plan(premises, actor=request.user, hazards=hazards, **data)
        return self._read(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改整改方案",
        description="修改未结束方案的期限、责任人、备注，以及各隐患的整改措施、验收标准和期限（items）。"
        "须提交读取时的 version；他人已修改返回 409。期限不能早于通知日期，隐患期限不能晚于方案期限"
        "（错误键为 item-{id}-deadline 等）。已出具的文书不变，需要时重新出具。",
        request=PlanUpdateSerializer,
        responses={200: PlanDetailSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request: AuthedRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = PlanUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, reason, items = data.pop("version"), data.pop("reason", ""), data.pop("items", None)
        if "officer" in data:
            check_officer_covers(data["officer"], plan.premises)
        changes = None
        if items is not None:
            known = set(plan.items.values_list("pk", flat=True))
            unknown = sorted({str(item["id"]) for item in items if item["id"] not in known})
            if unknown:
                raise ValidationError(
                    {"items": [_("编号为 %(ids)s 的整改事项不在该方案中。") % {"ids": "、".join(unknown)}]}
                )
            changes = {item["id"]: {k: v for k, v in item.items() if k != "id"} for item in items}
        plan = services.update_plan(
            plan, data, actor=request.user, expected_version=version, items=changes, reason=reason
        )
        return self._read(plan)

    @extend_schema(
        summary="流转记录",
        description="方案的每一次流转（制定、送达、整改、复查、逾期、提级、执法、验收、撤销），按时间先后。",
        responses=PlanMoveSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def moves(self, request: AuthedRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        page = self.paginate_queryset(plan.moves.order_by("time", "id"))
        return self.get_paginated_response(PlanMoveSerializer(page, many=True).data)

    @extend_schema(
        summary="流转方案",
        description="按状态机执行一次流转，须提交读取时的 version（他人已操作返回 409）。"
        "当前状态不允许该操作时返回 400，move 字段的错误说明当前状态和可以执行的操作；"
        "角色不能执行该操作返回 403。成功返回方案详情。\n\n" + (MoveRequestSerializer.__doc__ or ""),
        request=MoveRequestSerializer,
        responses={200: PlanDetailSerializer, **ERRORS, **CONFLICT},
        examples=[
            OpenApiExample(
                "送达责令限期改正通知书",
                value={"move": "notify", "order": True, "version": 1},
                request_only=True,
            ),
            OpenApiExample(
                "逾期后延期整改",
                value={"move": "extend", "reason": "房东住院", "deadline": "2019-11-30", "version": 4},
                request_only=True,
            ),
        ],
    )
    @moves.mapping.post
    def make_move(self, request: AuthedRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = MoveRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            plan = services.make_move(
                plan,
                data["move"],
                actor=request.user,
                expected_version=data["version"],
                reason=data.get("reason", ""),
                deadline=data.get("deadline"),
                departments=data.get("departments", ()),
                order=data.get("order", False),
                inspection=data.get("inspection"),
            )
        except DjangoValidationError as exc:
            raise moves_error(exc) from exc
        return self._read(plan)

    @extend_schema(
        summary="可执行的操作",
        description="当前用户在方案当前状态下可以执行的流转（页面据此显示按钮）。",
        responses=AllowedMoveSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="allowed-moves", filter_backends=[], pagination_class=None)
    def allowed_moves(self, request: AuthedRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = [
            {
                "name": move.name.value,
                "label": move.name.label,
                "target": move.target.value,
                "target_display": PlanState(move.target).label,
                "needs_reason": move.needs_reason,
                "needs_deadline": move.needs_deadline,
            }
            for move in moves_for(plan.state, request.user)
        ]
        return Response(AllowedMoveSerializer(data, many=True).data)

    @extend_schema(
        summary="签署承诺书",
        description="房东本人以输入的姓名签署整改承诺书，记录签署时间和 IP；通知已送达的方案随之进入整改中。"
        "每个方案只能签署一次（再次签署返回 400）；非该方案房东返回 403。",
        request=PledgeSerializer,
        responses={201: DocumentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def pledge(self, request: AuthedRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = PledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.sign_pledge(
            plan,
            actor=request.user,
            name=serializer.validated_data["signed_name"],
            # Behind a proxy the deployment sets REMOTE_ADDR properly (as for the login log).
            ip=request.META.get("REMOTE_ADDR") or None,
        )
        context = self.get_serializer_context()
        return Response(DocumentSerializer(document, context=context).data, status=status.HTTP_201_CREATED)
