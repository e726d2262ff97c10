"""Questions rectification asks the apps above it, answered by whoever registers an answer.

Rectification sits below campaigns in the layers (docs/architecture.md), so it never imports them; yet
a new plan belongs to the campaign running for its premises. Campaigns registers that answer from its
`AppConfig.ready()`; without one, plans stand alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Campaigns sit above rectification: a type-only import, allowed by the layer contract.
    from firegrid.campaigns.models import Campaign
    from firegrid.registry.models import Premises

CampaignResolver = Callable[["Premises"], "Campaign | None"]

_campaign_resolver: CampaignResolver | None = None


def register_campaign_resolver(resolver: CampaignResolver | None) -> None:
    """Name the function that answers "which campaign does a plan made for this premises now join?"
    (None forgets it)."""
    global _campaign_resolver
    _campaign_resolver = resolver


def current_campaign(premises: Premises) -> Campaign | None:
    """The campaign a plan made for the premises now belongs to, or None (a standalone plan)."""
    return _campaign_resolver(premises) if _campaign_resolver is not None else None
