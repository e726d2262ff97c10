"""API of rectification: plans (make, edit, move, pledge), their documents (PDF, reissue), proof photos,
enforcement actions and the escalation ladder.

Lists, details and history come from the scoped base viewsets. A plan changes only through
`firegrid.rectification.services`: `PATCH plans/{id}/` edits it (with the `version` read), and every
state change is one `POST plans/{id}/moves/` naming the move. There is no PUT or DELETE of a plan
(405): a plan that should not exist is cancelled, with a reason.

Who may make a move is the state machine's decision (`rectification.machine`), not the role table's:
a landlord only reads plans, yet signs the pledge and asks for the recheck on their own. So the moves,
the pledge, proof photos and reissue need only sight of the object here; the service answers 403.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from firegrid.core.api.base import ScopedModelViewSet, ScopedReadOnlyModelViewSet, ScopedViewSetMixin
from firegrid.core.api.errors import validation_error_detail
from firegrid.core.api.files import FileNegotiation, file_response, photo_file_response
from firegrid.core.api.permissions import RoleActionPermission
from firegrid.core.api.schema import FiregridAutoSchema
from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response
from firegrid.core.services import ConcurrentEditError

from .. import documents, services
from ..choices import MoveName, PlanState
from ..filters import PlanFilterSet
from ..machine import IllegalMove, check_move, moves_for
from ..models import (
    Document,
    EnforcementAction,
    EscalationStep,
    Plan,
    PlanItem,
    PlanMove,
    ProofPhoto,
)
from .filters import DocumentFilterSet, EnforcementActionFilterSet
from .serializers import (
    AllowedMoveSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    EnforcementActionSerializer,
    EnforcementCreateSerializer,
    EscalationStepSerializer,
    MoveRequestSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanMoveSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    PledgeSerializer,
    ProofPhotoSerializer,
    ProofPhotoUploadSerializer,
    ReissueSerializer,
    check_officer_covers,
)

ACTIONS = ScopedViewSetMixin.action_permissions

ERRORS = {
    400: OpenApiResponse(description="字段错误（按字段名返回），或 non_field_errors"),
    403: OpenApiResponse(description="角色无权执行此操作"),
    404: OpenApiResponse(description="不在管辖范围内"),
}
CONFLICT = {409: OpenApiResponse(description="version 已过期：他人已修改该方案，请重新读取")}


# --- plans -------------------------------------------------------------------------------------------------


def plans_with_counts():
    return (
        Plan.objects.select_related("premises__building__grid", "landlord", "officer", "campaign")
        .prefetch_related("escalated_to")
        .annotate(hazard_count=Count("items", distinct=True))
    )


def plan_detail_queryset():
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


def make_move(plan: Plan, move: MoveName, data: dict, *, actor) -> Plan:
    """Call the service of one move with what the request carries."""
    reason, deadline = data.get("reason", ""), data.get("deadline")
    if move == MoveName.NOTIFY:
        return services.notify_plan(plan, actor=actor, order=data.get("order", False))
    if move == MoveName.START:
        return services.start_rectification(plan, actor=actor, reason=reason)
    if move == MoveName.REQUEST_RECHECK:
        return services.request_recheck(plan, actor=actor, reason=reason)
    if move == MoveName.FAIL_RECHECK:
        return services.fail_recheck(
            plan, actor=actor, deadline=deadline, reason=reason, inspection=data.get("inspection")
        )
    if move == MoveName.ACCEPT:
        # The state is judged first: "not now" says more than "which inspection?".
        check_move(MoveName.ACCEPT, plan.state, actor)
        if data.get("inspection") is None:
            raise DjangoValidationError({"inspection": _("验收需要指定一次已提交的验收检查。")})
        return services.accept_plan(plan, data["inspection"], actor=actor)
    if move == MoveName.EXTEND:
        return services.extend_plan(plan, actor=actor, deadline=deadline, reason=reason)
    if move == MoveName.ESCALATE:
        return services.escalate_plan(
            plan, actor=actor, reason=reason, departments=data.get("departments", ())
        )
    if move == MoveName.RESUME:
        return services.resume_plan(plan, actor=actor, deadline=deadline, reason=reason)
    if move == MoveName.CANCEL:
        return services.cancel_plan(plan, actor=actor, reason=reason)
    raise DjangoValidationError({"move": _("不支持的操作。")})  # the serializer's choices exclude it


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

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self):
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
        "未结束的方案。",
        request=PlanCreateSerializer,
        responses={201: PlanDetailSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = PlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        premises = data.pop("premises")
        plan = services.create_plan(premises, actor=request.user, **data)
        return self._read(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改整改方案",
        description="修改未结束方案的期限、责任人、备注，以及各隐患的整改措施、验收标准和期限（items）。"
        "须提交读取时的 version；他人已修改返回 409。期限不能早于通知日期，隐患期限不能晚于方案期限"
        "（错误键为 item-{id}-deadline 等）。已出具的文书不变，需要时重新出具。",
        request=PlanUpdateSerializer,
        responses={200: PlanDetailSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request, pk=None):
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
    def moves(self, request, pk=None):
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
    def make_move(self, request, pk=None):
        plan = self.get_object()
        serializer = MoveRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with transaction.atomic():
                # The version is compared under the plan's row lock, which the service takes again in
                # this same transaction: nobody can move the plan in between.
                current = Plan.objects.select_for_update().get(pk=plan.pk)
                if current.version != data["version"]:
                    raise ConcurrentEditError(current, data["version"])
                plan = make_move(current, MoveName(data["move"]), data, actor=request.user)
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
    def allowed_moves(self, request, pk=None):
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
    def pledge(self, request, pk=None):
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


# --- documents ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="文书列表"),
    retrieve=extend_schema(summary="文书详情", description="文书及其出具时固定的内容（content）。"),
)
class DocumentViewSet(ScopedReadOnlyModelViewSet):
    """Documents (文书) issued on plans in the caller's scope: notices, orders, pledges, acceptance records.
    Their content is frozen when issued; `pdf/` is always the same file."""

    queryset = Document.objects.select_related("plan__premises__building", "issued_by")
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    action_permissions: ClassVar[dict[str | None, str]] = {
        **ACTIONS,
        "pdf": Action.VIEW,
        "reissue": Action.VIEW,
    }

    def get_serializer_class(self):
        return DocumentDetailSerializer if self.action == "retrieve" else DocumentSerializer

    @extend_schema(
        summary="下载 PDF",
        description="文书的 PDF（A4，内嵌中文字体）。首次下载时由固定的内容生成并保存，此后每次都是同一文件。",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=FileNegotiation)
    def pdf(self, request, pk=None):
        document = self.get_object()
        return pdf_response(documents.pdf_bytes(document), f"{document.serial}.pdf", max_age=86400)

    @extend_schema(
        summary="重新出具",
        description="按方案当前内容重新出具文书（如更正后的通知书），原文书保留并标为已重新出具。须填写原因。"
        "方案验收后或已结束时不能重新出具；承诺书由房东签署，不能重新出具。",
        request=ReissueSerializer,
        responses={201: DocumentDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reissue(self, request, pk=None):
        document = self.get_object()
        serializer = ReissueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = services.reissue_document(
            document, actor=request.user, reason=serializer.validated_data["reason"]
        )
        new = self.get_queryset().get(pk=new.pk)
        context = self.get_serializer_context()
        return Response(DocumentDetailSerializer(new, context=context).data, status=status.HTTP_201_CREATED)


# --- proof photos ------------------------------------------------------------------------------------------


class ProofPhotoPermission(BasePermission):
    """Proof photos are seen by the roles that see them (the role table's `proofphoto`); who may add one is
    the service's decision (the plan's own landlord, or an officer who may change the plan)."""

    message = RoleActionPermission.message

    def has_permission(self, request, view) -> bool:
        return can(request.user, Action.VIEW, ProofPhoto)

    def has_object_permission(self, request, view, obj) -> bool:
        return can(request.user, Action.VIEW, ProofPhoto)


PHOTO_ID = OpenApiParameter("photo_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="整改照片编号")
VARIANT = OpenApiParameter(
    "variant",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=["image", "thumbnail"],
    description="照片或缩略图",
)


class PlanItemViewSet(viewsets.GenericViewSet):
    """One hazard of a plan (整改事项): the landlord's after-photos proving the fix, before the recheck.
    Items are read and edited with their plan; here are only their photos."""

    queryset = PlanItem.objects.select_related("plan", "hazard__item")
    serializer_class = ProofPhotoSerializer
    permission_classes = [IsAuthenticated, ProofPhotoPermission]
    schema = FiregridAutoSchema()

    def get_queryset(self):
        # Items have no scope of their own: they are in scope when their plan is.
        plans = Plan.objects.visible_to(self.request.user, Action.VIEW)
        return self.queryset.filter(plan__in=plans)

    def _photos(self, item: PlanItem):
        return (
            ProofPhoto.objects.visible_to(self.request.user)
            .filter(item=item)
            .select_related("uploaded_by")
            .order_by("uploaded_at", "id")
        )

    @extend_schema(
        summary="整改照片",
        description="该隐患的整改后照片：image 为照片地址（已去除 EXIF），thumbnail 为缩略图地址。",
        responses=ProofPhotoSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="proof-photos",
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def proof_photos(self, request, pk=None):
        item = self.get_object()
        page = self.paginate_queryset(self._photos(item))
        context = self.get_serializer_context()
        return self.get_paginated_response(ProofPhotoSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="上传整改照片",
        description="房东（或可修改该方案的工作人员）为该隐患上传一张整改后照片（multipart/form-data）。"
        "照片按内容检查、缩放并去除 EXIF；方案已验收或已撤销时不能上传（image 字段错误）。",
        request={"multipart/form-data": ProofPhotoUploadSerializer},
        responses={201: ProofPhotoSerializer, **ERRORS},
    )
    @proof_photos.mapping.post
    def add_proof_photo(self, request, pk=None):
        item = self.get_object()
        serializer = ProofPhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            photo = services.add_proof_photo(item, serializer.validated_data["image"], actor=request.user)
        except DjangoValidationError as exc:
            detail = validation_error_detail(exc)
            # The photo checks speak of the file (photo_* codes) without naming the field: it is `image`.
            if set(detail) == {"non_field_errors"} and all(
                (e.code or "").startswith("photo_") for e in detail["non_field_errors"]
            ):
                detail = {"image": detail.pop("non_field_errors")}
            raise ValidationError(detail) from exc
        photo = ProofPhoto.objects.select_related("uploaded_by").get(pk=photo.pk)
        context = self.get_serializer_context()
        return Response(ProofPhotoSerializer(photo, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="整改照片文件",
        description="整改照片或其缩略图（JPEG）。",
        parameters=[PHOTO_ID, VARIANT],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 403: ERRORS[403], 404: ERRORS[404]},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"proof-photos/(?P<photo_id>[0-9]+)/(?P<variant>image|thumbnail)",
        url_name="proof-photo-file",
        filter_backends=[],
        content_negotiation_class=FileNegotiation,
    )
    def proof_photo_file(self, request, pk=None, photo_id=None, variant=None):
        item = self.get_object()
        photo = get_object_or_404(self._photos(item), pk=photo_id)
        return photo_file_response(photo, variant)


# --- enforcement -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="执法措施列表"),
    retrieve=extend_schema(summary="执法措施详情"),
)
class EnforcementActionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Enforcement actions (执法措施) on premises in the caller's scope: interview, warning, fine, order to
    stop use, temporary sealing, detention, exposure, and visits where the door stayed shut or the
    landlord refused. Recorded, never edited."""

    queryset = EnforcementAction.objects.select_related(
        "premises__building", "department", "recorded_by"
    ).prefetch_related("attachments")
    serializer_class = EnforcementActionSerializer
    filterset_class = EnforcementActionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions: ClassVar[dict[str | None, str]] = {**ACTIONS, "attachment": Action.VIEW}

    @extend_schema(
        summary="记录执法措施",
        description="记录一项执法措施（附件用 multipart/form-data 的 attachments，可多个）。罚款须填金额，"
        "临时查封期限 1–30 天，行政拘留 1–15 天，处罚类措施须填法律依据。已提级的方案记录处罚类措施后"
        "转入执法。",
        request={
            "application/json": EnforcementCreateSerializer,
            "multipart/form-data": EnforcementCreateSerializer,
        },
        responses={201: EnforcementActionSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = EnforcementCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        premises, plan, attachments = (
            data.pop("premises"),
            data.pop("plan", None),
            data.pop("attachments", []),
        )
        recorded = services.record_enforcement(
            premises, data, actor=request.user, plan=plan, attachments=attachments
        )
        recorded = self.get_queryset().get(pk=recorded.pk)
        context = self.get_serializer_context()
        return Response(
            EnforcementActionSerializer(recorded, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="执法附件",
        description="执法措施的附件文件。",
        parameters=[
            OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="附件编号")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: ERRORS[403],
            404: ERRORS[404],
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        filter_backends=[],
        content_negotiation_class=FileNegotiation,
    )
    def attachment(self, request, pk=None, attachment_id=None):
        recorded = self.get_object()
        attachment = get_object_or_404(recorded.attachments.all(), pk=attachment_id)
        return file_response(attachment.file, attachment.name)


# --- the escalation ladder ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="逾期处置阶梯"),
    retrieve=extend_schema(summary="处置阶梯详情"),
    create=extend_schema(summary="新增处置阶梯"),
    update=extend_schema(summary="修改处置阶梯"),
    partial_update=extend_schema(summary="修改处置阶梯"),
    destroy=extend_schema(summary="删除处置阶梯"),
)
class EscalationStepViewSet(ScopedModelViewSet):
    """The district's escalation ladder (逾期处置阶梯): after this many days overdue the daily job escalates
    the plan to a joint team, or moves it into enforcement. System administrators configure it; the
    command reads it."""

    queryset = EscalationStep.objects.select_related("district").prefetch_related("departments")
    serializer_class = EscalationStepSerializer
    filterset_fields = ["district", "move"]


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plans")
    router.register("plan-documents", DocumentViewSet, basename="plan-documents")
    router.register("plan-items", PlanItemViewSet, basename="plan-items")
    router.register("enforcement-actions", EnforcementActionViewSet, basename="enforcement-actions")
    router.register("escalation-steps", EscalationStepViewSet, basename="escalation-steps")
