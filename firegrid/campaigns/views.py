"""Pages of the campaign command: campaigns, work groups, target premises, claims of four-category
landlords, the unit liaison's page and the landlord's declaration in the portal.

Every figure is a link to the list behind it, computed over the same rows the list shows (the user's
scope included), so the list's count equals the figure.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from firegrid.areas.choices import DISTRICT_WIDE_ROLES, Role
from firegrid.areas.models import Unit
from firegrid.core.filters import filtered_list_url
from firegrid.core.permissions import Action, can
from firegrid.core.services import ConcurrentEditError
from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView, ScopedMixin
from firegrid.portal.views import PortalMixin
from firegrid.rectification.models import Plan
from firegrid.registry.models import Landlord, Premises
from firegrid.registry.views import LANDLORD_COLUMNS, PREMISES_COLUMNS

from . import filters, forms, pledges, ranking, services, status
from .choices import CampaignStatus, ClaimStatus
from .models import Campaign, CampaignTarget, Claim, WorkGroup
from .scope import unclaimed_landlords


def campaign_url(name: str, campaign: Campaign, **params) -> str:
    url = reverse(f"campaigns:{name}", args=[campaign.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def visible_targets(campaign: Campaign, user):
    return Premises.objects.visible_to(user, Action.VIEW).filter(campaign_targets__campaign=campaign)


def campaign_figures(campaign: Campaign, user) -> dict:
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
    figures = {
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


def unclaimed_in_scope(campaign: Campaign, user):
    return unclaimed_landlords(campaign).filter(pk__in=Landlord.objects.visible_to(user).values("pk"))


# --- campaigns -----------------------------------------------------------------------------------------

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

    def get_context_data(self, **kwargs):
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

    def milestone_formset(self, form=None):
        if self.request.method == "POST":
            period = None
            if form is not None and form.is_valid():
                starts_on, ends_on = form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on")
                period = (starts_on, ends_on) if starts_on and ends_on else None
            return forms.MilestoneFormSet(self.request.POST, prefix="milestones", period=period)
        initial = []
        if self.object is not None:
            initial = [
                {"name": m.name, "due_on": m.due_on, "scope": m.scope} for m in self.object.milestones.all()
            ]
        return forms.MilestoneFormSet(initial=initial, prefix="milestones")

    def form_valid(self, form):
        formset = self.milestone_formset(form)
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        self.milestones = [
            services.MilestoneInput(m["name"], m["due_on"], m["scope"]) for m in formset.milestones()
        ]
        self.formset = formset
        return super().form_valid(form)

    def form_invalid(self, form):
        formset = getattr(self, "formset", None) or self.milestone_formset(form)
        formset.is_valid()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def _split(self, data: dict) -> tuple[dict, list]:
        data = dict(data)
        areas = data.pop("areas", [])
        return data, areas

    def create(self, data: dict, *, reason: str):
        data, areas = self._split(data)
        return services.save_campaign(
            None, data, actor=self.request.user, areas=areas, milestones=self.milestones
        )

    def update(self, data: dict, *, expected_version: int, reason: str):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", kwargs.get("formset") or self.milestone_formset())
        return context


# --- work groups ---------------------------------------------------------------------------------------

WORK_GROUP_COLUMNS = [
    Column("name", gettext_lazy("名称"), link=True, sort="name"),
    Column("campaign.name", gettext_lazy("专项整治行动")),
    Column("leader", gettext_lazy("网格长"), value=lambda g: str(g.leader or "")),
    Column(
        "areas", gettext_lazy("负责区域"), value=lambda g: enumerate_items([a.name for a in g.areas.all()])
    ),
]


class WorkGroupListView(ObjectListView):
    model = WorkGroup
    filterset_class = filters.WorkGroupFilterSet
    columns = WORK_GROUP_COLUMNS
    select_related = ("campaign", "leader")
    show_area_tree = False

    def get_queryset(self):
        return super().get_queryset().prefetch_related("areas")


class WorkGroupDetailView(ObjectDetailView):
    model = WorkGroup
    select_related = ("campaign", "leader")
    fields = [
        Column("campaign.name", gettext_lazy("专项整治行动")),
        Column("leader", gettext_lazy("网格长"), value=lambda g: str(g.leader or "")),
        Column(
            "members",
            gettext_lazy("成员"),
            value=lambda g: enumerate_items([str(u) for u in g.members.all()]),
        ),
        Column(
            "departments",
            gettext_lazy("成员部门"),
            value=lambda g: enumerate_items([d.name for d in g.departments.all()]),
        ),
        Column(
            "areas",
            gettext_lazy("负责区域"),
            value=lambda g: enumerate_items([a.name for a in g.areas.all()]),
        ),
    ]


class WorkGroupEditView(ObjectEditView):
    model = WorkGroup
    form_class = forms.WorkGroupForm

    def setup_object(self):
        super().setup_object()
        if self.object is None:
            self.campaign = get_object_or_404(
                Campaign.objects.visible_to(self.request.user), pk=self.kwargs["campaign"]
            )
        else:
            self.campaign = self.object.campaign

    def _split(self, data: dict):
        data = dict(data)
        m2m = {name: data.pop(name, None) for name in ("members", "departments", "areas")}
        return data, m2m

    def create(self, data: dict, *, reason: str):
        data, m2m = self._split(data)
        return services.save_work_group(None, data, actor=self.request.user, campaign=self.campaign, **m2m)

    def update(self, data: dict, *, expected_version: int, reason: str):
        data, m2m = self._split(data)
        return services.save_work_group(
            self.object,
            data,
            actor=self.request.user,
            expected_version=expected_version,
            reason=reason,
            **m2m,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is None:
            context["cancel_url"] = reverse("campaigns:campaign_detail", args=[self.campaign.pk])
        return context


# --- target premises -----------------------------------------------------------------------------------

TARGET_COLUMNS = [
    *PREMISES_COLUMNS[:-1],
    Column(
        "progress",
        gettext_lazy("整治进度"),
        value=lambda p: status.Progress(p.progress).label if getattr(p, "progress", None) else "",
        tag=True,
    ),
]


class CampaignMixin:
    def get_campaign(self) -> Campaign:
        if not hasattr(self, "campaign"):
            self.campaign = get_object_or_404(
                Campaign.objects.visible_to(self.request.user), pk=self.kwargs["campaign"]
            )
        return self.campaign


class TargetListView(CampaignMixin, ObjectListView):
    """整治对象: the campaign's target premises in the user's scope, with their progress today."""

    model = Premises
    filterset_class = filters.TargetPremisesFilterSet
    columns = TARGET_COLUMNS
    template_name = "campaigns/target_list.html"

    def get(self, request, *args, **kwargs):
        if not can(request.user, Action.VIEW, CampaignTarget):
            raise PermissionDenied(_("您的角色无权查看此列表。"))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            verbose_name_plural=_("整治对象"),
            can_manage_targets=can(self.request.user, Action.ADD, CampaignTarget),
            target_form=forms.TargetForm(),
        )
        return context


class TargetsFromHazardsView(CampaignMixin, LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, campaign):
        campaign = self.get_campaign()
        added = services.add_targets_from_hazards(campaign, actor=request.user)
        messages.success(request, _("已加入整治对象 %(n)s 户。") % {"n": added})
        return redirect(campaign_url("target_list", campaign))


class TargetChangeView(CampaignMixin, LoginRequiredMixin, View):
    """POST: add (`add`) or remove (`remove`) one premises by its number."""

    http_method_names = ["post"]
    mode = "add"

    def post(self, request, campaign):
        campaign = self.get_campaign()
        form = forms.TargetForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写出租户编号。"))
            return redirect(campaign_url("target_list", campaign))
        pk, reason = form.cleaned_data["premises"], form.cleaned_data["reason"]
        try:
            if self.mode == "add":
                premises = get_object_or_404(Premises.objects.visible_to(request.user), pk=pk)
                services.add_target(campaign, premises, actor=request.user, reason=reason)
                messages.success(request, _("已加入整治对象：%(p)s") % {"p": premises})
            else:
                target = get_object_or_404(
                    CampaignTarget.objects.filter(
                        campaign=campaign, premises__in=Premises.objects.visible_to(request.user)
                    ),
                    premises_id=pk,
                )
                services.remove_target(target, actor=request.user, reason=reason)
                messages.success(request, _("已移出整治对象：%(p)s") % {"p": target.premises})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(campaign_url("target_list", campaign))


# --- claims --------------------------------------------------------------------------------------------

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

    def get_context_data(self, **kwargs):
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

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.get_campaign()
            self.check_action(Claim)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        # From the unclaimed list's 认领: the landlord filled in, and the unit the claim will most likely
        # be for — a liaison's own (the only one they may claim for), else the landlord's employer.
        initial = {"landlord": self.request.GET.get("landlord")}
        user = self.request.user
        if user.role == Role.UNIT_LIAISON:
            initial["unit"] = user.unit_id
        elif (landlord := self._landlord()) is not None and landlord.employer_unit_id:
            initial["unit"] = landlord.employer_unit_id
        return initial

    def form_valid(self, form):
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
            ObjectEditView._add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已认领：%(claim)s") % {"claim": claim})
        return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(campaign=self.campaign, landlord=self._landlord())
        return context

    def _landlord(self):
        pk = self.request.POST.get("landlord") or self.request.GET.get("landlord")
        if pk and str(pk).isdigit():
            return Landlord.objects.visible_to(self.request.user).filter(pk=pk).first()
        return None


class ClaimEndView(LoginRequiredMixin, View):
    """POST: transfer (`transfer`) or release (`release`) a claim, with a reason."""

    http_method_names = ["post"]
    mode = "release"

    def post(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        if not can(request.user, Action.CHANGE, claim):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        form = (forms.TransferForm if self.mode == "transfer" else forms.ReleaseForm)(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
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

    def get(self, request, pk):
        claim = get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)
        try:
            claim = pledges.issue_unit_pledge(claim, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("campaigns:claim_detail", args=[claim.pk]))
        response = HttpResponse(
            pledges.render_unit_pledge(claim.pledge_content), content_type="application/pdf"
        )
        filename = f"{claim.pledge_serial}-{claim.landlord.name}.pdf"
        response["Content-Disposition"] = content_disposition_header(False, filename)
        return response


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


def may_claim_in(campaign: Campaign, user) -> bool:
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

    def get(self, request, *args, **kwargs):
        if not can(request.user, Action.VIEW, Claim):
            raise PermissionDenied(_("您的角色无权查看此列表。"))
        self.can_claim = may_claim_in(self.get_campaign(), request.user)
        if self.can_claim:
            self.columns = [*LANDLORD_COLUMNS, claim_column(self.campaign)]
        return super().get(request, *args, **kwargs)

    def export(self):
        # The workbook lists the landlords; the row action is for the page only.
        self.columns = LANDLORD_COLUMNS
        return super().export()

    def get_queryset(self):
        campaign = self.get_campaign()
        base = unclaimed_in_scope(campaign, self.request.user).select_related(*self.select_related)
        self.filterset = self.filterset_class(self.request.GET, queryset=base, request=self.request)
        if not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            verbose_name_plural=_("未认领的四类人员房东"),
            can_claim=self.can_claim,
            add_url="",
        )
        return context


# --- the unit liaison's page ---------------------------------------------------------------------------


def unit_for(user, requested: str | None) -> Unit | None:
    """The unit whose page this user sees: a liaison's own; the command may look at any unit."""
    if user.role == Role.UNIT_LIAISON:
        return user.unit
    if (user.is_superuser or user.role in DISTRICT_WIDE_ROLES) and requested and str(requested).isdigit():
        return Unit.objects.filter(pk=requested).first()
    return None


class UnitPageView(CampaignMixin, LoginRequiredMixin, TemplateView):
    """本单位: the unit's claimed landlords, each premises' progress and deadline, the unit's rank today."""

    template_name = "campaigns/unit_page.html"

    def get(self, request, *args, **kwargs):
        if not can(request.user, Action.VIEW, Claim):
            raise PermissionDenied(_("您的角色无权查看此页面。"))
        self.get_campaign()
        self.unit = unit_for(request.user, request.GET.get("unit"))
        if self.unit is None and request.user.role == Role.UNIT_LIAISON:
            raise PermissionDenied(_("您的账号未关联单位，请联系管理员。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, unit, user = self.campaign, self.unit, self.request.user
        context.update(campaign=campaign, unit=unit, rule=ranking.RANKING_RULE)
        table = ranking.unit_ranking(campaign)
        context["ranking"] = table
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
                Premises.objects.filter(
                    landlord__in=[c.landlord_id for c in claims], campaign_targets__campaign=campaign
                ),
                campaign,
            )
            .annotate(
                plan_deadline=Subquery(plans.values("deadline")[:1]), plan_id=Subquery(plans.values("pk")[:1])
            )
            .select_related("building")
            .order_by("building__address", "pk")
        )
        by_landlord: dict[int, list] = {}
        for p in premises:
            p.progress_label = status.Progress(p.progress).label
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

    def get(self, request):
        campaign = Campaign.objects.current() or Campaign.objects.order_by("-starts_on", "-pk").first()
        if campaign is None:
            raise Http404(_("还没有专项整治行动。"))
        return redirect(campaign_url("unit_page", campaign))


# --- the landlord's declaration in the portal --------------------------------------------------------


class DeclareView(PortalMixin, FormView):
    """房东申报: a signed-in landlord says whether they are four-category and where they work."""

    template_name = "campaigns/portal_declare.html"
    form_class = forms.DeclareForm

    def get_landlord(self) -> Landlord:
        landlord = self.request.user.landlord
        if landlord is None:
            raise Http404
        return landlord

    def get_initial(self):
        landlord = self.get_landlord()
        return {
            "categories": [flag for flag in services.FOUR_CATEGORY_FLAGS if getattr(landlord, flag)],
            "employer_unit": landlord.employer_unit_id,
        }

    def form_valid(self, form):
        chosen = set(form.cleaned_data["categories"])
        try:
            services.declare_four_category(
                self.get_landlord(),
                actor=self.request.user,
                flags={flag: flag in chosen for flag in services.FOUR_CATEGORY_FLAGS},
                employer_unit=form.cleaned_data["employer_unit"],
            )
        except ValidationError as exc:
            ObjectEditView._add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存您的申报。"))
        return redirect(reverse("portal:home"))
