"""本单位: the unit liaison's page — the unit's claimed landlords, each premises' progress and deadline, the
unit's rank today — and the menu's way to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from firegrid.areas.choices import DISTRICT_WIDE_ROLES, Role
from firegrid.areas.models import Unit
from firegrid.core.permissions import Action, can
from firegrid.rectification.models import Plan
from firegrid.registry.models import Premises

from .. import pledges, ranking, services, status
from ..choices import ClaimStatus
from ..models import Campaign, Claim
from .common import CampaignMixin, campaign_url

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


def unit_for(user: User, requested: str | None) -> Unit | None:
    """The unit whose page this user sees: a liaison's own; the command may look at any unit."""
    if user.role == Role.UNIT_LIAISON:
        return user.unit
    if (user.is_superuser or user.role in DISTRICT_WIDE_ROLES) and requested and str(requested).isdigit():
        return Unit.objects.filter(pk=requested).first()
    return None


class UnitPageView(CampaignMixin, LoginRequiredMixin, TemplateView):
    """本单位: the unit's claimed landlords, each premises' progress and deadline, the unit's rank today."""

    template_name = "campaigns/unit_page.html"
    request: AuthedHttpRequest
    unit: Unit | None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.request.user  # `request` itself, typed as signed in
        if not can(user, Action.VIEW, Claim):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        self.get_campaign()
        self.unit = unit_for(user, request.GET.get("unit"))
        if self.unit is None and user.role == Role.UNIT_LIAISON:
            raise PermissionDenied(_("您的账号未关联单位，请联系管理员。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        campaign, unit, user = self.campaign, self.unit, self.request.user
        context.update(campaign=campaign, unit=unit, rule=ranking.RANKING_RULE)
        table = ranking.unit_ranking(campaign)
        context["ranking"] = table
        # On a phone the ranking shows its first rows and the unit's own; ?all=ranking (the 展开全部 link
        # where scripts do not run) shows every row.
        unfold = {key: value for key, value in self.request.GET.items() if key != "all"}
        context.update(
            top=ranking.PHONE_TOP,
            show_all=self.request.GET.get("all") == "ranking",
            unfold_query=urlencode(unfold),
            is_liaison=user.role == Role.UNIT_LIAISON,
        )
        if unit is None:
            context["units"] = Unit.objects.filter(claims__campaign=campaign).distinct().order_by("name")
            return context
        context["my_rank"] = ranking.rank_of(table, unit.pk)
        deadline, deadline_name = pledges.four_category_deadline(campaign)
        claims = list(
            Claim.objects.visible_to(user)
            .filter(campaign=campaign, unit=unit, status=ClaimStatus.ACTIVE)
            .select_related("landlord")
            .order_by("landlord__name", "pk")
        )
        plans = Plan.objects.filter(campaign=campaign, premises=OuterRef("pk")).order_by("-pk")
        premises = (
            status.with_progress(
                status.members_on(campaign, status.reference_day(campaign)).filter(
                    landlord__in=[c.landlord_id for c in claims]
                ),
                campaign,
            )
            .annotate(
                plan_deadline=Subquery(plans.values("deadline")[:1]), plan_id=Subquery(plans.values("pk")[:1])
            )
            .select_related("building")
            .order_by("sort_key", "pk")
        )
        by_landlord: dict[int, list[Premises]] = {}
        for p in premises:
            # A display label for the template, carried on the fetched row (not a model field).
            p.progress_label = status.Progress(p.progress).label  # type: ignore[attr-defined]
            by_landlord.setdefault(p.landlord_id, []).append(p)
        context.update(
            deadline=deadline,
            deadline_name=deadline_name,
            landlords=[
                {"claim": c, "landlord": c.landlord, "premises": by_landlord.get(c.landlord_id, [])}
                for c in claims
            ],
            claim_url=campaign_url("claim_add", campaign),
            can_claim=services.can_claim_for(user, unit),
        )
        return context


class MyUnitView(LoginRequiredMixin, View):
    """The menu's 本单位认领: the unit page of the campaign running today (else the latest)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        campaign = Campaign.objects.current() or Campaign.objects.order_by("-starts_on", "-pk").first()
        if campaign is None:
            raise Http404(_("还没有专项整治行动。"))
        return redirect(campaign_url("unit_page", campaign))
