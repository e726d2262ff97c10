"""Documents on a plan: the PDF, a corrected reissue, the landlord's proof photos, and batch printing of
the notices a list shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response, pdf_response
from firegrid.core.views import add_errors

from .. import documents, services
from ..choices import DocumentKind, DocumentStatus
from ..filters import PlanFilterSet
from ..forms import ReissueForm
from ..models import (
    Document,
    Plan,
    ProofPhoto,
)
from .plans import PlanDetailView

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class DocumentPdfView(LoginRequiredMixin, View):
    """The document's PDF, shown in the browser (print from there); the file is the frozen one."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
        return pdf_response(documents.pdf_bytes(document), f"{document.serial}.pdf", max_age=3600)


class DocumentReissueView(PlanDetailView):
    """重新出具: a corrected document from the plan as it is now; the old one is kept, marked superseded."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document.objects.visible_to(request.user).select_related("plan"), pk=pk)
        self.kwargs["pk"] = document.plan_id
        self.object = self.get_object()
        form = ReissueForm(request.POST, prefix=f"doc{document.pk}")
        if not form.is_valid():
            return self.render_again(400, bound_reissue=(document.pk, form))
        try:
            new = services.reissue_document(document, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
            return self.render_again(
                400, bound_reissue=(document.pk, form), page_errors=form.non_field_errors()
            )
        messages.success(request, _("已重新出具：%(serial)s") % {"serial": new.serial})
        return redirect(self.object.get_absolute_url())


class ProofPhotoFileView(LoginRequiredMixin, View):
    """A landlord's after-photo (or its thumbnail), only inside the user's scope."""

    def get(self, request: AuthedHttpRequest, pk: int, variant: str) -> FileResponse:
        photo = get_object_or_404(ProofPhoto.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


# --- batch printing ----------------------------------------------------------------------------------------

# A batch is one PDF to print; more than this is several batches (narrow the list by area or state).
BATCH_LIMIT = 2000
PRINT_JOB = "rectification.print_documents"


class BatchPrintView(LoginRequiredMixin, View):
    """Print the current notice of every plan the list shows (with its filters) as one PDF, made by a
    background job whose progress the next page follows."""

    def post(self, request: AuthedHttpRequest) -> HttpResponseRedirect:
        from firegrid.jobs.services import enqueue

        if not can(request.user, Action.VIEW, Document):
            raise PermissionDenied(_("您的角色无权打印文书。"))
        params = QueryDict(request.POST.get("query", ""))
        plans = PlanFilterSet(params, queryset=Plan.objects.visible_to(request.user), request=request).qs
        ids = list(
            Document.objects.visible_to(request.user)
            .filter(
                plan__in=plans.values("pk"),
                kind__in=[DocumentKind.NOTICE, DocumentKind.ORDER],
                status=DocumentStatus.ISSUED,
            )
            # Printed in the order a grid worker walks: by grid, then building, then premises.
            .order_by(
                "plan__premises__building__grid_id", "plan__premises__building_id", "plan__premises_id", "pk"
            )
            .values_list("pk", flat=True)[: BATCH_LIMIT + 1]
        )
        back = f"{reverse('rectification:plan_list')}?{params.urlencode()}"
        if not ids:
            messages.error(request, _("所列方案中没有已出具的整改通知书。"))
            return redirect(back)
        if len(ids) > BATCH_LIMIT:
            messages.error(
                request,
                _("一次最多打印 %(limit)s 份通知书，请按区域或状态缩小范围后再打印。")
                % {"limit": BATCH_LIMIT},
            )
            return redirect(back)
        run = enqueue(PRINT_JOB, params={"document_ids": ids}, actor=request.user)
        return redirect("rectification:batch_print", pk=run.pk)


class BatchPrintStatusView(LoginRequiredMixin, View):
    """The batch's progress (the page polls its own fragment) and, when done, the download."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        from firegrid.jobs.models import JobRun

        run = get_object_or_404(JobRun.objects.for_user(request.user), pk=pk, name=PRINT_JOB)
        template = "rectification/_batch_progress.html" if request.htmx else "rectification/batch_print.html"
        return render(request, template, {"run": run})


class BatchPrintFileView(LoginRequiredMixin, View):
    def get(self, request: AuthedHttpRequest, pk: int) -> FileResponse:
        from django.core.files.storage import default_storage

        from firegrid.jobs.models import JobRun, JobStatus

        run = get_object_or_404(
            JobRun.objects.for_user(request.user), pk=pk, name=PRINT_JOB, status=JobStatus.DONE
        )
        name = (run.result or {}).get("file")
        if not name or not default_storage.exists(name):
            raise Http404
        return FileResponse(
            default_storage.open(name, "rb"),
            content_type="application/pdf",
            as_attachment=False,
            filename=f"notices-{run.pk}.pdf",
        )
