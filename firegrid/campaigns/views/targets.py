"""整治对象: the campaign's target premises with their progress; adding them from hazards or one by one,
and removing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.query import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column
from firegrid.core.views import ObjectListView
from firegrid.registry.models import Premises
from firegrid.registry.views import PREMISES_COLUMNS

from .. import filters, forms, services, status
from ..models import CampaignTarget
from .common import CampaignMixin, campaign_url, visible_targets

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

TARGET_COLUMNS = [
    *PREMISES_COLUMNS[:-1],
    Column(
        "progress",
        gettext_lazy("整治进度"),
        value=lambda p: status.Progress(p.progress).label if getattr(p, "progress", None) else "",
        tag=True,
    ),
]


class TargetListView(CampaignMixin, ObjectListView):
    """整治对象: the campaign's target premises in the user's scope on its reference day (today; its last day
    once over), with their progress that day."""

    model = Premises
    filterset_class = filters.TargetPremisesFilterSet
    columns = TARGET_COLUMNS
    template_name = "campaigns/target_list.html"
    request: AuthedHttpRequest

    # Django takes any response from a handler (a list's export streams a file); the stub says HttpResponse.
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:  # type: ignore[override]
        if not can(self.request.user, Action.VIEW, CampaignTarget):
            raise PermissionDenied(_("您的角色无权查看此列表。"))
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Premises]:
        campaign = self.get_campaign()
        base = visible_targets(campaign, self.request.user).select_related("building__grid", "landlord")
        self.filterset = self.filterset_class(
            self.request.GET, queryset=base, request=self.request, campaign=campaign
        )
        if not self.filterset.is_valid():
            return base.none()
        queryset = self.filterset.qs
        if "progress" not in queryset.query.annotations:
            queryset = status.with_progress(queryset, campaign)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            verbose_name_plural=_("整治对象"),
            can_manage_targets=can(self.request.user, Action.ADD, CampaignTarget),
            target_form=forms.TargetForm(),
            as_of=status.reference_day(self.campaign),
            campaign_over=status.is_over(self.campaign),
        )
        return context


class TargetsFromHazardsView(CampaignMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]
    request: AuthedHttpRequest

    def post(self, request: AuthedHttpRequest, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        try:
            added = services.add_targets_from_hazards(
                campaign, actor=request.user, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已加入整治对象 %(n)s 户。") % {"n": added})
        return redirect(campaign_url("target_list", campaign))


class TargetChangeView(CampaignMixin, LoginRequiredMixin, View):
    """POST: add (`add`) or remove (`remove`) one premises by its number."""

    http_method_names = ["post"]
    mode = "add"
    request: AuthedHttpRequest

    def post(self, request: AuthedHttpRequest, **kwargs: Any) -> HttpResponse:
        campaign = self.get_campaign()
        form = forms.TargetForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写出租户编号。"))
            return redirect(campaign_url("target_list", campaign))
        pk, reason, on = form.cleaned_data["premises"], form.cleaned_data["reason"], form.cleaned_data["on"]
        try:
            if self.mode == "add":
                premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
                services.add_target(campaign, premises, actor=request.user, reason=reason, on=on)
                messages.success(request, _("已加入整治对象：%(p)s") % {"p": premises})
            else:
                # The premises' current membership (earlier, ended ones stay as they are).
                target = get_object_or_404(
                    CampaignTarget.objects.filter(
                        campaign=campaign,
                        left_on__isnull=True,
                        premises__in=Premises.objects.visible_to(request.user),
                    ),
                    premises_id=pk,
                )
                services.remove_target(target, actor=request.user, reason=reason, on=on)
                messages.success(request, _("已移出整治对象：%(p)s") % {"p": target.premises})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(campaign_url("target_list", campaign))
