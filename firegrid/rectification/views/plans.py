"""The plan list, the plan page with the moves the user can make now, one move posted from it, and
the rectification part of a premises page."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView, add_errors
from firegrid.inspections.choices import InspectionKind
from firegrid.inspections.models import Inspection
from firegrid.registry.models import Premises

from .. import services
from ..choices import DocumentKind, DocumentStatus, MoveName, PlanState
from ..filters import PlanFilterSet
from ..forms import MoveForm, ReissueForm
from ..machine import MOVES, Move, moves_for
from ..models import (
    Document,
    EnforcementAction,
    Plan,
    ProofPhoto,
)

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest

# Moves that are results, not decisions: an acceptance or recheck inspection makes the first two (the
# page links to starting one instead), the nightly run the third.
NOT_OFFERED = frozenset({MoveName.ACCEPT, MoveName.FAIL_RECHECK, MoveName.MARK_OVERDUE})

# A plan's tag takes the colour of the hazard bucket its hazards are in (待整改 red, 待复核 orange,
# 已消除 green), the colours users already know; draft and accepted have their own colours in app.css.
STATE_COLOUR_CLASSES: dict[str, str] = {
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


def countdown(plan: Plan, today: dt.date | None = None) -> str:
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

    def tag_value(self, obj: models.Model) -> str:
        assert isinstance(obj, Plan)  # the column of plan lists
        return state_tag(obj.state)


PLAN_COLUMNS = [
    Column(
        "premises",
        gettext_lazy("出租户"),
        link=True,
        sort="address",
        value=lambda p: str(p.premises),
        truncate=True,
    ),
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


class PlanListView(ObjectListView[Plan]):
    model = Plan
    filterset_class = PlanFilterSet
    columns = PLAN_COLUMNS
    select_related = ("premises__building__grid", "landlord", "officer", "campaign")
    template_name = "rectification/plan_list.html"


def offered_moves(plan: Plan, user: User) -> list[Move]:
    return [m for m in moves_for(plan.state, user) if m.name not in NOT_OFFERED]


def may_ever_make(move: Move, user: User) -> bool:
    """Whether the user's role may make this move from some state (the state itself is the service's
    check, with a message naming it)."""
    return any(m.name == move.name for m in moves_for(next(iter(move.sources)), user))


@dataclass
class DocumentCard:
    """A document as the plan page shows it: the document (its fields read through), whether the user may
    reissue it, and the reissue form (bound, with its errors, after a refused reissue)."""

    document: Document
    can_reissue: bool
    reissue_form: ReissueForm

    def __getattr__(self, name: str) -> Any:
        return getattr(self.document, name)


class PlanDetailView(ObjectDetailView[Plan]):
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
    page_errors: Sequence[object] = ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        move_forms: list[MoveForm] = []
        for move in offered_moves(plan, user):
            if self.bound_move is not None and self.bound_move.move.name == move.name:
                move_forms.append(self.bound_move)
            else:
                move_forms.append(MoveForm(move=move, user=user, initial={"version": plan.version}))
        items = plan.items.select_related("hazard__item").prefetch_related(
            Prefetch("proof_photos", queryset=ProofPhoto.objects.visible_to(user), to_attr="proofs")
        )
        can_change = can(user, Action.CHANGE, plan)
        reissuable = can_change and not plan.is_closed
        docs = [
            DocumentCard(
                document=doc,
                can_reissue=reissuable
                and doc.status == DocumentStatus.ISSUED
                and doc.kind != DocumentKind.PLEDGE,
                reissue_form=self.bound_reissue[1]
                if self.bound_reissue is not None and self.bound_reissue[0] == doc.pk
                else ReissueForm(prefix=f"doc{doc.pk}"),
            )
            for doc in Document.objects.visible_to(user).filter(plan=plan).order_by("issued_at", "pk")
        ]
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

    def render_again(self, status: int, **state: Any) -> HttpResponse:
        for name, value in state.items():
            setattr(self, name, value)
        return self.render_to_response(self.get_context_data(object=self.object), status=status)


class PlanMoveView(PlanDetailView):
    """POST one move of the plan page. Errors come back on the plan page with the typed values; a plan
    changed by someone else since the page was loaded is a conflict (409) naming who and when."""

    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
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
        data = form.cleaned_data
        try:
            services.make_move(
                plan,
                move.name,
                actor=request.user,
                expected_version=data["version"],
                reason=data.get("reason", ""),
                deadline=data.get("deadline"),
                departments=data.get("departments") or (),
                order=data.get("order", False),
            )
        except ConcurrentEditError as exc:
            self.object = plan = self.get_object()
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(plan.version)
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


def premises_rectification(premises: Premises, user: User) -> dict[str, Any]:
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
