"""Enforcement steps with attachments, and the district's escalation ladder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.core.permissions import Action, can
from firegrid.core.responses import uploaded_file_response
from firegrid.core.views import add_errors
from firegrid.registry.models import Premises

from .. import services
from ..forms import EnforcementForm, LadderForm
from ..models import (
    EnforcementAction,
    EnforcementAttachment,
    EscalationStep,
    Plan,
)

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

LadderSteps = dict[str, EscalationStep]


class EnforcementCreateView(LoginRequiredMixin, FormView):
    """Record an enforcement step (with attachments) on a plan, or on any premises (department officers
    act on premises without a plan too); a premises' open plan is the one it belongs to."""

    template_name = "rectification/enforcement_form.html"
    form_class = EnforcementForm
    request: AuthedHttpRequest
    plan: Plan | None
    premises: Premises

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        if "pk" in kwargs:
            self.plan = get_object_or_404(
                Plan.objects.visible_to(user).select_related("premises__building"), pk=kwargs["pk"]
            )
            self.premises = self.plan.premises
        else:
            self.premises = get_object_or_404(
                Premises.objects.visible_to(user).select_related("building"), pk=kwargs["premises"]
            )
            self.plan = Plan.objects.visible_to(user).open().filter(premises=self.premises).first()
        if not can(user, Action.ADD, EnforcementAction):
            raise PermissionDenied(_("您的角色无权记录执法措施。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def back_url(self) -> str:
        if self.plan is not None:
            return self.plan.get_absolute_url()
        return reverse("registry:premises_detail", args=[self.premises.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(premises=self.premises, plan=self.plan, cancel_url=self.back_url())
        return context

    def form_valid(self, form: EnforcementForm) -> HttpResponse:
        try:
            action = services.record_enforcement(
                self.premises,
                form.service_data(),
                actor=self.request.user,
                plan=self.plan,
                attachments=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已记录执法措施：%(action)s") % {"action": action})
        return redirect(self.back_url())


class EnforcementAttachmentView(LoginRequiredMixin, View):
    def get(self, request: AuthedHttpRequest, pk: int) -> FileResponse:
        actions = EnforcementAction.objects.visible_to(request.user)
        attachment = get_object_or_404(EnforcementAttachment.objects.filter(action__in=actions), pk=pk)
        return uploaded_file_response(attachment.file, attachment.name, max_age=3600)


class LadderView(LoginRequiredMixin, View):
    """逾期处置阶梯: after how many days overdue the nightly run escalates a plan and then moves it into
    enforcement. The command reads it; the system administrator sets it (the role table)."""

    template_name = "rectification/ladder.html"

    def setup_district(self, request: AuthedHttpRequest) -> tuple[list[Area], Area, LadderSteps]:
        if not can(request.user, Action.VIEW, EscalationStep):
            raise PermissionDenied(_("您的角色无权查看逾期处置阶梯。"))
        districts = list(Area.objects.visible_to(request.user).filter(level=AreaLevel.DISTRICT))
        if not districts:
            raise Http404(_("尚未建立区。"))
        chosen = request.GET.get("district") or request.POST.get("district")
        district = next((d for d in districts if str(d.pk) == chosen), districts[0])
        steps = {
            s.move: s
            for s in EscalationStep.objects.visible_to(request.user)
            .filter(district=district)
            .prefetch_related("departments")
        }
        return districts, district, steps

    def render_page(
        self,
        request: AuthedHttpRequest,
        districts: list[Area],
        district: Area,
        steps: LadderSteps,
        form: LadderForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        can_edit = can(request.user, Action.CHANGE, EscalationStep)
        if can_edit and form is None:
            form = LadderForm(steps=steps)
        return render(
            request,
            self.template_name,
            {
                "districts": districts,
                "district": district,
                "steps": sorted(steps.values(), key=lambda s: s.days_overdue),
                "form": form if can_edit else None,
            },
            status=status,
        )

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self.render_page(request, *self.setup_district(request))

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        districts, district, steps = self.setup_district(request)
        if not can(request.user, Action.CHANGE, EscalationStep):
            raise PermissionDenied(_("您的角色无权设置逾期处置阶梯。"))
        form = LadderForm(request.POST, steps=steps)
        if form.is_valid():
            try:
                services.save_escalation_ladder(district, form.service_rungs(), actor=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("逾期处置阶梯已保存。"))
                return redirect(f"{reverse('rectification:ladder')}?district={district.pk}")
        return self.render_page(request, districts, district, steps, form=form, status=400)
