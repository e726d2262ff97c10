"""流管通 in the portal: the signed-in landlord's tenant register — who lives in each of their premises
now, moves waiting for a grid worker's confirmation (待核实), and the phone forms to register a household
moving in or out. What the forms write is the registry's (`registry.services.register_move_in` /
`register_move_out`); premises and households outside the landlord's own are 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from firegrid.core.views import add_errors
from firegrid.registry import services as registry
from firegrid.registry.models import Premises, Room, TenantHousehold

from .forms import TenantMoveInForm, TenantMoveOutForm
from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class TenantListView(PortalMixin, TemplateView):
    """我的租户: each of the landlord's premises with its current households and occupancy."""

    template_name = "portal/tenants.html"
    request: AuthedHttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        premises = list(Premises.objects.visible_to(user).select_related("building"))
        households = (
            TenantHousehold.objects.visible_to(user).current().select_related("room").order_by("moved_in")
        )
        by_premises: dict[int, list[TenantHousehold]] = {}
        for household in households:
            by_premises.setdefault(household.premises_id, []).append(household)
        for p in premises:
            p.current_households = by_premises.get(p.pk, [])  # type: ignore[attr-defined]
            p.people = sum(h.people for h in p.current_households)  # type: ignore[attr-defined]
        context["premises"] = premises
        return context


class MoveInView(PortalMixin, FormView):
    """租户入住登记 for one of the landlord's premises."""

    template_name = "portal/tenant_move_in.html"
    form_class = TenantMoveInForm
    request: AuthedHttpRequest

    def get_premises(self) -> Premises:
        if not hasattr(self, "_premises"):
            rows = Premises.objects.visible_to(self.request.user).select_related("building")
            self._premises = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._premises

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["rooms"] = Room.objects.visible_to(self.request.user).filter(premises=self.get_premises())
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"moved_in": timezone.localdate(), "people": 1}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["premises"] = self.get_premises()
        return context

    def form_valid(self, form: TenantMoveInForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            household = registry.register_move_in(
                self.get_premises(),
                head_name=data["head_name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                people=data["people"],
                room=data["room"],
                moved_in=data["moved_in"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已登记 %(name)s 入住，待网格员核实。") % {"name": household.head_name},
        )
        return redirect(reverse("portal:tenants"))


class MoveOutView(PortalMixin, FormView):
    """租户搬离登记 for one current household of the landlord's."""

    template_name = "portal/tenant_move_out.html"
    form_class = TenantMoveOutForm
    request: AuthedHttpRequest

    def get_household(self) -> TenantHousehold:
        if not hasattr(self, "_household"):
            rows = TenantHousehold.objects.visible_to(self.request.user).select_related(
                "premises__building", "room"
            )
            self._household = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._household

    def get_initial(self) -> dict[str, Any]:
        return {"moved_out": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["household"] = self.get_household()
        return context

    def form_valid(self, form: TenantMoveOutForm) -> HttpResponse:
        household = self.get_household()
        try:
            registry.register_move_out(household, form.cleaned_data["moved_out"], actor=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("已登记 %(name)s 搬离，待网格员核实。") % {"name": household.head_name}
        )
        return redirect(reverse("portal:tenants"))
