"""专项整治工作组: the campaign's work groups — list, page, form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.query import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .. import filters, forms, services
from ..models import Campaign, WorkGroup

if TYPE_CHECKING:
    from firegrid.core.http import AuthedHttpRequest

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

    def get_queryset(self) -> QuerySet[WorkGroup]:
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
    request: AuthedHttpRequest
    campaign: Campaign

    def setup_object(self) -> None:
        super().setup_object()
        if self.object is None:
            self.campaign = get_object_or_404(
                Campaign.objects.visible_to(self.request.user), pk=self.kwargs["campaign"]
            )
        else:
            self.campaign = self.object.campaign

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(data)
        m2m = {name: data.pop(name, None) for name in ("members", "departments", "areas")}
        return data, m2m

    def create(self, data: dict[str, Any], *, reason: str) -> WorkGroup:
        data, m2m = self._split(data)
        return services.save_work_group(None, data, actor=self.request.user, campaign=self.campaign, **m2m)

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> WorkGroup:
        data, m2m = self._split(data)
        return services.save_work_group(
            self.object,
            data,
            actor=self.request.user,
            expected_version=expected_version,
            reason=reason,
            **m2m,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.object is None:
            context["cancel_url"] = reverse("campaigns:campaign_detail", args=[self.campaign.pk])
        return context
