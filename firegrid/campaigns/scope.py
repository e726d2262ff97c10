"""What a campaign covers: its grids, the premises and landlords inside them, the unclaimed list.

A campaign's scope is its areas (with their subtrees). A campaign with no areas covers the whole
district: the 2019 campaign was district-wide, and an empty scope that covered nothing would be a trap.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.db.models.query import QuerySet

from firegrid.areas.models import Area
from firegrid.registry.models import Landlord, LandlordQuerySet, Premises

from .choices import ClaimStatus
from .models import Campaign, Claim


def campaign_grid_ids(campaign: Campaign) -> list[int] | None:
    """Ids of the grids inside the campaign's areas; None when the campaign covers the whole district."""
    paths = list(campaign.areas.values_list("path", flat=True))
    if not paths:
        return None
    grids = Area.objects.grids()
    ids: set[int] = set()
    for path in paths:
        ids.update(grids.filter(path__startswith=path).values_list("pk", flat=True))
    return sorted(ids)


def premises_in_scope(campaign: Campaign, grid_ids: list[int] | None = None) -> QuerySet[Premises]:
    grid_ids = campaign_grid_ids(campaign) if grid_ids is None else grid_ids
    premises = Premises.objects.all()
    return premises if grid_ids is None else premises.filter(building__grid_id__in=grid_ids)


def landlords_in_scope(campaign: Campaign, grid_ids: list[int] | None = None) -> LandlordQuerySet:
    """Landlords with a premises inside the campaign's areas."""
    premises = premises_in_scope(campaign, grid_ids).filter(landlord=OuterRef("pk"))
    return Landlord.objects.filter(Exists(premises))


def active_claims(campaign: Campaign) -> QuerySet[Claim]:
    return Claim.objects.filter(campaign=campaign, status=ClaimStatus.ACTIVE)


def unclaimed_landlords(campaign: Campaign) -> LandlordQuerySet:
    """Four-category landlords within the campaign's scope that no unit holds (the command's list)."""
    claimed = active_claims(campaign).filter(landlord=OuterRef("pk"))
    return landlords_in_scope(campaign).four_category().filter(~Exists(claimed))
