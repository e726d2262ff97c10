"""认领: claims of four-category landlords by their units — list, page, claiming, transfer and release, the
unit–landlord pledge PDF — and the command's list of the landlords no unit has claimed yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from firegrid.areas.choices import Role
from firegrid.core.permissions import Action, can
from firegrid.core.responses import pdf_response
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectListView, ScopedMixin, add_errors
from firegrid.registry.models import Landlord
from firegrid.registry.views import LANDLORD_COLUMNS

from .. import filters, forms, pledges, services
from ..choices import CampaignStatus, ClaimStatus
from ..models import Campaign, Claim
from .common import CampaignMixin, campaign_url, unclaimed_in_scope

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest
    from firegrid.registry.models import LandlordQuerySet

CLAIM_COLUMNS = [
    Column("landlord.name", gettext_lazy("房东"), link=True, sort="landlord"),
    Column("unit.name", gettext_lazy("单位")),
    Column("campaign.name", gettext_lazy("专项整治行动"), default=False),
    Column("status", gettext_lazy("状态"), tag=True),
    Column("claimed_at", gettext_lazy("认领时间"), sort="claimed_at"),
    Column("claimed_by", gettext_lazy("认领人"), value=lambda c: str(c.claimed_by)),
    Column("reason", gettext_lazy("原因"), default=False),
]


class ClaimListView(ObjectListView):
    model = Claim
    filterset_class = filters.ClaimFilterSet
    columns = CLAIM_COLUMNS
    select_related = ("landlord", "unit", "campaign", "claimed_by")


class ClaimDetailView(ObjectDetailView):
    model = Claim
    template_name = "campaigns/claim_detail.html"
    request: AuthedHttpRequest
    select_related = ("landlord", "unit", "campaign", "claimed_by")
    fields = [
        Column("campaign.name", gettext_lazy("专项整治行动")),
        Column("landlord.name", gettext_lazy("房东")),
        Column(
            "categories",
            gettext_lazy("四类人员"),
            value=lambda c: enumerate_items(c.landlord.four_category_labels()),
        ),
        Column("unit.name", gettext_lazy("单位")),
        Column("status", gettext_lazy("状态"), value=lambda c: c.get_status_display()),
        Column("claimed_by", gettext_lazy("认领人"), value=lambda c: str(c.claimed_by)),
        Column("claimed_at", gettext_lazy("认领时间")),
        Column("ended_at", gettext_lazy("结束时间")),
        Column("reason", gettext_lazy("原因")),
        Column("pledge_serial", gettext_lazy("承诺书编号")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        claim, user = self.object, self.request.user
        active = claim.status == ClaimStatus.ACTIVE
        context.update(
            can_end=active and can(user, Action.CHANGE, claim),
            transfer_form=forms.TransferForm(),
            release_form=forms.ReleaseForm(),
            pledge_url=reverse("campaigns:claim_pledge", args=[claim.pk])
            if active or claim.pledge_content
            else "",
        )
        return context


class ClaimAddView(CampaignMixin, ScopedMixin, FormView):
    model = Claim
    action = Action.ADD
    form_class = forms.ClaimForm
    template_name = "campaigns/claim_form.html"
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.get_campaign()
            self.check_action(Claim)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        # From the unclaimed list's 认领: the landlord filled in, and the unit the claim will most likely
        # be for — a liaison's own (the only one they may claim for), else the landlord's employer.
        initial: dict[str, Any] = {"landlord": self.request.GET.get("landlord")}
        user = self.request.user
        if user.role == Role.UNIT_LIAISON:
            initial["unit"] = user.unit_id
        elif (landlord := self._landlord()) is not None and landlord.employer_unit_id:
            initial["unit"] = landlord.employer_unit_id
        return initial

    def form_valid(self, form: forms.ClaimForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            claim = services.claim(
                data["landlord"],
                data["unit"],
                campaign=self.campaign,
                actor=self.request.user,
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已认领：%(claim)s") % {"claim": claim})
        return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(campaign=self.campaign, landlord=self._landlord())
        return context

    def _landlord(self) -> Landlord | None:
        pk = self.request.POST.get("landlord") or self.request.GET.get("landlord")
        if pk and str(pk).isdigit():
            return Landlord.objects.visible_to(self.request.user).filter(pk=pk).first()
        return None


class ClaimEndView(LoginRequiredMixin, View):
    """POST: transfer (`transfer`) or release (`release`) a claim, with a reason."""

    http_method_names = ["post"]
    mode = "release"

    def post(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        if not can(request.user, Action.CHANGE, claim):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = (forms.TransferForm if self.mode == "transfer" else forms.ReleaseForm)(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))
        try:
            if self.mode == "transfer":
                new = services.transfer(
                    claim,
                    form.cleaned_data["to_unit"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("已移交给“%(unit)s”。") % {"unit": new.unit})
                return redirect(reverse("campaigns:claim_detail", args=[new.pk]))
            services.release(claim, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("已释放认领。"))
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))


class ClaimPledgeView(LoginRequiredMixin, View):
    """The unit–landlord pledge as a PDF: frozen on first download, the same document afterwards."""

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        try:
            claim = pledges.issue_unit_pledge(claim, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))
        assert claim.pledge_content is not None  # issue_unit_pledge froze it
        filename = f"{claim.pledge_serial}-{claim.landlord.name}.pdf"
        return pdf_response(pledges.render_unit_pledge(claim.pledge_content), filename)


def claim_column(campaign: Campaign) -> Column:
    """The row action of the unclaimed list: 认领 opens the claim form with this landlord filled in."""
    return Column(
        "claim",
        gettext_lazy("操作"),
        value=lambda landlord: format_html(
            '<a class="btn small primary" href="{}" data-claim="{}">{}</a>',
            campaign_url("claim_add", campaign, landlord=landlord.pk),
            landlord.pk,
            _("认领"),
        ),
    )


def may_claim_in(campaign: Campaign, user: User) -> bool:
    # An ended campaign takes no claims (the service refuses them): offer none.
    return services.can_claim_for(user) and campaign.status != CampaignStatus.ENDED


class UnclaimedListView(CampaignMixin, ObjectListView):
    """The command's list of four-category landlords within the campaign's scope that no unit holds;
    a user who may claim gets 认领 on every row."""

    model = Landlord
    filterset_class = filters.UnclaimedLandlordFilterSet
    columns = LANDLORD_COLUMNS
    template_name = "campaigns/unclaimed_list.html"
    select_related = ("employer_unit", "area")
    request: AuthedHttpRequest

    # Django takes any response from a handler (a list's export streams a file); the stub says HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        user = self.request.user  # `request` itself, typed as signed in
        if not can(user, Action.VIEW, Claim):
            raise PermissionDenied(_("您的角色无权查看此列表。"))
        self.can_claim = may_claim_in(self.get_campaign(), user)
        if self.can_claim:
            self.columns = [*LANDLORD_COLUMNS, claim_column(self.campaign)]
        return super().get(request, *args, **kwargs)

    def export(self) -> FileResponse:
        # The workbook lists the landlords; the row action is for the page only.
        self.columns = LANDLORD_COLUMNS
        return super().export()

    def get_queryset(self) -> LandlordQuerySet:
        campaign = self.get_campaign()
        base = unclaimed_in_scope(campaign, self.request.user).select_related(*self.select_related)
        self.filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        if not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            verbose_name_plural=_("未认领的四类人员房东"),
            can_claim=self.can_claim,
            add_url="",
        )
        return context
