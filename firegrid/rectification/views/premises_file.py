"""The premises file page (一户一档), its notes, and the whole file as one PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response
from firegrid.registry.models import Premises

from .. import premises_file
from ..models import Plan, PremisesNote

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("备注内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(
        label=gettext_lazy("房东可见"),
        required=False,
        help_text=gettext_lazy("不勾选时仅工作人员可见。"),
    )


def visible_premises(user: User, pk: int) -> Premises:
    """The premises if the user may view it; 404 otherwise (out of scope looks like not there)."""
    return get_object_or_404(
        Premises.objects.visible_to(user, Action.VIEW).select_related("building__grid", "landlord"), pk=pk
    )


def page_number(value: str | None) -> int:
    try:
        return max(1, int(value or ""))
    except (TypeError, ValueError):
        return 1


class PremisesFileView(LoginRequiredMixin, TemplateView):
    """The whole story of one premises, newest first, a page at a time (htmx "load more")."""

    template_name = "rectification/premises_file.html"
    fragment_template = "rectification/_timeline_page.html"
    request: AuthedHttpRequest
    premises: Premises

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.premises = visible_premises(self.request.user, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_template_names(self) -> list[str]:
        return [self.fragment_template if self.request.htmx else self.template_name]

    def get_context_data(self, note_form: NoteForm | None = None, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, premises = self.request.user, self.premises
        page = premises_file.timeline(premises, user, page=page_number(self.request.GET.get("page")))
        base = reverse("rectification:premises_file", args=[premises.pk])
        last_day = timezone.localtime(page.entries[-1].time).date().isoformat() if page.entries else ""
        context.update(
            premises=premises,
            page=page,
            # A date header is not repeated at the top of the next page when its day goes on there.
            prev_day=self.request.GET.get("day", ""),
            more_url=f"{base}?page={page.number + 1}&day={last_day}",
            next_url=f"{base}?page={page.number + 1}",
            previous_url=f"{base}?page={page.number - 1}" if page.number > 2 else base,
        )
        if not self.request.htmx:
            can_add_note = can(user, Action.ADD, PremisesNote)
            plan = None
            if can(user, Action.VIEW, Plan):
                plan = (
                    Plan.objects.visible_to(user)
                    .filter(premises=premises)
                    .order_by("-created_at", "-pk")
                    .first()
                )
            context.update(
                plan=plan,
                detail_url=reverse("registry:premises_detail", args=[premises.pk]),
                pdf_url=reverse("rectification:premises_dossier", args=[premises.pk]),
                note_url=reverse("rectification:premises_file_note", args=[premises.pk]),
                note_form=(note_form or NoteForm()) if can_add_note else None,
                can_export=can(user, Action.EXPORT, Premises),
            )
        return context


class PremisesNoteView(LoginRequiredMixin, View):
    """POST: add a note to the premises' file."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        premises = visible_premises(request.user, pk)
        if not can(request.user, Action.ADD, PremisesNote):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                premises_file.add_note(
                    premises,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    public=form.cleaned_data["public"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("备注已记入档案。"))
                return redirect("rectification:premises_file", pk=premises.pk)
        view = PremisesFileView(request=request, kwargs={"pk": pk}, args=())
        view.premises = premises
        response = view.render_to_response(view.get_context_data(note_form=form))
        response.status_code = 400
        return response


class PremisesDossierView(LoginRequiredMixin, View):
    """The whole premises file as one printable PDF (the most recent entries, see DOSSIER_LIMIT)."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        premises = visible_premises(request.user, pk)
        if not can(request.user, Action.EXPORT, Premises):
            raise PermissionDenied(_("您的角色无权导出此档案。"))
        # Imported here: WeasyPrint and its libraries load only in processes that print.
        from firegrid.core.pdf import render_document

        content = premises_file.dossier_content(premises, request.user)
        return pdf_response(render_document(content), f"一户一档-{premises.pk}.pdf")
