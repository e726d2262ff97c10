"""Job pages: the system admin's list of runs (with retry), and the progress a page polls."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from firegrid.core.http import AuthedHttpRequest

from . import services
from .models import JobRun, JobStatus, is_system_admin
from .registry import registry

# Status tag colours (the stylesheet's tag classes).
STATUS_TAG = {
    JobStatus.DONE: "create",
    JobStatus.FAILED: "delete",
    JobStatus.RUNNING: "warn",
    JobStatus.QUEUED: "warn",
}


class SystemAdminMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not is_system_admin(request.user):
            raise PermissionDenied(_("只有系统管理员可以查看后台任务。"))
        return super().dispatch(request, *args, **kwargs)


class JobRunListView(SystemAdminMixin, ListView):
    """后台任务: recent runs with status, progress and error; the registered jobs and their schedules."""

    template_name = "jobs/jobrun_list.html"
    context_object_name = "runs"

    def get_paginate_by(self, queryset: QuerySet[JobRun]) -> int:
        return settings.FIREGRID_PAGE_SIZE

    def get_queryset(self) -> QuerySet[JobRun]:
        qs = JobRun.objects.select_related("created_by")
        status = self.request.GET.get("status")
        if status in JobStatus.values:
            qs = qs.filter(status=status)
        if name := self.request.GET.get("name"):
            qs = qs.filter(name=name)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for run in context["runs"]:
            run.tag = STATUS_TAG.get(run.status, "")
            run.stale = services.is_stale(run, now)
        context["jobs"] = [
            {"job": job, "due": job.schedule.due_slot(now) if job.schedule else None}
            for job in registry.all()
        ]
        context["statuses"] = JobStatus.choices
        context["status"] = self.request.GET.get("status", "")
        context["name"] = self.request.GET.get("name", "")
        context["backend"] = services.backend()
        return context


class ProgressView(LoginRequiredMixin, View):
    """JSON a page polls while a run it started works: {status, done, total, message, …}.

    Only the user who started the run and the system admin see it; anyone else gets 404.
    """

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        run = get_object_or_404(JobRun.objects.for_user(request.user), pk=pk)
        return JsonResponse(
            {
                "id": run.pk,
                "name": run.name,
                "status": run.status,
                "status_display": run.get_status_display(),
                "done": run.progress_done,
                "total": run.progress_total,
                "percent": run.percent,
                "message": run.message,
                "finished": run.finished,
                "result": run.result if run.status == JobStatus.DONE else None,
            }
        )


class RetryView(SystemAdminMixin, View):
    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(JobRun, pk=pk)
        try:
            services.retry(run, actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("任务已重新排队。"))
        return redirect("jobs:run_list")
