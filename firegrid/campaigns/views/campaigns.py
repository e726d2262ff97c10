"""专项整治行动: the campaign list, the campaign page with its figures (each a link to the list behind
it, counted over the same rows in the user's scope), and the campaign form with its milestones inline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.areas.models import Area
from firegrid.core.filters import filtered_list_url
from firegrid.core.permissions import Action, can
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .. import filters, forms, services, status
from ..choices import ClaimStatus
from ..models import Campaign, CampaignTarget, Claim, WorkGroup
from .common import campaign_url, unclaimed_in_scope, visible_targets
from .units import unit_for

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.core.http import AuthedHttpRequest


def campaign_figures(campaign: Campaign, user: User) -> dict[str, Any]:
    """The campaign page's figures over the user's scope, each with the URL of its list."""
    targets = visible_targets(campaign, user)
    by_progress = dict(
        status.with_progress(targets, campaign).order_by().values_list("progress").annotate(n=Count("pk"))
    )
    total = sum(by_progress.values())
    progress = [
        {
            "key": value,
            "label": label,
            "value": by_progress.get(value, 0),
            "url": campaign_url("target_list", campaign, progress=value),
        }
        for value, label in status.Progress.choices
    ]
    accepted = by_progress.get(status.Progress.ACCEPTED, 0)
    cancelled = by_progress.get(status.Progress.CANCELLED, 0)
    figures: dict[str, Any] = {
        "targets": {"value": total, "url": campaign_url("target_list", campaign)},
        "progress": progress,
        "completion": status.completion(accepted, total, cancelled),
    }
    if can(user, Action.VIEW, Claim):
        claims = Claim.objects.visible_to(user).filter(campaign=campaign, status=ClaimStatus.ACTIVE)
        figures["claims"] = {
            "value": claims.count(),
            "url": filtered_list_url("campaigns:claim_list", campaign=campaign.pk, status=ClaimStatus.ACTIVE),
        }
        figures["unclaimed"] = {
            "value": unclaimed_in_scope(campaign, user).count(),
            "url": campaign_url("unclaimed", campaign),
        }
    return figures


CAMPAIGN_COLUMNS = [
    Column("name", gettext_lazy("名称"), link=True, sort="name"),
    Column("code", gettext_lazy("代号")),
    Column("starts_on", gettext_lazy("开始日期"), sort="starts_on"),
    Column("ends_on", gettext_lazy("结束日期")),
    Column("status", gettext_lazy("状态"), tag=True),
]


class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = filters.CampaignFilterSet
    columns = CAMPAIGN_COLUMNS
    show_area_tree = False


class CampaignDetailView(ObjectDetailView):
    model = Campaign
    template_name = "campaigns/campaign_detail.html"
    request: AuthedHttpRequest
    fields = [
        Column("code", gettext_lazy("代号")),
        Column("period", gettext_lazy("行动期间"), value=lambda c: f"{c.starts_on} — {c.ends_on}"),
        Column("status", gettext_lazy("状态"), value=lambda c: c.get_status_display()),
        Column(
            "areas",
            gettext_lazy("范围"),
            value=lambda c: enumerate_items([a.name for a in c.areas.all()]) or _("全区"),
        ),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        campaign, user = self.object, self.request.user
        context.update(
            milestones=campaign.milestones.all(),
            work_groups=campaign.work_groups.select_related("leader").prefetch_related("areas")
            if can(user, Action.VIEW, WorkGroup)
            else [],
            figures=campaign_figures(campaign, user),
            can_manage_targets=can(user, Action.ADD, CampaignTarget),
            can_add_work_group=can(user, Action.ADD, WorkGroup),
            unit_page=can(user, Action.VIEW, Claim) and unit_for(user, None) is not None,
        )
        return context


class CampaignEditView(ObjectEditView):
    """Create or edit a campaign; its milestones are edited inline and replace the stored ones."""

    model = Campaign
    form_class = forms.CampaignForm
    template_name = "campaigns/campaign_form.html"
    request: AuthedHttpRequest
    milestones: list[services.MilestoneInput]
    formset: forms.BaseMilestoneFormSet

    def milestone_formset(self, form: forms.CampaignForm | None = None) -> forms.BaseMilestoneFormSet:
        if self.request.method == "POST":
            period = None
            if form is not None and form.is_valid():
                starts_on, ends_on = form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on")
                period = (starts_on, ends_on) if starts_on and ends_on else None
            return forms.MilestoneFormSet(self.request.POST, prefix="milestones", period=period)
        initial: list[dict[str, Any]] = []
        if self.object is not None:
            initial = [
                {"name": m.name, "due_on": m.due_on, "scope": m.scope} for m in self.object.milestones.all()
            ]
        return forms.MilestoneFormSet(initial=initial, prefix="milestones")

    def form_valid(self, form: forms.CampaignForm) -> HttpResponse:
        formset = self.milestone_formset(form)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        self.milestones = [
            services.MilestoneInput(m["name"], m["due_on"], m["scope"]) for m in formset.milestones()
        ]
        self.formset = formset
        return super().form_valid(form)

    def form_invalid(self, form: forms.CampaignForm) -> HttpResponse:
        formset = getattr(self, "formset", None) or self.milestone_formset(form)
        formset.is_valid()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[Area]]:
        data = dict(data)
        areas = data.pop("areas", [])
        return data, areas

    def create(self, data: dict[str, Any], *, reason: str) -> Campaign:
        data, areas = self._split(data)
        return services.save_campaign(
            None, data, actor=self.request.user, areas=areas, milestones=self.milestones
        )

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> Campaign:
        data, areas = self._split(data)
        return services.save_campaign(
            self.object,
            data,
            actor=self.request.user,
            areas=areas,
            milestones=self.milestones,
            expected_version=expected_version,
            reason=reason,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", kwargs.get("formset") or self.milestone_formset())
        return context
