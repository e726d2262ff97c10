"""The plan list's FilterSet: web list, export and drill-downs (and the API) filter plans the same way."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.areas.models import User
from firegrid.core.filters import FiregridFilterSet
from firegrid.core.ordering import TODO_FIRST_HELP, TodoFirst
from firegrid.registry.models import Landlord, Premises

from .choices import OPEN_STATES, PlanState
from .models import Plan, PlanItem

# The badge of a plan (and of its hazards) whose landlord asked for the recheck: the work queue's name.
RECHECK_REQUESTED_BADGE = _("房东申请复查")


def recheck_requested_hazards() -> Q:
    """Hazards of a plan whose landlord asked for the recheck: an uncorrelated IN, which the database
    computes once for the page (few plans wait for a recheck), not once per hazard."""
    plans = PlanItem.objects.filter(plan__state=PlanState.RECHECK_REQUESTED)
    return Q(pk__in=plans.values("hazard_id"))


def plan_campaigns(request: HttpRequest | None) -> QuerySet[Any]:
    """The campaigns plans may belong to: the model behind `Plan.campaign` (campaigns sit above
    rectification in the layers, so it is reached through the foreign key, never imported)."""
    campaign = Plan._meta.get_field("campaign").related_model
    assert campaign is not None and not isinstance(campaign, str)  # a resolved foreign key
    return campaign._default_manager.all()


def plan_officers(request: HttpRequest | None) -> QuerySet[User]:
    """Officers of the plans the user can see: a select of every user would leak names out of scope
    (and most roles may not list users at all)."""
    if request is None:
        return User.objects.none()
    if not request.user.is_authenticated:  # the list pages are for signed-in users only
        return User.objects.none()
    visible = Plan.objects.visible_to(request.user).values("officer_id")
    return User.objects.filter(pk__in=visible).order_by("full_name", "username")


class PlanFilterSet(FiregridFilterSet):
    search_fields = (
        "premises__building__address",
        "premises__unit_label",
        "premises__business_name",
        "landlord__name",
    )
    area_lookup = "premises__building__grid_id"
    form_fields = ("q", "state", "overdue", "campaign", "officer")

    state = django_filters.MultipleChoiceFilter(choices=PlanState.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已过整改期限"))
    campaign = django_filters.ModelChoiceFilter(queryset=plan_campaigns, label=_("专项整治行动"))
    officer = django_filters.ModelChoiceFilter(queryset=plan_officers, label=_("责任人"))
    premises = django_filters.ModelChoiceFilter(queryset=Premises.objects.all(), label=_("出租户"))
    landlord = django_filters.ModelChoiceFilter(queryset=Landlord.objects.all(), label=_("房东"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("deadline", "deadline"),
            ("premises__sort_key", "address"),
            ("hazard_count", "hazards"),
            ("updated_at", "updated_at"),
        ),
        field_labels={
            "deadline": _("整改期限"),
            "premises__sort_key": _("地址"),
            "hazard_count": _("隐患数"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
        help_text=TODO_FIRST_HELP,
    )

    class Meta:
        model = Plan
        fields = ["q", "area", "state", "overdue", "campaign", "officer", "premises", "landlord"]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The hazard count is a column and a sort key: one annotated query, not one count per row.
        if "hazard_count" not in queryset.query.annotations:
            queryset = queryset.annotate(hazard_count=Count("items", distinct=True))
        return super().filter_queryset(queryset)

    def todo_first(self) -> TodoFirst:
        """A landlord's recheck request on top; open plans by deadline (overdue first); closed ones last."""
        return TodoFirst(
            flagged=Q(state=PlanState.RECHECK_REQUESTED),
            badge=RECHECK_REQUESTED_BADGE,
            open=Q(state__in=OPEN_STATES),
            deadline="deadline",
            newest=("-pk",),
        )

    def filter_overdue(self, queryset: QuerySet[Plan], name: str, value: bool | None) -> QuerySet[Plan]:
        """Open plans whose deadline has passed, whether or not the nightly run has marked them yet."""
        if value is None:
            return queryset
        passed = {"state__in": OPEN_STATES, "deadline__lt": timezone.localdate()}
        return queryset.filter(**passed) if value else queryset.exclude(**passed)
