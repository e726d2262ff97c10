"""Planning a patrol (its team, window, kind and route) and its moves: start, finish, cancel.

The moves are one table (`choices.PATROL_MOVES`); each locks the row, checks the version the caller read,
checks the move and who makes it, and writes the audit entry (status before and after) in the same
transaction. Finishing sends `signals.patrol_completed` inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import Area, User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import (
    ConcurrentEditError,
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
)
from firegrid.longterm.queue import walking_route
from firegrid.registry.models import Building

from ..choices import PATROL_MOVES, PatrolKind, PatrolMove
from ..coverage import patrolled_q
from ..models import Patrol, PatrolStop, PatrolTeam
from ..signals import patrol_completed
from .scans import is_member

# A patrol is one shift: a window longer than a day is a typing mistake.
MAX_WINDOW = dt.timedelta(hours=24)


def route_from_area(
    area: Area,
    *,
    actor: User,
    week_of: dt.date | None = None,
    unpatrolled_only: bool = True,
    origin: tuple[float, float] | None = None,
    limit: int | None = None,
) -> list[Building]:
    """A route over `area`'s buildings in the actor's scope — by default those not patrolled in `week_of`'s
    week (today's) — in nearest-neighbour order from `origin` or the buildings' centre (the work queue's
    `walking_route`); buildings without coordinates last, by address."""
    buildings = Building.objects.visible_to(actor).filter(grid_id__in=area.grid_ids())
    if unpatrolled_only:
        buildings = buildings.exclude(patrolled_q(week_of or timezone.localdate()))
    rows = list(buildings.values_list("pk", "latitude", "longitude", "address"))
    placed = {
        pk: (float(lat), float(lng)) for pk, lat, lng, _a in rows if lat is not None and lng is not None
    }
    order: list[int] = []
    if placed:
        if origin is None:
            centre = Building.objects.filter(pk__in=placed).aggregate(
                lat=Avg("latitude"), lng=Avg("longitude")
            )
            origin = (float(centre["lat"]), float(centre["lng"]))
        order = walking_route(placed, origin)
    order += [pk for pk, _lat, _lng, _addr in sorted(rows, key=lambda r: (r[3], r[0])) if pk not in placed]
    if limit is not None:
        order = order[:limit]
    by_pk = Building.objects.in_bulk(order)
    return [by_pk[pk] for pk in order]


def _check_window(window_start: dt.datetime, window_end: dt.datetime) -> None:
    if window_end <= window_start:
        raise ValidationError({"window_end": _("计划结束时间应晚于计划开始时间。")})
    if window_end - window_start > MAX_WINDOW:
        raise ValidationError({"window_end": _("一次巡查的时段不能超过 24 小时。")})


@transaction.atomic
def plan_patrol(
    *,
    team: PatrolTeam,
    kind: str,
    window_start: dt.datetime,
    window_end: dt.datetime,
    buildings: Sequence[Building],
    actor: User,
    area: Area | None = None,
    note: str = "",
) -> Patrol:
    """A planned patrol of `team` over `buildings` in that order (the route), in `area` — the team's
    area or a grid inside it."""
    require(actor, Action.ADD, Patrol)
    require_visible(team, actor)
    errors: dict[str, str] = {}
    if not team.active:
        errors["team"] = _("该巡查队已停用。")
    area = area or team.area
    if not area.path.startswith(team.area.path):
        errors["area"] = _("巡查区域应为巡查队的区域或其中的网格。")
    if kind not in PatrolKind.values:
        errors["kind"] = _("请选择日间或夜间巡查。")
    route = list(dict.fromkeys(buildings))
    if not route:
        errors["buildings"] = _("请至少选择一幢建筑。")
    elif "area" not in errors:
        inside = set(
            Building.objects.visible_to(actor)
            .filter(grid_id__in=area.grid_ids(), pk__in=[b.pk for b in route])
            .values_list("pk", flat=True)
        )
        outside = [str(b) for b in route if b.pk not in inside]
        if outside:
            errors["buildings"] = _("这些建筑不在巡查区域内：%(names)s") % {"names": "、".join(outside[:5])}
    if errors:
        raise ValidationError(errors)
    _check_window(window_start, window_end)
    patrol = Patrol(
        team=team,
        area=area,
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        created_by=actor,
        note=note,
    )
    patrol.full_clean()
    patrol.save()
    PatrolStop.objects.bulk_create(
        PatrolStop(patrol=patrol, building=building, position=i) for i, building in enumerate(route, start=1)
    )
    if not Patrol.objects.visible_to(actor, Action.ADD).filter(pk=patrol.pk).exists():
        raise ValidationError({"area": _("保存后该记录将不在您的管辖范围内，未保存。")})
    after = {**snapshot(patrol), "route": [b.pk for b in route]}
    record_change(actor=actor, action=AuditAction.CREATE, obj=patrol, after=after)
    return patrol


def _may_move(patrol: Patrol, move: str, actor: User) -> None:
    """Who makes a move: a team member starts; a member or an officer who keeps the patrol (not a
    landlord outside the team) finishes; only the planners' roles cancel."""
    member = is_member(patrol.team, actor)
    if move == PatrolMove.START and not member:
        raise PermissionDenied(_("只有本巡查队的队员可以开始巡查。"))
    if move == PatrolMove.FINISH and not member and actor.role == Role.LANDLORD:
        raise PermissionDenied(_("只有本巡查队的队员可以结束巡查。"))
    if move == PatrolMove.CANCEL and actor.role == Role.LANDLORD:
        raise PermissionDenied(_("巡查计划由工作人员取消。"))


def _move(
    patrol: Patrol, move: str, *, actor: User, expected_version: int | None, reason: str = ""
) -> Patrol:
    require(actor, Action.CHANGE, Patrol)
    locked = lock_in_scope(patrol, actor, Action.CHANGE)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked, expected_version)
    sources, target = PATROL_MOVES[move]
    if locked.status not in sources:
        raise ValidationError(
            {
                "status": _("巡查当前为“%(state)s”，不能%(move)s。")
                % {"state": locked.get_status_display(), "move": PatrolMove(move).label}
            }
        )
    _may_move(locked, move, actor)
    before = snapshot(locked)
    now = timezone.now()
    locked.status = target
    if move == PatrolMove.START:
        locked.started_at = now
    elif move == PatrolMove.FINISH:
        locked.finished_at = now
    label = str(PatrolMove(move).label)
    return save_update(locked, before, actor=actor, reason=f"{label}：{reason}" if reason else label)


@transaction.atomic
def start_patrol(patrol: Patrol, *, actor: User, expected_version: int | None = None) -> Patrol:
    """已计划 → 进行中, by a team member. A start outside the window is allowed (its scans are flagged)."""
    return _move(patrol, PatrolMove.START, actor=actor, expected_version=expected_version)


@transaction.atomic
def finish_patrol(patrol: Patrol, *, actor: User, expected_version: int | None = None) -> Patrol:
    """进行中 → 已完成, by a team member or an officer keeping it; sends `patrol_completed` with who scanned."""
    patrol = _move(patrol, PatrolMove.FINISH, actor=actor, expected_version=expected_version)
    scanners = set(patrol.scans.values_list("scanned_by_id", flat=True))
    participants = list(User.objects.filter(pk__in=scanners).order_by("pk"))
    patrol.participants.set(participants)
    patrol_completed.send(sender=Patrol, patrol=patrol, participants=participants, actor=actor)
    return patrol


@transaction.atomic
def cancel_patrol(patrol: Patrol, *, actor: User, reason: str, expected_version: int | None = None) -> Patrol:
    """已计划 → 已取消 (weather, a changed plan), with a reason; by the planners' roles."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写取消原因。")})
    return _move(
        patrol, PatrolMove.CANCEL, actor=actor, expected_version=expected_version, reason=reason.strip()
    )


def moves_for(patrol: Patrol, user: User) -> list[str]:
    """The moves `user` may make on `patrol` now (what the pages offer)."""
    allowed: list[str] = []
    if not can(user, Action.CHANGE, Patrol):
        return allowed
    for move, (sources, _target) in PATROL_MOVES.items():
        if patrol.status not in sources:
            continue
        try:
            _may_move(patrol, move, user)
        except PermissionDenied:
            continue
        allowed.append(move)
    return allowed
