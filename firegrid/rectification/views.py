"""Staff pages of rectification (整改): the plan list, making a plan from a premises, the plan page with its
items, documents, history, enforcement and the moves the user can make now, editing a plan, document
download and reissue, enforcement with attachments, and the district's escalation ladder."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.core.permissions import Action, can
from firegrid.core.responses import image_response, pdf_response
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView, add_errors
from firegrid.inspections.choices import InspectionKind
from firegrid.inspections.models import Inspection
from firegrid.registry.models import Premises

from . import documents, services
from .choices import DocumentKind, DocumentStatus, MoveName, PlanState
from .filters import PlanFilterSet
from .forms import EnforcementForm, LadderForm, MoveForm, PlanCreateForm, PlanEditForm, ReissueForm
from .machine import MOVES, moves_for
from .models import (
    Document,
    EnforcementAction,
    EnforcementAttachment,
    EscalationStep,
    Plan,
    ProofPhoto,
)

# Moves that are results, not decisions: an acceptance or recheck inspection makes the first two (the
# page links to starting one instead), the nightly run the third.
NOT_OFFERED = frozenset({MoveName.ACCEPT, MoveName.FAIL_RECHECK, MoveName.MARK_OVERDUE})

# A plan's tag takes the colour of the hazard bucket its hazards are in (待整改 red, 待复核 orange,
# 已消除 green), the colours users already know; draft and accepted have their own colours in app.css.
STATE_COLOUR_CLASSES = {
    PlanState.NOTIFIED: "in_rectification",
    PlanState.RECTIFYING: "in_rectification",
    PlanState.RECHECK_REQUESTED: "to_recheck",
    PlanState.OVERDUE: "to_fix",
    PlanState.ESCALATED: "to_fix",
    PlanState.ENFORCEMENT: "to_fix",
}


def state_tag(state: str) -> str:
    """The tag class suffix of a state: `overdue tag-to_fix` → class="tag tag-overdue tag-to_fix"."""
    colour = STATE_COLOUR_CLASSES.get(state)
    return f"{state} tag-{colour}" if colour else str(state)


def countdown(plan: Plan, today=None) -> str:
    """剩 5 天 / 今天到期 / 逾期 3 天 for an open plan; nothing once it is closed."""
    if plan.is_closed:
        return ""
    days = plan.days_left(today)
    if days > 0:
        return ngettext("剩 %(n)s 天", "剩 %(n)s 天", days) % {"n": days}
    if days == 0:
        return _("今天到期")
    return ngettext("逾期 %(n)s 天", "逾期 %(n)s 天", -days) % {"n": -days}


def deadline_text(plan: Plan) -> str:
    left = countdown(plan)
    return f"{plan.deadline:%Y-%m-%d}（{left}）" if left else f"{plan.deadline:%Y-%m-%d}"


@dataclass(frozen=True)
class StateColumn(Column):
    tag: bool = True

    def tag_value(self, obj) -> str:
        return state_tag(obj.state)


PLAN_COLUMNS = [
    Column("premises", gettext_lazy("出租户"), link=True, sort="address", value=lambda p: str(p.premises)),
    Column("landlord.name", gettext_lazy("房东")),
    Column("landlord.mobile", gettext_lazy("房东手机"), default=False),
    StateColumn("state", gettext_lazy("状态")),
    Column("deadline", gettext_lazy("整改期限"), sort="deadline", value=deadline_text),
    Column("hazard_count", gettext_lazy("隐患数"), sort="hazards", value=lambda p: p.hazard_count),
    Column("officer", gettext_lazy("责任人"), value=lambda p: str(p.officer)),
    Column("grid", gettext_lazy("网格"), value=lambda p: p.premises.building.grid.name, default=False),
    Column("campaign", gettext_lazy("专项整治行动"), value=lambda p: str(p.campaign or ""), default=False),
    Column("notified_on", gettext_lazy("通知送达日期"), default=False),
]


class PlanListView(ObjectListView):
    model = Plan
    filterset_class = PlanFilterSet
    columns = PLAN_COLUMNS
    select_related = ("premises__building__grid", "landlord", "officer", "campaign")
    template_name = "rectification/plan_list.html"


def offered_moves(plan: Plan, user) -> list:
    return [m for m in moves_for(plan.state, user) if m.name not in NOT_OFFERED]


def may_ever_make(move, user) -> bool:
    """Whether the user's role may make this move from some state (the state itself is the service's
    check, with a message naming it)."""
    return any(m.name == move.name for m in moves_for(next(iter(move.sources)), user))


class PlanDetailView(ObjectDetailView):
    """The plan page: what is to be fixed, by when, what was issued, what happened, and what to do now."""

    model = Plan
    template_name = "rectification/plan_detail.html"
    select_related = ("premises__building__grid", "landlord", "officer", "campaign")
    fields = [
        Column("premises", gettext_lazy("出租户"), value=lambda p: str(p.premises)),
        Column("landlord.name", gettext_lazy("房东")),
        Column("landlord.mobile", gettext_lazy("房东手机")),
        Column("state", gettext_lazy("状态")),
        Column("deadline", gettext_lazy("整改期限"), value=deadline_text),
        Column("notified_on", gettext_lazy("通知送达日期")),
        Column("officer", gettext_lazy("责任人"), value=lambda p: str(p.officer)),
        Column("campaign", gettext_lazy("专项整治行动"), value=lambda p: str(p.campaign or "")),
        Column(
            "escalated_to",
            gettext_lazy("联合处置部门"),
            value=lambda p: enumerate_items(p.escalated_to.all()),
        ),
        Column("note", gettext_lazy("备注")),
        Column("cancel_reason", gettext_lazy("撤销原因")),
    ]
    # Bound forms that failed, shown again with their errors and typed values (set by the POST views).
    bound_move: MoveForm | None = None
    bound_reissue: tuple[int, ReissueForm] | None = None
    page_errors: list[str] = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        move_forms = []
        for move in offered_moves(plan, user):
            if self.bound_move is not None and self.bound_move.move.name == move.name:
                move_forms.append(self.bound_move)
            else:
                move_forms.append(MoveForm(move=move, user=user, initial={"version": plan.version}))
        items = plan.items.select_related("hazard__item").prefetch_related(
            Prefetch("proof_photos", queryset=ProofPhoto.objects.visible_to(user), to_attr="proofs")
        )
        can_change = can(user, Action.CHANGE, plan)
        docs = list(Document.objects.visible_to(user).filter(plan=plan).order_by("issued_at", "pk"))
        reissuable = can_change and not plan.is_closed
        for doc in docs:
            doc.can_reissue = (
                reissuable and doc.status == DocumentStatus.ISSUED and doc.kind != DocumentKind.PLEDGE
            )
            if self.bound_reissue is not None and self.bound_reissue[0] == doc.pk:
                doc.reissue_form = self.bound_reissue[1]
            else:
                doc.reissue_form = ReissueForm(prefix=f"doc{doc.pk}")
        context.update(
            state_tag=state_tag(plan.state),
            countdown=countdown(plan),
            items=items,
            documents=docs,
            history=plan.moves.all(),
            enforcement=EnforcementAction.objects.visible_to(user)
            .filter(plan=plan)
            .select_related("department", "recorded_by")
            .prefetch_related("attachments"),
            move_forms=move_forms,
            page_errors=list(self.page_errors),
            can_record_enforcement=plan.state in (PlanState.ESCALATED, PlanState.ENFORCEMENT)
            and can(user, Action.ADD, EnforcementAction),
            # Accepting and failing a recheck are inspections' results: the page starts one.
            can_start_recheck=plan.state == PlanState.RECHECK_REQUESTED and can(user, Action.ADD, Inspection),
            recheck_kinds=[
                (InspectionKind.ACCEPTANCE.value, InspectionKind.ACCEPTANCE.label),
                (InspectionKind.RECHECK.value, InspectionKind.RECHECK.label),
            ],
            new_client_uuid=uuid.uuid4(),
            premises_url=reverse("registry:premises_detail", args=[plan.premises_id]),
        )
        if plan.is_closed or not can_change:
            context["edit_url"] = ""
        return context

    def render_again(self, status: int, **state):
        for name, value in state.items():
            setattr(self, name, value)
        return self.render_to_response(self.get_context_data(object=self.object), status=status)


def _move_service(form: MoveForm, plan: Plan, actor):
    data, version = form.cleaned_data, form.cleaned_data["version"]
    reason, deadline = data.get("reason", ""), data.get("deadline")
    name = form.move.name
    if name == MoveName.NOTIFY:
        return services.notify_plan(
            plan, actor=actor, order=data.get("order", False), expected_version=version
        )
    if name == MoveName.START:
        return services.start_rectification(plan, actor=actor, reason=reason, expected_version=version)
    if name == MoveName.REQUEST_RECHECK:
        return services.request_recheck(plan, actor=actor, reason=reason, expected_version=version)
    if name == MoveName.EXTEND:
        return services.extend_plan(
            plan, actor=actor, deadline=deadline, reason=reason, expected_version=version
        )
    if name == MoveName.ESCALATE:
        return services.escalate_plan(
            plan,
            actor=actor,
            reason=reason,
            departments=data.get("departments") or (),
            expected_version=version,
        )
    if name == MoveName.ENFORCE:
        return services.enforce_plan(plan, actor=actor, reason=reason, expected_version=version)
    if name == MoveName.RESUME:
        return services.resume_plan(
            plan, actor=actor, deadline=deadline, reason=reason, expected_version=version
        )
    if name == MoveName.CANCEL:
        return services.cancel_plan(plan, actor=actor, reason=reason, expected_version=version)
    raise ValidationError(_("该操作不能在此页面进行。"))


class PlanMoveView(PlanDetailView):
    """POST one move of the plan page. Errors come back on the plan page with the typed values; a plan
    changed by someone else since the page was loaded is a conflict (409) naming who and when."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.object = plan = self.get_object()
        name = request.POST.get("move", "")
        if name not in MoveName.values or MoveName(name) in NOT_OFFERED or MoveName(name) not in MOVES:
            return self.render_again(400, page_errors=[_("该操作不能在此页面进行。")])
        move = MOVES[MoveName(name)]
        if not may_ever_make(move, request.user):
            raise PermissionDenied(_("您的角色不能%(move)s。") % {"move": move.name.label})
        form = MoveForm(request.POST, move=move, user=request.user)
        if not form.is_valid():
            # A missing version is an error of a hidden field: say it where it shows.
            hidden = [e for f in form.hidden_fields() for e in f.errors]
            return self.render_again(400, bound_move=form, page_errors=[*form.non_field_errors(), *hidden])
        try:
            _move_service(form, plan, request.user)
        except ConcurrentEditError as exc:
            self.object = plan = self.get_object()
            data = request.POST.copy()
            data[form.add_prefix("version")] = plan.version
            again = MoveForm(data, move=move, user=request.user)
            again.is_valid()
            message = exc.message + " " + _("方案当前状态：%(state)s。") % {"state": plan.get_state_display()}
            return self.render_again(409, bound_move=again, page_errors=[message])
        except ValidationError as exc:
            add_errors(form, exc)
            self.object = self.get_object()
            return self.render_again(400, bound_move=form, page_errors=form.non_field_errors())
        messages.success(request, _("已%(move)s。") % {"move": move.name.label})
        return redirect(plan.get_absolute_url())


class PlanCreateView(LoginRequiredMixin, FormView):
    """制定整改方案 from a premises page: its open hazards without a plan, each with a measure, acceptance
    standard and deadline pre-filled from the checklist."""

    template_name = "rectification/plan_create.html"
    form_class = PlanCreateForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.premises = get_object_or_404(
            Premises.objects.visible_to(request.user).select_related("building__grid", "landlord"),
            pk=kwargs["premises"],
        )
        if not can(request.user, Action.ADD, Plan):
            raise PermissionDenied(_("您的角色无权制定整改方案。"))
        self.proposed = services.proposed_items(self.premises)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(premises=self.premises, proposed=self.proposed, user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            premises=self.premises,
            premises_url=reverse("registry:premises_detail", args=[self.premises.pk]),
            list_url=reverse("rectification:plan_list"),
            open_plan=Plan.objects.visible_to(self.request.user)
            .open()
            .filter(premises=self.premises)
            .first(),
        )
        return context

    def form_valid(self, form):
        chosen = form.chosen_hazard_ids()
        proposed = {i.hazard.pk: i for i in self.proposed}
        typed = form.item_changes(chosen)
        data = form.cleaned_data
        item_of_hazard: dict[int, int] = {}
        try:
            # One transaction: the plan is made and its items set as typed, or nothing is saved.
            with transaction.atomic():
                plan = services.create_plan(
                    self.premises,
                    actor=self.request.user,
                    hazards=[proposed[pk].hazard for pk in chosen if pk in proposed],
                    deadline=data["deadline"],
                    officer=data["officer"],
                    note=data.get("note", ""),
                )
                item_of_hazard = dict(plan.items.values_list("hazard_id", "pk"))
                changed = {
                    item_of_hazard[pk]: values
                    for pk, values in typed.items()
                    if pk in item_of_hazard
                    and (
                        values["measure"] != proposed[pk].measure
                        or values["acceptance"] != proposed[pk].acceptance
                        or values["deadline"] != proposed[pk].deadline
                        or values["deadline"] > plan.deadline
                    )
                }
                if changed:
                    plan = services.update_plan(
                        plan, {}, actor=self.request.user, expected_version=plan.version, items=changed
                    )
        except ValidationError as exc:
            hazard_of_item = {item: hazard for hazard, item in item_of_hazard.items()}
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    parts = key.split("-")
                    if parts[0] == "item" and len(parts) == 3 and int(parts[1]) in hazard_of_item:
                        key = f"hazard-{hazard_of_item[int(parts[1])]}-{parts[2]}"
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("已制定整改方案：%(plan)s") % {"plan": plan})
        return redirect(plan.get_absolute_url())


class PlanEditView(LoginRequiredMixin, FormView):
    """Edit the plan's deadline, officer and note and each item's measure, standard and deadline; a plan
    saved by someone else meanwhile comes back with a current-vs-typed table."""

    template_name = "rectification/plan_form.html"
    form_class = PlanEditForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = get_object_or_404(
            Plan.objects.visible_to(request.user).select_related("premises__building__grid", "officer"),
            pk=kwargs["pk"],
        )
        if not can(request.user, Action.CHANGE, self.object):
            raise PermissionDenied(_("您的角色无权修改整改方案。"))
        if self.object.is_closed:
            messages.error(
                request, _("方案已结束（%(state)s），不能修改。") % {"state": self.object.get_state_display()}
            )
            return redirect(self.object.get_absolute_url())
        self.items = self._items()
        return super().dispatch(request, *args, **kwargs)

    def _items(self):
        return list(self.object.items.select_related("hazard__item").order_by("deadline", "pk"))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(plan=self.object, items=self.items)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            cancel_url=self.object.get_absolute_url(),
            list_url=reverse("rectification:plan_list"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        expected = data.get("version")
        try:
            self.object = services.update_plan(
                self.object,
                {name: data[name] for name in form.PLAN_FIELDS},
                actor=self.request.user,
                expected_version=self.object.version if expected is None else expected,
                items=form.item_changes(),
                reason=data.get("change_reason", ""),
            )
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
            self.object = exc.current
            self.items = self._items()
            return self.render_to_response(
                self.get_context_data(form=form, conflict_rows=self._conflict_rows(form))
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(self.object.get_absolute_url())

    def _conflict_rows(self, form) -> list[dict]:
        plan, typed = self.object, form.data
        officer = form.fields["officer"].queryset.filter(pk=typed.get("officer") or None).first()
        rows = [
            {
                "label": form.fields["deadline"].label,
                "current": plan.deadline,
                "typed": typed.get("deadline", ""),
            },
            {"label": form.fields["officer"].label, "current": plan.officer, "typed": officer or ""},
            {"label": form.fields["note"].label, "current": plan.note, "typed": typed.get("note", "")},
        ]
        for item in self.items:
            for part in ("measure", "acceptance", "deadline"):
                name = f"item-{item.pk}-{part}"
                if name in form.fields:
                    rows.append(
                        {
                            "label": form.fields[name].label,
                            "current": getattr(item, part),
                            "typed": typed.get(name, ""),
                        }
                    )
        return rows


class DocumentPdfView(LoginRequiredMixin, View):
    """The document's PDF, shown in the browser (print from there); the file is the frozen one."""

    def get(self, request, pk):
        document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
        return pdf_response(documents.pdf_bytes(document), f"{document.serial}.pdf", max_age=3600)


class DocumentReissueView(PlanDetailView):
    """重新出具: a corrected document from the plan as it is now; the old one is kept, marked superseded."""

    http_method_names = ["post"]

    def post(self, request, pk):
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


class EnforcementCreateView(LoginRequiredMixin, FormView):
    """Record an enforcement step (with attachments) on a plan, or on any premises (department officers
    act on premises without a plan too); a premises' open plan is the one it belongs to."""

    template_name = "rectification/enforcement_form.html"
    form_class = EnforcementForm

    def dispatch(self, request, *args, **kwargs):
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

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def back_url(self) -> str:
        if self.plan is not None:
            return self.plan.get_absolute_url()
        return reverse("registry:premises_detail", args=[self.premises.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(premises=self.premises, plan=self.plan, cancel_url=self.back_url())
        return context

    def form_valid(self, form):
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
    def get(self, request, pk):
        actions = EnforcementAction.objects.visible_to(request.user)
        attachment = get_object_or_404(EnforcementAttachment.objects.filter(action__in=actions), pk=pk)
        response = FileResponse(attachment.file.open("rb"), filename=attachment.name)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ProofPhotoFileView(LoginRequiredMixin, View):
    """A landlord's after-photo (or its thumbnail), only inside the user's scope."""

    def get(self, request, pk, variant):
        photo = get_object_or_404(ProofPhoto.objects.visible_to(request.user), pk=pk)
        return image_response(photo, variant)


class LadderView(LoginRequiredMixin, View):
    """逾期处置阶梯: after how many days overdue the nightly run escalates a plan and then moves it into
    enforcement. The command reads it; the system administrator sets it (the role table)."""

    template_name = "rectification/ladder.html"

    def setup_district(self, request):
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

    def render_page(self, request, districts, district, steps, form=None, status=200):
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

    def get(self, request):
        return self.render_page(request, *self.setup_district(request))

    def post(self, request):
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


def premises_rectification(premises: Premises, user) -> dict:
    """The rectification part of a premises page: its open plan, or the button to make one when it has
    open hazards outside any plan; recording enforcement there."""
    if not can(user, Action.VIEW, Plan):
        return {}
    open_plan = Plan.objects.visible_to(user).open().filter(premises=premises).first()
    can_create = (
        open_plan is None
        and can(user, Action.ADD, Plan)
        and services.open_hazards_without_plan(premises).exists()
    )
    return {
        "premises": premises,
        "open_plan": open_plan,
        "open_plan_tag": state_tag(open_plan.state) if open_plan else "",
        "can_create_plan": can_create,
        "can_record_enforcement": can(user, Action.ADD, EnforcementAction),
        "plans_url": f"{reverse('rectification:plan_list')}?premises={premises.pk}",
    }


# --- batch printing ----------------------------------------------------------------------------------------

# A batch is one PDF to print; more than this is several batches (narrow the list by area or state).
BATCH_LIMIT = 2000
PRINT_JOB = "rectification.print_documents"


class BatchPrintView(LoginRequiredMixin, View):
    """Print the current notice of every plan the list shows (with its filters) as one PDF, made by a
    background job whose progress the next page follows."""

    def post(self, request):
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

    def get(self, request, pk):
        from firegrid.jobs.models import JobRun

        run = get_object_or_404(JobRun.objects.for_user(request.user), pk=pk, name=PRINT_JOB)
        template = "rectification/_batch_progress.html" if request.htmx else "rectification/batch_print.html"
        return render(request, template, {"run": run})


class BatchPrintFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
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
