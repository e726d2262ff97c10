"""Ledger import pages (台账导入): landing with templates and recent jobs, upload, column mapping, the
dry-run report, commit, and the job page whose progress htmx polls every second.

Only users who may add and change the records of a kind see these pages (403 otherwise); a job is
its uploader's (another user's job is 404, a system admin sees all)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.models import User
from firegrid.core.http import AuthedHttpRequest

from .ledger import services as ledger
from .ledger.choices import MAPPABLE_STATES, RUNNING_STATES, ImportKind, ImportStatus
from .ledger.fields import KIND_FIELDS, requirement_label
from .ledger.forms import MappingForm, UploadForm, ValueMappingForm
from .ledger.messages import render as render_message
from .ledger.report import XLSX, problem_report_response, template_workbook
from .ledger.value_map import VALUE_LIMIT
from .models import Building, ImportJob, Landlord, Premises, Room, TenantHousehold

RECENT_JOBS = 20
# Status tag colours (the stylesheet's tag classes).
STATUS_TAG: dict[str, str] = {
    ImportStatus.COMMITTED: "create",
    ImportStatus.FAILED: "delete",
    ImportStatus.VALIDATING: "warn",
    ImportStatus.COMMITTING: "warn",
}
# What each count in a job's result is about, in display order.
TARGETS = [
    ("premises", Premises, "registry:premises_list"),
    ("building", Building, "registry:building_list"),
    ("landlord", Landlord, "registry:landlord_list"),
    ("room", Room, "registry:room_list"),
    ("tenant_household", TenantHousehold, "registry:tenanthousehold_list"),
]


class LedgerMixin(LoginRequiredMixin, View):
    """Signed in, and allowed to import at least one kind of ledger. (Pages over TemplateView say
    `request: AuthedHttpRequest` again: TemplateResponseMixin declares its own `request`.)"""

    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if isinstance(request.user, User) and not ledger.importable_kinds(request.user):
            raise PermissionDenied(_("您的角色无权导入台账。"))
        return super().dispatch(request, *args, **kwargs)

    def get_job(self) -> ImportJob:
        job = get_object_or_404(ImportJob.objects.for_user(self.request.user), pk=self.kwargs["pk"])
        if not ledger.can_import(self.request.user, job.kind):
            raise PermissionDenied(_("您的角色无权导入此类台账。"))
        return job


class LedgerHomeView(LedgerMixin, TemplateView):
    """台账导入: pick a kind, download its template, upload a ledger; the user's recent jobs."""

    request: AuthedHttpRequest
    template_name = "registry/ledger/home.html"

    def get_context_data(self, form: UploadForm | None = None, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        allowed = ledger.importable_kinds(user)
        context["kinds"] = [
            {
                "value": kind,
                "label": label,
                "template_url": reverse("registry:ledger_template", args=[kind]),
                "required": [requirement_label(kind, f) for f in KIND_FIELDS[kind] if f.required],
            }
            for kind, label in ImportKind.choices
            if kind in allowed
        ]
        initial = {"kind": self.request.GET.get("kind")} if self.request.GET.get("kind") in allowed else {}
        context["form"] = form or UploadForm(user=user, initial=initial)
        # Any: each job also carries its status tag's colour for the list.
        recent: list[Any] = list(ImportJob.objects.for_user(user).filter(created_by=user)[:RECENT_JOBS])
        for job in recent:
            job.tag = STATUS_TAG.get(job.status, "")
        context["jobs"] = recent
        return context

    def post(self, request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                job = ledger.create_import_job(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    area=form.cleaned_data.get("area"),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_error(None, exc)  # a named field of the form (the area)
                else:
                    form.add_error("file", exc.messages)
            else:
                return redirect("registry:ledger_mapping", pk=job.pk)
        return self.render_to_response(self.get_context_data(form=form), status=200)


class TemplateDownloadView(LedgerMixin, View):
    def get(self, request: AuthedHttpRequest, kind: str) -> HttpResponse:
        if kind not in ImportKind.values:
            raise Http404
        if not ledger.can_import(request.user, kind):
            raise PermissionDenied(_("您的角色无权导入此类台账。"))
        label = ImportKind(kind).label
        response = HttpResponse(template_workbook(kind), content_type=XLSX)
        filename = _("%(kind)s台账模板.xlsx") % {"kind": str(label).split("（")[0]}
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class MappingView(LedgerMixin, TemplateView):
    """Confirm or correct which Firegrid field each column of the sheet holds, then check the file."""

    request: AuthedHttpRequest
    template_name = "registry/ledger/mapping.html"
    job: ImportJob

    def get_context_data(self, form: MappingForm | None = None, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.job
        context.update(
            job=job,
            form=form or MappingForm(job=job, user=self.request.user),
            sheets=self._sheets(job),
            editable=job.status in MAPPABLE_STATES,
        )
        return context

    @staticmethod
    def _sheets(job: ImportJob) -> list[str]:
        return (job.mapping or {}).get("sheets") or ([job.sheet_name] if job.sheet_name else [])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.job = self.get_job()
        return super().get(request, *args, **kwargs)

    def post(self, request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.job = job = self.get_job()
        if job.status not in MAPPABLE_STATES:
            messages.error(request, _("该台账已在处理或已导入，不能再修改列对应关系。"))
            return redirect("registry:ledger_job", pk=job.pk)
        if "reread" in request.POST:
            header_row = request.POST.get("header_row", "")
            try:
                ledger.reread_header(
                    job,
                    actor=request.user,
                    sheet=request.POST.get("sheet", job.sheet_name),
                    header_row=int(header_row) if header_row.isdigit() and int(header_row) > 0 else None,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("registry:ledger_mapping", pk=job.pk)
        form = MappingForm(request.POST, job=job, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            job = ledger.confirm_mapping(
                job,
                actor=request.user,
                columns=form.columns(),
                default_grid=form.cleaned_data.get("default_grid"),
                remember=form.cleaned_data.get("remember", False),
                publish=form.cleaned_data.get("publish", False),
            )
            if ledger.needs_values(job):
                # The sheet's own words for areas and choices are confirmed next (issue 13, item 2).
                return redirect("registry:ledger_values", pk=job.pk)
            ledger.start_validation(job, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("registry:ledger_job", pk=job.pk)


class ValuesView(LedgerMixin, TemplateView):
    """Confirm what the sheet's own area names and choice words stand for (each distinct value, its row
    count and the proposal), then check the file."""

    request: AuthedHttpRequest
    template_name = "registry/ledger/values.html"
    job: ImportJob

    def get_context_data(self, form: ValueMappingForm | None = None, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = form or ValueMappingForm(job=self.job, user=self.request.user)
        context.update(job=self.job, form=form, groups=list(form.group_rows()), limit=VALUE_LIMIT)
        return context

    def _job(self) -> ImportJob | None:
        job = self.get_job()
        if job.status == ImportStatus.UPLOADED or job.status not in MAPPABLE_STATES:
            return None
        return job

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self._job()
        if job is None:
            return redirect("registry:ledger_mapping", pk=self.kwargs["pk"])
        self.job = job
        return super().get(request, *args, **kwargs)

    def post(self, request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self._job()
        if job is None:
            messages.error(request, _("请先确认列对应关系；正在检查或已导入的台账不能再修改。"))
            return redirect("registry:ledger_mapping", pk=self.kwargs["pk"])
        self.job = job
        form = ValueMappingForm(request.POST, job=job, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            ledger.confirm_values(
                job,
                actor=request.user,
                values=form.values(),
                remember=form.cleaned_data.get("remember", False),
                publish=form.cleaned_data.get("publish", False),
            )
            ledger.start_validation(job, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("registry:ledger_job", pk=job.pk)


class JobView(LedgerMixin, TemplateView):
    """A job: progress while it runs, then the dry-run report (and the commit button) or the result."""

    request: AuthedHttpRequest
    template_name = "registry/ledger/job.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        context.update(job_context(job))
        return context


def job_context(job: ImportJob) -> dict[str, Any]:
    done, total = ledger.job_progress(job)
    counts = []
    for target, model, list_url in TARGETS:
        if target in (job.counts or {}):
            counts.append({"label": model._meta.verbose_name, "url": reverse(list_url), **job.counts[target]})
    running = job.status in RUNNING_STATES
    return {
        "job": job,
        "tag": STATUS_TAG.get(job.status, ""),
        "running": running,
        "done": done,
        "total": total,
        "percent": min(100, int(done * 100 / total)) if total else 0,
        "counts": counts,
        # Stored as msgids with parameters: shown in the language of whoever opens the job.
        "problems": [{**p, "message": render_message(p.get("message"))} for p in job.report or []],
        "more_problems": max(0, job.error_count + job.warning_count - len(job.report or [])),
        "can_commit": job.status == ImportStatus.VALIDATED and job.error_count == 0,
        "can_remap": job.status in MAPPABLE_STATES,
        "notes": ledger.job_notes(job),
        "stale": ledger.is_stale(job),
    }


class ProgressView(LedgerMixin, View):
    """The progress fragment htmx polls; once the job has finished it asks the page to reload."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        job = self.get_job()
        if job.status not in RUNNING_STATES:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return render(request, "registry/ledger/_progress.html", job_context(job))


class ValidateView(LedgerMixin, View):
    """Check the file again (after an interruption, or after the registry changed)."""

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        job = self.get_job()
        try:
            ledger.start_validation(job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("registry:ledger_job", pk=job.pk)


class CommitView(LedgerMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        job = self.get_job()
        try:
            ledger.start_commit(job, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("registry:ledger_job", pk=job.pk)


class ReportView(LedgerMixin, View):
    """The problem report: the ledger as uploaded plus an 错误 column, and a sheet listing every problem."""

    def get(self, request: AuthedHttpRequest, pk: int) -> FileResponse:
        return problem_report_response(self.get_job())
