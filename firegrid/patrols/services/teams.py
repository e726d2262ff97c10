"""Patrol teams (巡查队): made and kept by the area roles of a grid or community. A grid workers' team has
area staff of that area as members; a landlord volunteer team (房东自治巡查队) the landlords of that area
who have a portal account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.areas.models import Area, User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot, update_record
from firegrid.registry.models import Landlord

from ..choices import TeamKind
from ..models import PatrolTeam
from ..models.patrols import TEAM_AREA_LEVELS


def member_candidates(area: Area, kind: str, *, actor: User) -> QuerySet[User]:
    """Who may join a team of `kind` in `area`: area staff attached to the area, to an area inside it or
    to one above it (a grid's community officer); or landlords the actor may see who hold premises in the
    area or are registered there, and have an account (the portal's)."""
    users = User.objects.filter(is_active=True)
    if kind == TeamKind.GRID_WORKERS:
        around = Q(areas__path__startswith=area.path) | Q(areas__pk__in=area.ancestor_ids)
        staff = users.filter(around, role__in=AREA_ROLES).values("pk")
        return User.objects.filter(pk__in=staff).order_by("username")
    grids = area.grid_ids()
    landlords = Landlord.objects.visible_to(actor).filter(
        Q(area_id__in=grids) | Q(premises__building__grid_id__in=grids)
    )
    holders = users.filter(role=Role.LANDLORD, landlord__in=landlords.values("pk")).values("pk")
    return User.objects.filter(pk__in=holders).order_by("username")


def _check_area(area: Area, actor: User) -> None:
    if area.level not in TEAM_AREA_LEVELS:
        raise ValidationError({"area": _("巡查队的区域应为网格或社区。")})
    if not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
        raise ValidationError({"area": _("该区域不在您的管辖范围内。")})


def _check_members(area: Area, kind: str, members: list[User], leader: User | None, *, actor: User) -> None:
    errors: dict[str, Any] = {}
    if kind not in TeamKind.values:
        errors["kind"] = _("请选择巡查队类型。")
    elif members:
        allowed = set(member_candidates(area, kind, actor=actor).values_list("pk", flat=True))
        wrong = [user for user in members if user.pk not in allowed]
        if wrong:
            rule = (
                _("网格员巡查队的队员应为负责该区域的工作人员")
                if kind == TeamKind.GRID_WORKERS
                else _("房东自治巡查队的队员应为该区域已开通账号的房东")
            )
            # Counted, not named: an id typed into the API must not tell whose account it is.
            errors["members"] = _("%(rule)s，所选人员中有 %(n)s 人不符合。") % {"rule": rule, "n": len(wrong)}
    if leader is not None and leader.pk not in {user.pk for user in members}:
        errors["leader"] = _("队长应是本队队员。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_team(
    *,
    name: str,
    kind: str,
    area: Area,
    members: Iterable[User],
    actor: User,
    leader: User | None = None,
    note: str = "",
    active: bool = True,
) -> PatrolTeam:
    """A new patrol team of `area` (a grid or community in the actor's scope)."""
    require(actor, Action.ADD, PatrolTeam)
    members = list(dict.fromkeys(members))
    _check_area(area, actor)
    _check_members(area, kind, members, leader, actor=actor)
    team = PatrolTeam(name=name.strip(), kind=kind, area=area, leader=leader, note=note, active=active)
    team.full_clean()
    team.save()
    team.members.set(members)
    if not PatrolTeam.objects.visible_to(actor, Action.ADD).filter(pk=team.pk).exists():
        raise ValidationError({"area": _("保存后该记录将不在您的管辖范围内，未保存。")})
    after = {**snapshot(team), "members": sorted(user.pk for user in members)}
    record_change(actor=actor, action=AuditAction.CREATE, obj=team, after=after)
    return team


@transaction.atomic
def update_team(
    team: PatrolTeam, data: dict[str, Any], *, actor: User, expected_version: int | None, reason: str = ""
) -> PatrolTeam:
    """Change a team (name, kind, area, members, leader, note, active) if nobody changed it since
    `expected_version` was read. The members stay checked against the area and kind."""
    require(actor, Action.CHANGE, team)
    area = data.get("area", team.area)
    kind = data.get("kind", team.kind)
    members = list(data["members"]) if "members" in data else list(team.members.all())
    leader = data.get("leader", team.leader)
    if "area" in data:
        _check_area(area, actor)
    _check_members(area, kind, members, leader, actor=actor)
    return update_record(team, data, actor=actor, expected_version=expected_version, reason=reason)
