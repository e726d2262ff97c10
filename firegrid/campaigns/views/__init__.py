"""Pages of the campaign command, by sub-domain: campaigns and milestones (`campaigns`), work groups
(`work_groups`), target premises (`targets`), claims of four-category landlords and the unclaimed list
(`claims`), the unit liaison's page (`units`); `common` holds what they share. The landlord's own
declaration is a portal page (firegrid.portal.declarations).

Every figure is a link to the list behind it, computed over the same rows the list shows (the user's
scope included), so the list's count equals the figure.
"""

from .campaigns import (
    CAMPAIGN_COLUMNS,
    CampaignDetailView,
    CampaignEditView,
    CampaignListView,
    campaign_figures,
)
from .claims import (
    CLAIM_COLUMNS,
    ClaimAddView,
    ClaimDetailView,
    ClaimEndView,
    ClaimListView,
    ClaimPledgeView,
    UnclaimedListView,
    claim_column,
    may_claim_in,
)
from .common import CampaignMixin, campaign_url, unclaimed_in_scope, visible_targets
from .targets import TARGET_COLUMNS, TargetChangeView, TargetListView, TargetsFromHazardsView
from .units import MyUnitView, UnitPageView, unit_for
from .work_groups import WORK_GROUP_COLUMNS, WorkGroupDetailView, WorkGroupEditView, WorkGroupListView

__all__ = [
    "CAMPAIGN_COLUMNS",
    "CLAIM_COLUMNS",
    "TARGET_COLUMNS",
    "WORK_GROUP_COLUMNS",
    "CampaignDetailView",
    "CampaignEditView",
    "CampaignListView",
    "CampaignMixin",
    "ClaimAddView",
    "ClaimDetailView",
    "ClaimEndView",
    "ClaimListView",
    "ClaimPledgeView",
    "MyUnitView",
    "TargetChangeView",
    "TargetListView",
    "TargetsFromHazardsView",
    "UnclaimedListView",
    "UnitPageView",
    "WorkGroupDetailView",
    "WorkGroupEditView",
    "WorkGroupListView",
    "campaign_figures",
    "campaign_url",
    "claim_column",
    "may_claim_in",
    "unclaimed_in_scope",
    "unit_for",
    "visible_targets",
]
