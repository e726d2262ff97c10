from django.urls import path
from django.views.generic import RedirectView

from firegrid.core.views import ObjectHistoryView

from . import views
from .models import Campaign, Claim, WorkGroup

app_name = "campaigns"

urlpatterns = [
    # Campaigns (专项整治行动)
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignEditView.as_view(), name="campaign_add"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path("<int:pk>/history/", ObjectHistoryView.as_view(model=Campaign), name="campaign_history"),
    # Target premises (整治对象)
    path("<int:campaign>/targets/", views.TargetListView.as_view(), name="target_list"),
    path(
        "<int:campaign>/targets/from-hazards/",
        views.TargetsFromHazardsView.as_view(),
        name="targets_from_hazards",
    ),
    path("<int:campaign>/targets/add/", views.TargetChangeView.as_view(mode="add"), name="target_add"),
    path(
        "<int:campaign>/targets/remove/", views.TargetChangeView.as_view(mode="remove"), name="target_remove"
    ),
    # Four-category landlords: the unclaimed list, claims, the unit's page
    path("<int:campaign>/unclaimed/", views.UnclaimedListView.as_view(), name="unclaimed"),
    path("<int:campaign>/claims/new/", views.ClaimAddView.as_view(), name="claim_add"),
    path("<int:campaign>/unit/", views.UnitPageView.as_view(), name="unit_page"),
    path("unit/", views.MyUnitView.as_view(), name="my_unit"),
    path("claims/", views.ClaimListView.as_view(), name="claim_list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("claims/<int:pk>/transfer/", views.ClaimEndView.as_view(mode="transfer"), name="claim_transfer"),
    path("claims/<int:pk>/release/", views.ClaimEndView.as_view(mode="release"), name="claim_release"),
    path("claims/<int:pk>/pledge.pdf", views.ClaimPledgeView.as_view(), name="claim_pledge"),
    path("claims/<int:pk>/history/", ObjectHistoryView.as_view(model=Claim), name="claim_history"),
    # Work groups (专项整治工作组)
    path("workgroups/", views.WorkGroupListView.as_view(), name="workgroup_list"),
    path("<int:campaign>/workgroups/new/", views.WorkGroupEditView.as_view(), name="workgroup_add"),
    path("workgroups/<int:pk>/", views.WorkGroupDetailView.as_view(), name="workgroup_detail"),
    path("workgroups/<int:pk>/edit/", views.WorkGroupEditView.as_view(), name="workgroup_edit"),
    path(
        "workgroups/<int:pk>/history/", ObjectHistoryView.as_view(model=WorkGroup), name="workgroup_history"
    ),
    # The landlord's declaration moved to the portal (portal:declare); an old link still leads there.
    path("portal/declare/", RedirectView.as_view(pattern_name="portal:declare", permanent=True)),
]
