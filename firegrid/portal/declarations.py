"""房东申报: the signed-in landlord's own four-category declaration (党员, 干部, 两代表一委员, 财政供养人员)
and employer unit. A page of the portal; what it writes is the campaign command's
(`campaigns.services.declare_four_category`), which the units' claims are then made from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from firegrid.campaigns import services as campaigns
from firegrid.campaigns.forms import DeclareForm
from firegrid.core.views import add_errors
from firegrid.registry.models import Landlord

from .views import PortalMixin

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest


class DeclareView(PortalMixin, FormView):
    """房东申报: a signed-in landlord says whether they are four-category and where they work."""

    template_name = "portal/declare.html"
    form_class = DeclareForm
    request: AuthedHttpRequest

    def get_landlord(self) -> Landlord:
        landlord = self.request.user.landlord
        if landlord is None:
            raise Http404
        return landlord

    def get_initial(self) -> dict[str, Any]:
        landlord = self.get_landlord()
        return {
            "categories": [flag for flag in campaigns.FOUR_CATEGORY_FLAGS if getattr(landlord, flag)],
            "employer_unit": landlord.employer_unit_id,
        }

    def form_valid(self, form: DeclareForm) -> HttpResponse:
        chosen = set(form.cleaned_data["categories"])
        try:
            campaigns.declare_four_category(
                self.get_landlord(),
                actor=self.request.user,
                flags={flag: flag in chosen for flag in campaigns.FOUR_CATEGORY_FLAGS},
                employer_unit=form.cleaned_data["employer_unit"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存您的申报。"))
        return redirect(reverse("portal:home"))
