"""The landlord portal's pages: sign-in with a code sent by SMS, sign-out, the landlord's home with their
premises and plans, and the plan page (the QR code on every notice leads there) where the landlord
signs the pledge, uploads after-photos per hazard, asks for the recheck and downloads the documents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.choices import Role
from firegrid.core.responses import pdf_response
from firegrid.core.tables import join_sentences
from firegrid.inspections.choices import CLOSED_STATUSES
from firegrid.inspections.models import Photo
from firegrid.rectification import documents as rectification_documents
from firegrid.rectification import services as rectification
from firegrid.rectification.choices import (
    PROOF_STATES,
    DocumentKind,
    DocumentStatus,
    MoveName,
    PlanState,
)
from firegrid.rectification.machine import moves_for
from firegrid.rectification.models import Document, Plan, PlanItem, ProofPhoto
from firegrid.registry.models import Premises

from . import services
from .deadlines import countdown, nearest_deadline, with_open_deadline
from .forms import PledgeForm, PortalLoginForm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy the deployment sets REMOTE_ADDR properly (as for the login log, core/signals.py).
    return request.META.get("REMOTE_ADDR") or None


def is_portal_user(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.role == Role.LANDLORD


def _show(row: Model, **values: Any) -> None:
    """Give a fetched row what its template shows beside its fields (headline, countdown, photos …)."""
    for name, value in values.items():
        setattr(row, name, value)


class LoginView(View):
    """手机号 + 短信验证码. One form, two buttons: 获取验证码 (action=send) and 登录 (action=login)."""

    template_name = "portal/login.html"

    def next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        # Contractors sign in here too; their page is their bookings.
        if self.request.user.is_authenticated and self.request.user.role == Role.CONTRACTOR:
            return reverse("outreach:my_bookings")
        return reverse("portal:home")

    def render(self, form: PortalLoginForm, **context: Any) -> HttpResponse:
        context.update(form=form, next=self.request.POST.get("next") or self.request.GET.get("next", ""))
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        if is_portal_user(request.user) or (
            request.user.is_authenticated and request.user.role == Role.CONTRACTOR
        ):
            return redirect(self.next_url())
        return self.render(PortalLoginForm(), wait=0)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PortalLoginForm(request.POST)
        form.is_valid()  # free-text fields: binds cleaned_data so the services' errors can be added
        mobile, code = form.cleaned_data.get("mobile", ""), form.cleaned_data.get("code", "")
        context: dict[str, Any] = {}
        if request.POST.get("action") == "send":
            try:
                sent = services.request_code(mobile, ip=client_ip(request))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                context["sent"] = sent
                context["code_minutes"] = round(services.code_ttl().total_seconds() / 60)
                form = PortalLoginForm(
                    {"mobile": sent.mobile}
                )  # normalised; a new code: the old typed one is gone
        else:
            try:
                services.verify_code(mobile, code, ip=client_ip(request), request=request)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(self.next_url())
        context["wait"] = services.resend_wait(mobile) if mobile else 0
        return self.render(form, **context)


class LogoutView(auth_views.LogoutView):
    # Django resolves a lazy URL here; the stubs allow a plain str only.
    next_page = reverse_lazy("portal:login")  # type: ignore[assignment]


class PortalMixin(LoginRequiredMixin):
    """Pages of the portal: signed-in landlords only (others are sent to sign in, or refused)."""

    login_url = reverse_lazy("portal:login")
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not is_portal_user(request.user):
            raise PermissionDenied(_("房东服务仅供房东使用，工作人员请从工作台进入。"))
        return super().dispatch(request, *args, **kwargs)


class HomeView(PortalMixin, TemplateView):
    """The landlord's home: each of their premises with its open plan as a card (state, countdown,
    hazards, the way to the plan page), and the plans that have ended below."""

    template_name = "portal/home.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        premises = list(Premises.objects.visible_to(user).select_related("building__grid"))
        plans = list(
            with_open_deadline(Plan.objects.visible_to(user))
            .select_related("premises__building")
            .annotate(hazard_count=Count("items"))
            .order_by("deadline", "pk")
        )
        open_plans: defaultdict[int, list[Plan]] = defaultdict(list)
        for plan in plans:
            describe(plan)
            if not plan.is_closed:
                open_plans[plan.premises_id].append(plan)
        for p in premises:
            _show(p, open_plans=open_plans.get(p.pk, []))
        closed = sorted(
            (plan for plan in plans if plan.is_closed),
            key=lambda plan: (plan.closed_at or plan.updated_at, plan.pk),
            reverse=True,
        )
        context.update(premises=premises, closed_plans=closed, nearest=nearest_deadline(user))
        return context


# --- rectification: the landlord's side of the plan -------------------------------------------------------

# Each state in the landlord's words: a headline and what to do next.
STATE_WORDS = {
    PlanState.DRAFT: (
        gettext_lazy("整改方案正在制定中"),
        gettext_lazy("社区工作人员正在制定整改方案。整改通知送达后，您可以在这里查看整改要求。"),
    ),
    PlanState.NOTIFIED: (
        gettext_lazy("整改通知已送达，请签署承诺书"),
        gettext_lazy("请先阅读并签署下方的整改承诺书，然后按以下措施整改，完成后上传照片并申请复查。"),
    ),
    PlanState.RECTIFYING: (
        gettext_lazy("正在整改"),
        gettext_lazy("请按以下措施整改，完成后上传照片并申请复查。"),
    ),
    PlanState.RECHECK_REQUESTED: (
        gettext_lazy("已申请复查，等待上门复查"),
        gettext_lazy("工作人员会尽快上门复查。复查合格即验收结案；仍有隐患的，会给出新的整改期限。"),
    ),
    PlanState.ACCEPTED: (
        gettext_lazy("整改已验收合格"),
        gettext_lazy("本次整改已结束，感谢您的配合！验收单可在下方“文书”中查看。"),
    ),
    PlanState.OVERDUE: (
        gettext_lazy("已超过整改期限"),
        gettext_lazy("请立即按以下措施整改并上传整改照片，同时联系社区工作人员说明情况。"),
    ),
    PlanState.ESCALATED: (
        gettext_lazy("逾期未整改，已提交联合处置"),
        gettext_lazy("请立即按以下措施整改并联系社区工作人员，以免受到处罚。"),
    ),
    PlanState.ENFORCEMENT: (
        gettext_lazy("逾期未整改，已转入执法程序"),
        gettext_lazy("请立即按以下措施整改，并配合执法部门处理。"),
    ),
    PlanState.CANCELLED: (
        gettext_lazy("整改方案已撤销"),
        gettext_lazy("本次整改方案已撤销，无需再按此方案整改。"),
    ),
}


def plan_url(plan: Plan) -> str:
    """The plan's page in the portal: the same path as the QR code on its documents
    (firegrid.rectification.documents.landlord_url)."""
    return reverse("portal:plan", args=[plan.public_key])


def describe(plan: Plan, *, deadline: dt.date | None = None) -> Plan:
    """Give the plan what its card and page show: headline, next step, countdown (to `deadline`, its
    nearest open item deadline, else the `open_deadline` annotation of `with_open_deadline`), portal URL."""
    headline, next_step = STATE_WORDS[PlanState(plan.state)]
    deadline = deadline or getattr(plan, "open_deadline", None)
    _show(
        plan,
        headline=headline,
        next_step=next_step,
        countdown=countdown(plan, deadline=deadline),
        # Shown beside the plan's own deadline when an item is due earlier (what the countdown counts to).
        earlier_deadline=deadline if deadline and deadline < plan.deadline else None,
        portal_url=plan_url(plan),
    )
    return plan


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


class PlanMixin(PortalMixin):
    """A plan of the signed-in landlord, found by its public key; anyone else's is not found (404)."""

    request: AuthedHttpRequest
    kwargs: dict[str, Any]

    def get_plan(self) -> Plan:
        plan = (
            Plan.objects.visible_to(self.request.user)
            .select_related("premises__building__grid", "landlord", "officer")
            .filter(public_key=self.kwargs["key"])
            .first()
        )
        if plan is None:
            raise Http404(_("没有找到该整改方案。"))
        return plan


class PlanView(PlanMixin, View):
    """整改方案 for the landlord: what to fix, how and by when, with their proof, pledge, documents and
    history, and the step they can take now. The POST views below render it again with their errors."""

    template_name = "portal/plan.html"
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # An officer scanning the QR code on a notice is taken to the plan's staff page when it is theirs.
        user = request.user
        if user.is_authenticated and not is_portal_user(user) and request.method == "GET":
            staff_plan = Plan.objects.visible_to(user).filter(public_key=kwargs["key"]).first()
            if staff_plan is not None:
                return redirect(staff_plan.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest, key: str) -> HttpResponse:
        return self.render_page(self.get_plan())

    def render_page(
        self,
        plan: Plan,
        *,
        status: int = 200,
        pledge_form: PledgeForm | None = None,
        pledge_errors: Iterable[str] = (),
        item_errors: dict[int, list[str]] | None = None,
        recheck_errors: Iterable[str] = (),
    ) -> HttpResponse:
        user = self.request.user
        items = list(plan.items.select_related("hazard__item").order_by("deadline", "pk"))
        open_deadlines = [i.deadline for i in items if i.hazard.status not in CLOSED_STATUSES]
        describe(plan, deadline=min(open_deadlines, default=None))
        answer_ids = [i.hazard.answer_id for i in items if i.hazard.answer_id]
        evidence: defaultdict[int | None, list[Photo]] = defaultdict(list)
        for photo in (
            Photo.objects.visible_to(user).filter(answer_id__in=answer_ids).order_by("uploaded_at", "pk")
        ):
            evidence[photo.answer_id].append(photo)
        proofs: defaultdict[int, list[ProofPhoto]] = defaultdict(list)
        for proof in (
            ProofPhoto.objects.visible_to(user).filter(item__plan=plan).order_by("uploaded_at", "pk")
        ):
            proofs[proof.item_id].append(proof)
        may_upload = plan.state in PROOF_STATES
        without_proof: list[PlanItem] = []
        for item in items:
            answer_id = item.hazard.answer_id
            item_proofs = proofs.get(item.pk, [])
            can_upload = may_upload and item.hazard.status not in CLOSED_STATUSES
            _show(
                item,
                evidence=evidence.get(answer_id, []) if answer_id else [],
                proofs=item_proofs,
                errors=(item_errors or {}).get(item.pk, []),
                can_upload=can_upload,
            )
            if can_upload and not item_proofs:
                without_proof.append(item)
        docs = list(
            Document.objects.visible_to(user)
            .filter(plan=plan, status=DocumentStatus.ISSUED)
            .order_by("issued_at", "pk")
        )
        pledge = next((d for d in docs if d.kind == DocumentKind.PLEDGE), None)
        notice = next(
            (d for d in reversed(docs) if d.kind in (DocumentKind.NOTICE, DocumentKind.ORDER)), None
        )
        can_sign = pledge is None and not plan.is_closed and plan.state != PlanState.DRAFT
        can_request_recheck = any(m.name == MoveName.REQUEST_RECHECK for m in moves_for(plan.state, user))
        context = {
            "plan": plan,
            "premises": plan.premises,
            "items": items,
            "documents": docs,
            "pledge": pledge,
            "notice": notice,
            "can_sign": can_sign,
            "pledge_form": pledge_form or PledgeForm(),
            "pledge_errors": list(pledge_errors),
            "can_request_recheck": can_request_recheck,
            "recheck_errors": list(recheck_errors),
            "items_without_proof": without_proof,
            "booking_url": self.booking_url(plan),
            "history": plan.moves.order_by("time", "pk"),
        }
        return render(self.request, self.template_name, context, status=status)

    def booking_url(self, plan: Plan) -> str:
        """预约施工 (the portal's booking page, firegrid/portal/bookings.py) while there is work to book."""
        if plan.state not in PROOF_STATES:
            return ""
        return reverse("portal:plan_book", args=[plan.public_key])


class PledgeView(PlanView):
    """签署承诺书: the typed name must be the landlord's; the time and the address are kept."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, key: str) -> HttpResponse:
        plan = self.get_plan()
        form = PledgeForm(request.POST)
        form.is_valid()  # a free-text field: binds cleaned_data so the service's errors can be added
        try:
            rectification.sign_pledge(
                plan, actor=request.user, name=form.cleaned_data["signed_name"], ip=client_ip(request)
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "signed_name" in exc.error_dict:
                form.add_error("signed_name", exc.error_dict["signed_name"])
                return self.render_page(self.get_plan(), status=400, pledge_form=form)
            return self.render_page(
                self.get_plan(), status=400, pledge_form=form, pledge_errors=_messages_of(exc)
            )
        messages.success(request, _("已签署承诺书。请按整改措施整改，完成后上传照片并申请复查。"))
        return redirect(f"{plan_url(plan)}#pledge")


class ProofUploadView(PlanView):
    """上传整改照片 for one hazard. Each photo is checked on its own: a refused one is named on that hazard
    with the reason, and the ones that passed are kept."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, key: str, item: int) -> HttpResponse:
        plan = self.get_plan()
        plan_item = get_object_or_404(plan.items.select_related("hazard__item"), pk=item)
        uploads = request.FILES.getlist("image")
        if not uploads:
            return self.render_page(plan, status=400, item_errors={plan_item.pk: [_("请选择或拍摄照片。")]})
        saved = 0
        errors: list[str] = []
        for upload in uploads:
            try:
                rectification.add_proof_photo(plan_item, upload, actor=request.user)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "image" in exc.error_dict:
                    # The plan does not take photos now (ended, or the recheck asked for): once is enough.
                    errors = exc.message_dict["image"]
                    break
                errors.append(
                    _("%(file)s：%(reason)s") % {"file": upload.name, "reason": join_sentences(exc.messages)}
                )
            else:
                saved += 1
        if saved:
            messages.success(
                request,
                ngettext(
                    "已上传 %(n)s 张整改照片：%(item)s",
                    "已上传 %(n)s 张整改照片：%(item)s",
                    saved,
                )
                % {"n": saved, "item": plan_item.hazard.item.display_title},
            )
        if errors:
            return self.render_page(self.get_plan(), status=400, item_errors={plan_item.pk: errors})
        return redirect(f"{plan_url(plan)}#item-{plan_item.pk}")


class RecheckView(PlanView):
    """申请复查: the plan goes to the officers for a visit (rectification.services.request_recheck)."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, key: str) -> HttpResponse:
        plan = self.get_plan()
        try:
            rectification.request_recheck(plan, actor=request.user)
        except ValidationError as exc:
            return self.render_page(self.get_plan(), status=400, recheck_errors=_messages_of(exc))
        messages.success(request, _("已申请复查，工作人员会尽快上门复查。"))
        return redirect(plan_url(plan))


class DocumentPdfView(PortalMixin, View):
    """A document of the landlord's plan as PDF: the frozen file, the same as the printed one."""

    request: AuthedHttpRequest

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
        data = rectification_documents.pdf_bytes(document)
        return pdf_response(data, f"{document.serial}.pdf", as_attachment=True, max_age=3600)
