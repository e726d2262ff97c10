"""Making a plan from a premises page and editing a plan (with the current-vs-typed table of a
conflict)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.views import add_errors
from firegrid.registry.models import Premises

from .. import services
from ..forms import PlanCreateForm, PlanEditForm
from ..models import (
    Plan,
    PlanItem,
)

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


class PlanCreateView(LoginRequiredMixin, FormView):
    """制定整改方案 from a premises page: its open hazards without a plan, each with a measure, acceptance
    standard and deadline pre-filled from the checklist."""

    template_name = "rectification/plan_create.html"
    form_class = PlanCreateForm
    request: AuthedHttpRequest
    premises: Premises
    proposed: list[PlanItem]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(premises=self.premises, proposed=self.proposed, user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
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

    def form_valid(self, form: PlanCreateForm) -> HttpResponse:
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
    request: AuthedHttpRequest
    object: Plan
    items: list[PlanItem]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
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

    def _items(self) -> list[PlanItem]:
        return list(self.object.items.select_related("hazard__item").order_by("deadline", "pk"))

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(plan=self.object, items=self.items)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            cancel_url=self.object.get_absolute_url(),
            list_url=reverse("rectification:plan_list"),
        )
        return context

    def form_valid(self, form: PlanEditForm) -> HttpResponse:
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

    def _conflict_rows(self, form: PlanEditForm) -> list[dict[str, Any]]:
        plan, typed = self.object, form.data
        officers = cast("forms.ModelChoiceField[User]", form.fields["officer"]).queryset
        chosen = typed.get("officer")
        officer = officers.filter(pk=chosen).first() if chosen and officers is not None else None
        rows: list[dict[str, Any]] = [
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
