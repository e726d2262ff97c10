"""巡查打卡: recording a scan of a building's QR plate (or of a premises' door code, which counts for its
building) during a patrol under way. A scan off the route or outside the window is recorded and flagged,
never refused; a replay with the same `client_uuid` is the first scan."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, snapshot
from firegrid.registry.models import Building, Premises

from ..checks import check_scan
from ..choices import PatrolStatus, ScanSource
from ..models import Patrol, PatrolScan, PatrolTeam

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=2)


def is_member(team: PatrolTeam, user: User) -> bool:
    """Team membership decides who may start a patrol and scan on it."""
    return team.leader_id == user.pk or team.members.filter(pk=user.pk).exists()


def current(patrol: Patrol, actor: User) -> Patrol:
    """The patrol as stored now (its status may have moved since the page was read), if the actor sees it."""
    found = Patrol.objects.visible_to(actor).select_related("team", "area").filter(pk=patrol.pk).first()
    if found is None:
        raise PermissionDenied(_("该记录不在您的管辖范围内。"))
    return found


def scannable_buildings(patrol: Patrol, user: User) -> QuerySet[Building]:
    """The buildings a member may scan on this patrol: those of the patrol's area (a landlord volunteer's
    neighbourhood too) and those in the user's own scope. Any other building is out of scope (404)."""
    own = Building.objects.visible_to(user).values("pk")
    return Building.objects.filter(Q(grid_id__in=patrol.area.grid_ids()) | Q(pk__in=own))


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({"client_uuid": _("客户端编号格式不正确。")}) from None


def position(latitude: object, longitude: object) -> tuple[Decimal | None, Decimal | None]:
    """The phone's position as given (both or neither): optional evidence, checked when present."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat, lng = Decimal(str(latitude)), Decimal(str(longitude))
    except InvalidOperation:
        raise ValidationError({"latitude": _("位置格式不正确。")}) from None
    if not (lat.is_finite() and lng.is_finite()):
        raise ValidationError({"latitude": _("位置格式不正确。")})
    return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


def _replay(scan: PatrolScan, patrol: Patrol, actor: User) -> PatrolScan:
    if scan.patrol_id != patrol.pk or scan.scanned_by_id != actor.pk:
        raise ValidationError({"client_uuid": _("该客户端编号已被另一次打卡使用。")})
    return scan


@transaction.atomic
def record_scan(
    patrol: Patrol,
    building: Building,
    *,
    actor: User,
    client_uuid: uuid.UUID | str,
    premises: Premises | None = None,
    source: str = ScanSource.BUILDING_QR,
    latitude: object = None,
    longitude: object = None,
    scanned_at: dt.datetime | None = None,
) -> PatrolScan:
    """Record that `actor` scanned `building` on `patrol` (under way, on a team they belong to).

    `scanned_at` is the phone's time for a scan sent late (offline in a stairwell): not in the future,
    not before the patrol started; by default now. The position, if the phone gave one, is kept with the
    scan only. Returns the first scan for a replayed `client_uuid`.
    """
    key = as_uuid(client_uuid)
    replayed = PatrolScan.objects.filter(client_uuid=key).first()
    if replayed is not None:
        return _replay(replayed, patrol, actor)
    require(actor, Action.ADD, PatrolScan)
    patrol = current(patrol, actor)
    if not is_member(patrol.team, actor):
        raise PermissionDenied(_("只有本巡查队的队员可以打卡。"))
    if not scannable_buildings(patrol, actor).filter(pk=building.pk).exists():
        raise PermissionDenied(_("该建筑不在您的巡查范围内。"))
    if patrol.status != PatrolStatus.IN_PROGRESS:
        raise ValidationError(_("巡查当前为“%(state)s”，不能打卡。") % {"state": patrol.get_status_display()})
    if premises is not None and premises.building_id != building.pk:
        raise ValidationError({"premises": _("出租户不在所扫建筑内。")})
    if source not in ScanSource.values:
        raise ValidationError({"source": _("打卡方式不正确。")})
    now = timezone.now()
    when = scanned_at or now
    if when > now + CLOCK_SKEW:
        raise ValidationError({"scanned_at": _("打卡时间不能晚于现在。")})
    if patrol.started_at is not None and when < patrol.started_at - CLOCK_SKEW:
        raise ValidationError({"scanned_at": _("打卡时间不能早于巡查开始时间。")})
    lat, lng = position(latitude, longitude)
    scan = PatrolScan(
        patrol=patrol,
        building=building,
        premises=premises,
        source=source,
        scanned_at=when,
        latitude=lat,
        longitude=lng,
        scanned_by=actor,
        on_route=patrol.stops.filter(building=building).exists(),
        in_window=patrol.window_start <= when <= patrol.window_end,
        client_uuid=key,
    )
    scan.full_clean(exclude=["client_uuid"])
    try:
        with transaction.atomic():
            scan.save()
    except IntegrityError:
        # The same scan sent twice at once (a double tap on a slow network): the first one stands.
        replayed = PatrolScan.objects.filter(client_uuid=key).first()
        if replayed is None:
            raise
        return _replay(replayed, patrol, actor)
    patrol.participants.add(actor)
    record_change(actor=actor, action=AuditAction.CREATE, obj=scan, after=snapshot(scan))
    check_scan(scan)
    return scan
