"""What the campaign pages share: a campaign's URLs, its target premises and unclaimed four-category
landlords within the user's scope, and the mixin of the pages under one campaign."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.query import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from firegrid.core.permissions import Action
from firegrid.registry.models import Landlord, Premises

from .. import status
from ..models import Campaign
from ..scope import unclaimed_landlords

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest
    from firegrid.registry.models import LandlordQuerySet


def campaign_url(name: str, campaign: Campaign, **params: Any) -> str:
    url = reverse(f"campaigns:{name}", args=[campaign.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def visible_targets(campaign: Campaign, user: User) -> QuerySet[Premises]:
    """The campaign's targets in the user's scope on its reference day (today's; its last day's once over)."""
    return Premises.objects.visible_to(user, Action.VIEW).filter(
        pk__in=status.memberships_on(campaign, status.reference_day(campaign)).values("premises_id")
    )


def unclaimed_in_scope(campaign: Campaign, user: User) -> LandlordQuerySet:
    return unclaimed_landlords(campaign).filter(pk__in=Landlord.objects.visible_to(user).values("pk"))


class CampaignMixin:
    """A page under one campaign (`<campaign>` in its URL), signed in.

    A view using it declares `request: AuthedHttpRequest` itself too: the type checker wants one
    definition where this mixin meets Django's `View`."""

    request: AuthedHttpRequest
    kwargs: dict[str, Any]
    campaign: Campaign

    def get_campaign(self) -> Campaign:
        if not hasattr(self, "campaign"):
            self.campaign = get_object_or_404(
                Campaign.objects.visible_to(self.request.user), pk=self.kwargs["campaign"]
            )
        return self.campaign
