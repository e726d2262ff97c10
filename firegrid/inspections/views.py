"""Inspection pages: start a visit, the phone checklist (autosaved, idempotent submit), photos,
inspection and hazard lists, hazard void, survey coverage, checklist templates."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from firegrid.areas.models import Area, Department, User
from firegrid.core.bulk import BulkAction
from firegrid.core.exports import xlsx_response
from firegrid.core.http import AuthedHttpRequest
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response
from firegrid.core.tables import Column, enumerate_items, join_sentences
from firegrid.core.validators import validate_latitude, validate_longitude
from firegrid.core.views import ObjectDetailView, ObjectListView
from firegrid.registry.models import Building, Premises

from . import services
from .bulk import hazard_actions
from .choices import (
    BUCKET_STATUSES,
    OPEN_STATUSES,
    AnswerResult,
    HazardBucket,
    InspectionKind,
    InspectionStatus,
    PhotoRole,
    Severity,
    VisitOutcome,
)
from .coverage import CoverageRow, coverage_rows
from .filters import HazardFilterSet, InspectionFilterSet
from .models import ChecklistTemplate, Hazard, Inspection, Photo

BUCKET_COLOURS: dict[str, str] = {
    HazardBucket.TO_FIX: "red",
    HazardBucket.TO_RECHECK: "orange",
    HazardBucket.REMOVED: "green",
}


def _target(inspection: Inspection) -> str:
    return str(inspection.premises or inspection.building)


class StartInspectionView(LoginRequiredMixin, View):
    """POST from a premises or building page (or a scanned QR code): open a draft and go to it."""

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        premises: Premises | None = None
        building: Building | None = None
        if request.POST.get("premises"):
            premises = get_object_or_404(
                Premises.objects.visible_to(request.user), pk=request.POST["premises"]
            )
        elif request.POST.get("building"):
            building = get_object_or_404(
                Building.objects.visible_to(request.user), pk=request.POST["building"]
            )
        if not can(request.user, Action.ADD, Inspection):
            raise PermissionDenied(_("您的角色无权开展检查。"))
        kind = request.POST.get("kind") or InspectionKind.SURVEY
        if kind not in InspectionKind.values:
            kind = InspectionKind.SURVEY
        try:
            client_uuid = uuid.UUID(request.POST.get("client_uuid", ""))
        except ValueError:
            client_uuid = uuid.uuid4()
        inspection = services.start_inspection(
            actor=request.user,
            premises=premises,
            building=building,
            kind=kind,
            client_uuid=client_uuid,
            departments=_chosen_departments(request),
            **_device_position(request.POST),
        )
        return redirect("inspections:inspection_detail", pk=inspection.pk)


def _chosen_departments(request: AuthedHttpRequest) -> list[Department]:
    """The departments ticked for a joint inspection (联合检查); ids that name no department are ignored,
    as a stale page may offer one that has since been removed."""
    ids = [value for value in request.POST.getlist("departments") if value.isdigit()]
    if not ids:
        return []
    return list(Department.objects.visible_to(request.user).filter(pk__in=ids))


def _device_position(data: Mapping[str, Any]) -> dict[str, Decimal]:
    """The device's position if the browser offered it: optional evidence, ignored when malformed."""
    try:
        latitude, longitude = Decimal(data["latitude"]), Decimal(data["longitude"])
        validate_latitude(latitude)
        validate_longitude(longitude)
    except (KeyError, InvalidOperation, ValidationError):
        return {}
    return {
        "latitude": latitude.quantize(Decimal("0.000001")),
        "longitude": longitude.quantize(Decimal("0.000001")),
    }


def _answers_from_post(inspection: Inspection, data: QueryDict) -> list[services.AnswerInput]:
    """Read `result-<code>`, `measured-<code>`, `note-<code>`, `fixed-<code>` fields of the checklist form."""
    answers: list[services.AnswerInput] = []
    for item in inspection.template.items.all():
        result = data.get(f"result-{item.code}")
        if not result:
            continue
        answers.append(
            services.AnswerInput(
                item.code,
                result,
                measured_value=data.get(f"measured-{item.code}") or None,
                note=data.get(f"note-{item.code}", ""),
                fixed_on_spot=data.get(f"fixed-{item.code}") == "on",
            )
        )
    return answers


class InspectionDetailView(ObjectDetailView):
    """A draft is the checklist form (phone-first); a submitted inspection is its record."""

    request: AuthedHttpRequest
    object: Inspection
    model = Inspection
    template_name = "inspections/inspection_detail.html"
    select_related = ("premises__building", "building", "template")
    fields = [
        Column("kind", gettext_lazy("检查类型")),
        Column("target", gettext_lazy("检查对象"), value=_target),
        Column("template", gettext_lazy("检查表"), value=lambda i: i.template.code),
        Column("status", gettext_lazy("状态")),
        Column("outcome", gettext_lazy("检查结果")),
        Column("started_at", gettext_lazy("开始时间"), value=lambda i: timezone.localtime(i.started_at)),
        Column(
            "submitted_at",
            gettext_lazy("提交时间"),
            value=lambda i: timezone.localtime(i.submitted_at) if i.submitted_at else "",
        ),
        Column(
            "inspectors",
            gettext_lazy("检查人员"),
            value=lambda i: enumerate_items(i.inspectors.all()),
        ),
        Column("return_visit_due", gettext_lazy("回访日期")),
        Column("note", gettext_lazy("备注")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(checklist_context(self.object, self.request.user))
        return context


def checklist_context(
    inspection: Inspection,
    user: User,
    errors: dict[str, list[str]] | None = None,
    posted: QueryDict | None = None,
) -> dict[str, Any]:
    """Everything the checklist form needs: applicable items by category with answers, suggestions, photos."""
    applicable = inspection.applicable_items()
    answers = {a.item_id: a for a in inspection.answers.all()}
    photos: dict[int | None, list[Photo]] = {}
    for photo in inspection.photos.all():
        photos.setdefault(photo.answer_id, []).append(photo)
    suggestions = services.suggestions(inspection) if inspection.status == InspectionStatus.DRAFT else {}
    errors = errors or {}
    groups: dict[str, dict[str, Any]] = {}
    for item in applicable:
        answer = answers.get(item.pk)
        group = groups.setdefault(
            item.category,
            {"code": item.category, "name": inspection.template.category_name(item.category), "rows": []},
        )
        typed = posted.get(f"result-{item.code}") if posted is not None else None
        group["rows"].append(
            {
                "item": item,
                "answer": answer,
                "result": typed or (answer.result if answer else ""),
                "suggestion": suggestions.get(item.code),
                "photos": photos.get(answer.pk, []) if answer else [],
                "errors": errors.get(item.code, []),
                "threshold": inspection.template.parameter(item.rule["parameter"])
                if item.is_measured
                else None,
                "can_fix_on_spot": item.severity == Severity.IMMEDIATE,
            }
        )
    answered = sum(1 for item in applicable if item.pk in answers)
    return {
        "groups": list(groups.values()),
        "answered": answered,
        "applicable_count": len(applicable),
        "outcomes": VisitOutcome.choices,
        "results": AnswerResult.choices,
        "rooms": list(inspection.premises.rooms.all()) if inspection.premises else [],
        "rooms_checked": set(inspection.rooms_inspected.values_list("pk", flat=True)),
        "hazards": inspection.hazards_found.select_related("item"),
        "is_draft": inspection.status == InspectionStatus.DRAFT,
        "can_edit": inspection.status == InspectionStatus.DRAFT and can(user, Action.CHANGE, inspection),
        "form_errors": errors.get("__all__", [])
        + errors.get("answers", [])
        + errors.get("outcome", [])
        + errors.get("rooms", []),
        "photo_roles": PhotoRole.choices,
    }


class _DraftMixin(LoginRequiredMixin, View):
    request: AuthedHttpRequest

    def get_inspection(self, pk: int) -> Inspection:
        inspection = get_object_or_404(
            Inspection.objects.visible_to(self.request.user).select_related(
                "template", "premises", "building"
            ),
            pk=pk,
        )
        if not can(self.request.user, Action.CHANGE, inspection):
            raise PermissionDenied(_("您的角色无权修改检查。"))
        return inspection


class AutosaveView(_DraftMixin, View):
    """htmx: save the answers typed so far; answers a small status line."""

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        inspection = self.get_inspection(pk)
        try:
            services.save_answers(
                inspection, _answers_from_post(inspection, request.POST), actor=request.user
            )
        except ValidationError as exc:
            problems = join_sentences(
                f"{code} {join_sentences(msgs)}" for code, msgs in exc.message_dict.items()
            )
            return HttpResponse(
                format_html('<span class="autosave error" role="alert">{}：{}</span>', _("未保存"), problems)
            )
        stamp = timezone.localtime().strftime("%H:%M:%S")
        return HttpResponse(format_html('<span class="autosave ok">{} {}</span>', _("已自动保存"), stamp))


class SubmitView(_DraftMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        inspection = self.get_inspection(pk)
        rooms = None
        if inspection.premises is not None:
            rooms = list(inspection.premises.rooms.filter(pk__in=request.POST.getlist("rooms")))
        try:
            services.submit_inspection(
                inspection,
                actor=request.user,
                outcome=request.POST.get("outcome", ""),
                answers=_answers_from_post(inspection, request.POST),
                rooms=rooms,
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            inspection.refresh_from_db()
            view = InspectionDetailView()
            view.setup(request, pk=pk)
            view.object = inspection
            context = view.get_context_data(object=inspection)
            context.update(checklist_context(inspection, request.user, errors=errors, posted=request.POST))
            context["posted_outcome"] = request.POST.get("outcome", "")
            context["rejected"] = True  # checklist.js: this submit is answered, no longer queued
            return render(request, "inspections/inspection_detail.html", context, status=400)
        messages.success(request, _("检查已提交。"))
        return redirect("inspections:inspection_detail", pk=pk)


class PhotoUploadView(_DraftMixin, View):
    """htmx: upload one photo for an item; answers the item's photo strip (or the refusal)."""

    def post(self, request: AuthedHttpRequest, pk: int, item_code: str) -> HttpResponse:
        inspection = self.get_inspection(pk)
        upload = request.FILES.get("photo")
        role = request.POST.get("role") or PhotoRole.EVIDENCE
        if upload is None:
            return HttpResponse(
                format_html('<p class="field-errors" role="alert">{}</p>', _("请选择照片。")), status=400
            )
        try:
            # The item needs an answer before a photo can hang on it: save the one shown on screen.
            result = request.POST.get(f"result-{item_code}")
            if result:
                services.save_answers(
                    inspection, [services.AnswerInput(item_code, result)], actor=request.user
                )
            services.add_photo(inspection, upload, actor=request.user, item_code=item_code, role=role)
        except ValidationError as exc:
            return HttpResponse(
                format_html('<p class="field-errors" role="alert">{}</p>', join_sentences(exc.messages)),
                status=400,
            )
        photos = inspection.photos.filter(answer__item__code=item_code)
        return render(request, "inspections/_photos.html", {"photos": photos})


INSPECTION_COLUMNS = [
    Column(
        "started_at",
        gettext_lazy("开始时间"),
        link=True,
        sort="started_at",
        value=lambda i: timezone.localtime(i.started_at).strftime("%Y-%m-%d %H:%M"),
    ),
    Column("kind", gettext_lazy("检查类型")),
    Column("target", gettext_lazy("检查对象"), value=_target, truncate=True),
    Column("status", gettext_lazy("状态"), tag=True),
    Column("outcome", gettext_lazy("检查结果"), tag=True),
    Column("return_visit_due", gettext_lazy("回访日期")),
]

HAZARD_COLUMNS = [
    Column("item.code", gettext_lazy("编号"), link=True),
    Column(
        "item.title", gettext_lazy("隐患"), link=True, truncate=True, value=lambda h: h.item.display_title
    ),
    Column("target", gettext_lazy("位置"), value=lambda h: str(h.premises or h.building), truncate=True),
    Column("severity", gettext_lazy("隐患等级"), tag=True),
    Column(
        "bucket",
        gettext_lazy("状态"),
        value=lambda h: HazardBucket(h.bucket).label if h.bucket else h.get_status_display(),
        tag=True,
    ),
    Column("status", gettext_lazy("明细状态"), default=False),
    Column(
        "found_at",
        gettext_lazy("发现时间"),
        sort="found_at",
        value=lambda h: timezone.localtime(h.found_at).strftime("%Y-%m-%d"),
        wide_only=True,
    ),
    Column("deadline", gettext_lazy("整改期限"), sort="deadline"),
]


class InspectionListView(ObjectListView):
    model = Inspection
    filterset_class = InspectionFilterSet
    columns = INSPECTION_COLUMNS
    select_related = ("premises__building", "building")


class HazardListView(ObjectListView):
    model = Hazard
    filterset_class = HazardFilterSet
    columns = HAZARD_COLUMNS
    select_related = ("item", "premises__building", "building")

    def get_bulk_actions(self) -> list[BulkAction]:
        return hazard_actions()


class HazardDetailView(ObjectDetailView):
    model = Hazard
    template_name = "inspections/hazard_detail.html"
    select_related = ("item", "premises__building", "building", "inspection")
    request: AuthedHttpRequest
    object: Hazard
    fields = [
        Column("item", gettext_lazy("检查项"), value=lambda h: str(h.item)),
        Column("target", gettext_lazy("位置"), value=lambda h: str(h.premises or h.building)),
        Column("severity", gettext_lazy("隐患等级")),
        Column("status", gettext_lazy("状态")),
        Column("found_at", gettext_lazy("发现时间"), value=lambda h: timezone.localtime(h.found_at)),
        Column("deadline", gettext_lazy("整改期限")),
        Column("requirement", gettext_lazy("要求"), value=lambda h: h.item.display_requirement),
        Column("measure", gettext_lazy("整改措施"), value=lambda h: h.item.display_measure),
        Column("acceptance", gettext_lazy("验收标准"), value=lambda h: h.item.display_acceptance),
        Column("basis", gettext_lazy("依据"), value=lambda h: join_sentences(h.item.basis)),
        Column("void_reason", gettext_lazy("作废原因")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hazard = self.object
        context["colour"] = BUCKET_COLOURS.get(hazard.bucket, "grey")
        context["photos"] = hazard.answer.photos.all() if hazard.answer is not None else []
        context["can_void"] = can(self.request.user, Action.VOID, hazard) and hazard.bucket in (
            HazardBucket.TO_FIX,
            HazardBucket.TO_RECHECK,
        )
        return context


class VoidHazardView(LoginRequiredMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        try:
            services.void_hazard(hazard, actor=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, join_sentences(exc.messages))
        else:
            messages.success(request, _("隐患已作废。"))
        return redirect("inspections:hazard_detail", pk=pk)


def _outcome_visits(outcome: VisitOutcome) -> Callable[[CoverageRow], int]:
    return lambda row: row.outcomes.get(outcome.value, 0)


COVERAGE_COLUMNS = [
    Column("area", gettext_lazy("区域"), value=lambda r: r.area.name),
    Column("buildings", gettext_lazy("建筑"), value=lambda r: r.figures["buildings"]),
    Column("buildings_surveyed", gettext_lazy("已排查完"), value=lambda r: r.figures["buildings_surveyed"]),
    Column("premises", gettext_lazy("出租户"), value=lambda r: r.figures["premises"]),
    Column("premises_covered", gettext_lazy("已排查"), value=lambda r: r.figures["premises_covered"]),
    Column("survey_rate", gettext_lazy("排查率"), value=lambda r: r.survey_rate),
    Column("premises_never", gettext_lazy("从未上门"), value=lambda r: r.figures["premises_never"]),
    Column("premises_return", gettext_lazy("待回访"), value=lambda r: r.figures["premises_return"]),
    Column("rooms", gettext_lazy("房间"), value=lambda r: r.figures["rooms"]),
    Column("rooms_inspected", gettext_lazy("已查房间"), value=lambda r: r.figures["rooms_inspected"]),
    *[Column(f"outcome_{o.value}", o.label, value=_outcome_visits(o)) for o in VisitOutcome],
]


class CoverageView(LoginRequiredMixin, TemplateView):
    """排查进度: per area, what has been surveyed; every figure opens the list behind it."""

    request: AuthedHttpRequest
    template_name = "inspections/coverage.html"

    # django-stubs types TemplateView.get as returning an HttpResponse; a view may answer with any
    # response, here a streamed .xlsx.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if request.GET.get("export") == "xlsx":
            context = self.get_context_data()
            return xlsx_response(_("排查进度"), COVERAGE_COLUMNS, context["rows"], "coverage")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = None
        if self.request.GET.get("area", "").isdigit():
            area = get_object_or_404(Area.objects.visible_to(user), pk=self.request.GET["area"])
        rows = coverage_rows(user, area)
        context.update(rows=rows, area=area, outcomes=VisitOutcome.choices)
        return context


class TemplateListView(LoginRequiredMixin, TemplateView):
    request: AuthedHttpRequest
    template_name = "inspections/template_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["templates"] = ChecklistTemplate.objects.visible_to(self.request.user).annotate(
            n_items=Count("items")
        )
        context["can_manage"] = can(self.request.user, Action.CHANGE, ChecklistTemplate)
        return context


class TemplateDetailView(LoginRequiredMixin, View):
    """One template: its parameters (editable on a draft by the system admin) and its items."""

    def get(
        self, request: AuthedHttpRequest, pk: int, errors: dict[str, list[str]] | None = None
    ) -> HttpResponse:
        template = get_object_or_404(ChecklistTemplate.objects.visible_to(request.user), pk=pk)
        return render(
            request,
            "inspections/template_detail.html",
            {
                "template": template,
                "items": template.items.all(),
                "can_manage": can(request.user, Action.CHANGE, ChecklistTemplate),
                "errors": errors or {},
            },
            status=400 if errors else 200,
        )

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        template = get_object_or_404(ChecklistTemplate.objects.visible_to(request.user), pk=pk)
        action = request.POST.get("action")
        try:
            if action == "new_version":
                draft = services.create_template_version(
                    template, code=request.POST.get("code", "").strip(), actor=request.user
                )
                return redirect("inspections:template_detail", pk=draft.pk)
            if action == "parameters":
                values = {k[len("param-") :]: v for k, v in request.POST.items() if k.startswith("param-")}
                services.update_template_parameters(template, values, actor=request.user)
                messages.success(request, _("参数已保存。"))
            elif action == "publish":
                services.publish_template(template, actor=request.user)
                messages.success(request, _("已发布，新的检查将使用此版本。"))
        except ValidationError as exc:
            return self.get(
                request,
                pk,
                errors=exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages},
            )
        return redirect(reverse("inspections:template_detail", args=[pk]))


def inspection_context(premises: Premises, user: User) -> dict[str, Any]:
    """The inspections part of a premises page: start a visit, hazards by bucket, past visits."""
    hazards = Hazard.objects.visible_to(user).filter(premises=premises)
    counts = dict(hazards.order_by().values_list("status").annotate(n=Count("id")))
    buckets = [
        {"code": b.value, "label": b.label, "count": sum(counts.get(s, 0) for s in BUCKET_STATUSES[b])}
        for b in HazardBucket
    ]
    can_inspect = can(user, Action.ADD, Inspection)
    return {
        "can_inspect": can_inspect,
        "new_client_uuid": uuid.uuid4(),
        "inspection_kinds": InspectionKind.choices,
        # A joint inspection lists its departments; a department officer's own is always one of them.
        "departments": list(Department.objects.visible_to(user)) if can_inspect else [],
        "own_department_id": user.department_id,
        "hazard_buckets": buckets,
        "open_hazards": hazards.filter(status__in=OPEN_STATUSES).select_related("item")[:50],
        "inspections": Inspection.objects.visible_to(user).filter(premises=premises)[:20],
    }


@extend_schema(exclude=True)
class PhotoFileView(APIView):
    """A photo or its thumbnail, only for users whose scope covers the inspection it belongs to.

    A REST view so that API clients with a token can fetch the URLs the API gives them, as the web
    pages do with their session.
    """

    permission_classes = [IsAuthenticated]

    def get(self, request: Request, pk: int, variant: str) -> FileResponse:
        if not isinstance(request.user, User):  # IsAuthenticated lets in signed-in users only
            raise NotAuthenticated
        photo = get_object_or_404(Photo.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


class PremisesQRCodeView(LoginRequiredMixin, View):
    """The premises' QR code (SVG) to print and stick by the door: scanning it opens the premises page,
    where an inspection starts with one tap."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
        url = request.build_absolute_uri(reverse("inspections:premises_scan", args=[premises.pk]))
        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, title=str(premises))
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class PremisesScanView(LoginRequiredMixin, View):
    """Where a scanned QR code lands: the premises page, if it is in the user's scope (else 404)."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
        return redirect(f"{reverse('registry:premises_detail', args=[premises.pk])}#start")
