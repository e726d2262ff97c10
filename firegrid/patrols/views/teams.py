"""巡查队: the list, a team's page, and its form (through `services.create_team` / `update_team`, which
check the members against the area and kind)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from firegrid.core.tables import Column, enumerate_items
from firegrid.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from .. import services
from ..filters import PatrolTeamFilterSet
from ..forms import PatrolTeamForm
from ..models import PatrolTeam

TEAM_COLUMNS = [
    Column("name", _("队名"), link=True, sort="name"),
    Column("kind", _("类型"), tag=True),
    Column("area.name", _("巡查区域"), sort="area"),
    Column("leader", _("队长"), value=lambda t: str(t.leader or "")),
    Column("member_count", _("队员数")),
    Column("active", _("在用")),
]


class PatrolTeamListView(ObjectListView[PatrolTeam]):
    model = PatrolTeam
    filterset_class = PatrolTeamFilterSet
    columns = TEAM_COLUMNS
    select_related = ("area", "leader")

    def get_queryset(self) -> QuerySet[PatrolTeam]:
        return super().get_queryset().annotate(member_count=Count("members"))


class PatrolTeamDetailView(ObjectDetailView[PatrolTeam]):
    model = PatrolTeam
    select_related = ("area", "leader")
    fields = [
        Column("name", _("队名")),
        Column("kind", _("类型")),
        Column("area.name", _("巡查区域")),
        Column("leader", _("队长"), value=lambda t: str(t.leader or "")),
        Column("members", _("队员"), value=lambda t: enumerate_items(t.members.order_by("username"))),
        Column("active", _("在用")),
        Column("note", _("备注")),
    ]


class PatrolTeamEditView(ObjectEditView[PatrolTeam, PatrolTeamForm]):
    """New team or change a team: the members chosen among the area's staff or landlords (by kind)."""

    model = PatrolTeam
    form_class = PatrolTeamForm

    def create(self, data: dict[str, Any], *, reason: str) -> PatrolTeam:
        return services.create_team(
            name=data["name"],
            kind=data["kind"],
            area=data["area"],
            members=data.get("members") or [],
            leader=data.get("leader"),
            note=data.get("note", ""),
            active=data.get("active", True),
            actor=self.request.user,
        )

    def update(self, data: dict[str, Any], *, expected_version: int, reason: str) -> PatrolTeam:
        assert self.object is not None
        return services.update_team(
            self.object, data, actor=self.request.user, expected_version=expected_version, reason=reason
        )
