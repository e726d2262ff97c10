"""Tenant moves (流管通): a landlord registers a tenant household moving in or out of their premises; a
grid worker confirms the move at the next visit. Each write goes through the core record services
(permission, scope re-check, audit in the same transaction) and sends `signals.tenant_moved`.

Occupancy (people per room, per premises) is read from the current households (`occupancy`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, Role
from firegrid.core.permissions import Action
from firegrid.core.services import create_record, lock_in_scope, update_record

from .models import Premises, Room, TenantHousehold, TenantHouseholdQuerySet
from .signals import tenant_moved

if TYPE_CHECKING:
    from firegrid.areas.models import User

Move = Literal["in", "out"]


def _reported_by_landlord(actor: User) -> bool:
    return actor.role == Role.LANDLORD


def _send(household: TenantHousehold, move: Move, actor: User) -> None:
    tenant_moved.send(sender=TenantHousehold, household=household, move=move, actor=actor)


@transaction.atomic
def register_move_in(
    premises: Premises,
    *,
    head_name: str,
    id_number: str,
    people: int,
    moved_in: dt.date,
    actor: User,
    mobile: str = "",
    room: Room | None = None,
) -> TenantHousehold:
    """A tenant household moves into `premises`. Reported by the landlord it waits for a grid worker's
    confirmation; registered by a grid worker (found at a visit) it is confirmed as it is written."""
    now = timezone.now()
    data: dict[str, Any] = {
        "premises": premises,
        "room": room,
        "head_name": head_name,
        "id_number": id_number,
        "mobile": mobile,
        "people": people,
        "moved_in": moved_in,
    }
    if _reported_by_landlord(actor):
        data["reported_by_landlord_at"] = now
    else:
        data.update(confirmed_at=now, confirmed_by=actor)
    household = create_record(TenantHousehold, data, actor=actor, reason=_("租户入住登记"))
    # After create_record's full_clean: the ID number is checked and normalised by then.
    already = (
        TenantHousehold.objects.current()
        .filter(premises=premises, id_number=household.id_number)
        .exclude(pk=household.pk)
    )
    if already.exists():
        raise ValidationError({"id_number": _("该身份证号码的租户已在此出租户登记在住。")})
    _send(household, "in", actor)
    return household


@transaction.atomic
def register_move_out(household: TenantHousehold, moved_out: dt.date, *, actor: User) -> TenantHousehold:
    """The household moves out on `moved_out`. A landlord's report waits for confirmation again."""
    current = lock_in_scope(household, actor, Action.CHANGE)
    if current.moved_out is not None:
        raise ValidationError({"moved_out": _("该租户已登记搬离。")})
    data: dict[str, Any] = {"moved_out": moved_out}
    if _reported_by_landlord(actor):
        data.update(move_out_reported_at=timezone.now(), confirmed_at=None, confirmed_by=None)
    else:
        data.update(confirmed_at=timezone.now(), confirmed_by=actor)
    saved = update_record(
        current, data, actor=actor, expected_version=current.version, reason=_("租户搬离登记")
    )
    _send(saved, "out", actor)
    return saved


@transaction.atomic
def confirm_move(household: TenantHousehold, *, actor: User) -> TenantHousehold:
    """A grid worker (or an officer of the area) confirms at a visit what the landlord reported."""
    if actor.role not in AREA_ROLES:
        raise PermissionDenied(_("租户变动由网格员或社区、街道工作人员核实。"))
    current = lock_in_scope(household, actor, Action.CHANGE)
    if not current.awaiting_confirmation:
        raise ValidationError(_("该租户变动已核实或无需核实。"))
    return update_record(
        current,
        {"confirmed_at": timezone.now(), "confirmed_by": actor},
        actor=actor,
        expected_version=current.version,
        reason=_("核实租户变动"),
    )


def moves_awaiting_confirmation(user: User) -> TenantHouseholdQuerySet:
    """Landlord-reported moves in `user`'s scope that wait for a grid worker (待核实): the list page's rows
    and what a work-queue source reads ("租户变动待核实")."""
    return TenantHousehold.objects.visible_to(user).awaiting_confirmation()


@dataclass
class Occupancy:
    """Who lives in a premises now: people per room (by room id; None: no room given) and in all."""

    total: int = 0
    by_room: dict[int | None, int] = field(default_factory=dict)


def occupancy(premises: Premises, on: dt.date | None = None) -> Occupancy:
    """Current occupancy of a premises from its current tenant households (moved in, not moved out)."""
    rows = (
        TenantHousehold.objects.current(on)
        .filter(premises=premises)
        .values("room_id")
        .annotate(people=Sum("people"))
        .order_by("room_id")
    )
    result = Occupancy()
    for row in rows:
        result.by_room[row["room_id"]] = row["people"] or 0
        result.total += row["people"] or 0
    return result
