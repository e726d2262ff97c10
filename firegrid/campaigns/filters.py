"""FilterSets of the campaign command: web lists, API and figure drill-downs use the same ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef
from django.db.models.query import QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import Unit
from firegrid.core.filters import FiregridFilterSet
from firegrid.registry.filters import LandlordFilterSet, PremisesFilterSet
from firegrid.registry.models import Premises

from . import status
from .choices import CampaignStatus, ClaimStatus
from .models import Campaign, CampaignTarget, Claim, WorkGroup


class CampaignFilterSet(FiregridFilterSet):
    search_fields = ("name", "code")
    form_fields = ("q", "status")

    status = django_filters.MultipleChoiceFilter(choices=CampaignStatus.choices, label=_("状态"))
    sort = django_filters.OrderingFilter(
        fields=(("starts_on", "starts_on"), ("name", "name")),
        field_labels={"starts_on": _("开始日期"), "name": _("名称")},
        label=_("排序"),
    )

    class Meta:
        model = Campaign
        fields = ["q", "status"]


class WorkGroupFilterSet(FiregridFilterSet):
    search_fields = ("name",)
    form_fields = ("q", "campaign")

    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"),), field_labels={"name": _("名称")}, label=_("排序")
    )

    class Meta:
        model = WorkGroup
        fields = ["q", "campaign"]


class ClaimFilterSet(FiregridFilterSet):
    search_fields = ("landlord__name", "unit__name")
    area_lookup = "landlord__area_id"
    form_fields = ("q", "campaign", "status", "unit")

    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), label=_("单位"))
    status = django_filters.MultipleChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))
    sort = django_filters.OrderingFilter(
        fields=(("claimed_at", "claimed_at"), ("landlord__name", "landlord")),
        field_labels={"claimed_at": _("认领时间"), "landlord__name": _("房东")},
        label=_("排序"),
    )

    class Meta:
        model = Claim
        fields = ["q", "area", "campaign", "unit", "status", "landlord"]


PROGRESS_FILTER_LABEL = _("整治进度")


class TargetPremisesFilterSet(PremisesFilterSet):
    """The campaign's target premises (整治对象) with their progress (status.py): each figure on the
    campaign page links here with `progress=…`, and the count equals the figure."""

    form_fields = ("q", "progress", "kind", "four_category", "claimed")

    progress = django_filters.MultipleChoiceFilter(
        choices=status.Progress.choices, method="filter_progress", label=PROGRESS_FILTER_LABEL
    )
    claimed = django_filters.BooleanFilter(method="filter_claimed", label=_("已被单位认领"))
    # The premises of the landlords a unit holds active claims on: the targets behind the unit's row of
    # the report and its forecast on the dashboard. From the URL only (hidden in the search form).
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), method="filter_unit", label=_("单位")
    )

    class Meta(PremisesFilterSet.Meta):
        fields = [*PremisesFilterSet.Meta.fields, "progress", "claimed", "unit"]

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def filter_progress(
        self, queryset: QuerySet[Premises], name: str, value: list[str]
    ) -> QuerySet[Premises]:
        return status.in_progress(queryset, self.campaign, list(value)) if value else queryset

    def filter_claimed(
        self, queryset: QuerySet[Premises], name: str, value: bool | None
    ) -> QuerySet[Premises]:
        if value is None:
            return queryset
        claims = Claim.objects.filter(
            campaign=self.campaign, status=ClaimStatus.ACTIVE, landlord=OuterRef("landlord")
        )
        return queryset.filter(Exists(claims)) if value else queryset.exclude(Exists(claims))

    def filter_unit(self, queryset: QuerySet[Premises], name: str, value: Unit | None) -> QuerySet[Premises]:
        if value is None:
            return queryset
        claims = Claim.objects.filter(
            campaign=self.campaign, status=ClaimStatus.ACTIVE, unit=value, landlord=OuterRef("landlord")
        )
        return queryset.filter(Exists(claims))


class CampaignTargetFilterSet(FiregridFilterSet):
    """Memberships as rows of the API (campaign, premises, source, joined and left), with the same
    `progress` filter (over the campaign's targets on its reference day), `current` (not removed) and
    `member_on` (members on that day: status.member_q, the one definition)."""

    search_fields = ("premises__building__address", "premises__unit_label", "premises__landlord__name")
    area_lookup = "premises__building__grid_id"

    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), label=_("专项整治行动"))
    progress = django_filters.MultipleChoiceFilter(
        choices=status.Progress.choices, method="filter_progress", label=PROGRESS_FILTER_LABEL
    )
    current = django_filters.BooleanFilter(method="filter_current", label=_("当前整治对象（未移出）"))
    member_on = django_filters.DateFilter(method="filter_member_on", label=_("某日的整治对象"))

    class Meta:
        model = CampaignTarget
        fields = ["q", "area", "campaign", "source", "progress", "current", "member_on"]

    def filter_progress(
        self, queryset: QuerySet[CampaignTarget], name: str, value: list[str]
    ) -> QuerySet[CampaignTarget]:
        campaign = self.form.cleaned_data.get("campaign")
        if not value:
            return queryset
        if campaign is None:
            # Progress is a campaign's: without one it cannot be read.
            return queryset.none()
        day = status.reference_day(campaign)
        premises = status.in_progress(status.members_on(campaign, day), campaign, list(value), day)
        return queryset.filter(status.member_q(day), premises__in=premises.values("pk"))

    def filter_current(
        self, queryset: QuerySet[CampaignTarget], name: str, value: bool | None
    ) -> QuerySet[CampaignTarget]:
        if value is None:
            return queryset
        return queryset.filter(left_on__isnull=value)

    def filter_member_on(
        self, queryset: QuerySet[CampaignTarget], name: str, value: dt.date | None
    ) -> QuerySet[CampaignTarget]:
        return queryset.filter(status.member_q(value)) if value else queryset


class UnclaimedLandlordFilterSet(LandlordFilterSet):
    form_fields = ("q", "category", "employer_unit")
