"""Monitoring operations: opening or adding to an alert case from an alarm (the ingester's), telling the
landlord and the grid workers, moving a case (acknowledge, visit, close — people only), and marking silent
devices offline (the job's). Devices themselves are created and changed through `core.services`
(`create_record` / `update_record`: role, scope re-check, audit).

Each move locks the case, checks the version the caller read (a concurrent move is a
`ConcurrentEditError`: the second mover is told the case already moved), checks the move against the one
table (`choices.CASE_MOVES`), and writes the audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core import notifications
from firegrid.core.models import AuditAction, NotificationKind
from firegrid.core.permissions import Action, can
from firegrid.core.services import (
    ConcurrentEditError,
    lock_in_scope,
    record_change,
    require,
    save_update,
    snapshot,
)

from .choices import CASE_MOVES, CaseMove, CaseOutcome, CaseState, DeviceState, EventKind
from .conf import setting
from .models import AlertCase, Device, DeviceEvent
from .signals import alert_case_closed

log = logging.getLogger(__name__)


def open_case(device: Device, alarm_at: dt.datetime) -> AlertCase:
    """A new case for `device`'s alarm (the caller holds the transaction and knows none is open), audited
    as the system's, with its messages sent."""
    case = AlertCase.objects.create(
        device=device,
        premises_id=device.premises_id,
        room_id=device.room_id,
        kind=device.kind,
        opened_at=alarm_at,
        last_alarm_at=alarm_at,
        alarm_count=1,
    )
    record_change(actor=None, action=AuditAction.CREATE, obj=case, after=snapshot(case))
    notify_case(case)
    return case


def case_recipients(case: AlertCase) -> list[User]:
    """The grid workers of the premises' grid (active accounts)."""
    grid_id = case.premises.building.grid_id
    return list(
        User.objects.filter(role=Role.GRID_WORKER, is_active=True, areas__id=grid_id)
        .distinct()
        .order_by("pk")
    )


def notify_case(case: AlertCase) -> int:
    """Tell the landlord and the grid's workers (inbox, and SMS to a mobile): one message per case and
    recipient (the key names both), so a second call sends nothing more. Returns how many were sent."""
    case = AlertCase.objects.select_related("premises__building", "premises__landlord__user", "device").get(
        pk=case.pk
    )
    link = reverse("monitoring:alertcase_detail", args=[case.pk])
    with override("zh-hans"):
        title = _("%(kind)s报警：%(premises)s") % {"kind": case.get_kind_display(), "premises": case.premises}
        body = _("设备 %(serial)s 于 %(when)s 报警，请尽快核查处置。") % {
            "serial": case.device.serial,
            "when": f"{timezone.localtime(case.opened_at):%Y-%m-%d %H:%M}",
        }
    sent = 0
    landlord = case.premises.landlord
    landlord_user = getattr(landlord, "user", None)
    if notifications.send(
        kind=NotificationKind.ALERT_CASE,
        key=f"case:{case.pk}:landlord",
        title=title,
        body=body,
        recipient=landlord_user,
        mobile=landlord.mobile or "",
        # The landlord's page of the case is the portal's (a name, not an import: the portal sits above).
        link=reverse("portal:alert_case", args=[case.pk]),
    ):
        sent += 1
    for worker in case_recipients(case):
        if notifications.send(
            kind=NotificationKind.ALERT_CASE,
            key=f"case:{case.pk}:user:{worker.pk}",
            title=title,
            body=body,
            recipient=worker,
            mobile=worker.mobile,
            link=link,
        ):
            sent += 1
    return sent


def _may_move(case: AlertCase, move: str, actor: User) -> None:
    sources, _target = CASE_MOVES[move]
    if case.state not in sources:
        raise ValidationError(
            {
                "state": _("报警处置当前为“%(state)s”，不能%(move)s。")
                % {"state": case.get_state_display(), "move": CaseMove(move).label}
            }
        )


def _move(
    case: AlertCase,
    move: str,
    *,
    actor: User,
    expected_version: int | None,
    outcome: str = "",
    note: str = "",
) -> AlertCase:
    require(actor, Action.CHANGE, AlertCase)
    locked = lock_in_scope(case, actor, Action.CHANGE)
    if expected_version is not None and locked.version != expected_version:
        # Someone moved it since the caller read it: never a silent overwrite.
        raise ConcurrentEditError(locked, expected_version)
    _may_move(locked, move, actor)
    before = snapshot(locked)
    now = timezone.now()
    _sources, target = CASE_MOVES[move]
    locked.state = target
    if move in (CaseMove.ACKNOWLEDGE, CaseMove.VISIT) and locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by = now, actor
    if move == CaseMove.VISIT:
        locked.visited_at, locked.visited_by = now, actor
    if move == CaseMove.CLOSE:
        locked.closed_at, locked.closed_by = now, actor
        locked.outcome, locked.note = outcome, note
    label = str(CaseMove(move).label)
    return save_update(locked, before, actor=actor, reason=label)


@transaction.atomic
def acknowledge_case(case: AlertCase, *, actor: User, expected_version: int | None = None) -> AlertCase:
    """待响应 → 已响应: someone has taken the case."""
    return _move(case, CaseMove.ACKNOWLEDGE, actor=actor, expected_version=expected_version)


@transaction.atomic
def visit_case(case: AlertCase, *, actor: User, expected_version: int | None = None) -> AlertCase:
    """→ 已到场: someone is at the premises (acknowledges too when nobody had)."""
    return _move(case, CaseMove.VISIT, actor=actor, expected_version=expected_version)


@transaction.atomic
def close_case(
    case: AlertCase, *, outcome: str, note: str, actor: User, expected_version: int | None = None
) -> AlertCase:
    """→ 已办结 with the outcome (核查结论) and a note; sends `alert_case_closed` inside the transaction."""
    errors: dict[str, str] = {}
    if outcome not in CaseOutcome.values:
        errors["outcome"] = _("请选择核查结论。")
    if not note.strip():
        errors["note"] = _("请填写处置说明。")
    if errors:
        raise ValidationError(errors)
    closed = _move(
        case,
        CaseMove.CLOSE,
        actor=actor,
        expected_version=expected_version,
        outcome=outcome,
        note=note.strip(),
    )
    alert_case_closed.send(sender=AlertCase, case=closed, actor=actor)
    return closed


def moves_for(case: AlertCase, user: User) -> list[str]:
    """The moves `user` may make on `case` now (what the pages offer)."""
    if not can(user, Action.CHANGE, AlertCase):
        return []
    return [move for move, (sources, _target) in CASE_MOVES.items() if case.state in sources]


@transaction.atomic
def mark_offline(now: dt.datetime | None = None) -> int:
    """Devices silent past their deadline (heartbeat interval × FIREGRID_DEVICE_OFFLINE_INTERVALS after the
    last message) go offline, each with an `offline` event. Idempotent: an offline device is not touched
    again, so a second run changes nothing."""
    now = now or timezone.now()
    silent = list(
        Device.objects.select_for_update()
        .filter(offline_after__lt=now)
        .exclude(state=DeviceState.OFFLINE)
        .values_list("pk", "offline_after")
    )
    if not silent:
        return 0
    changed = Device.objects.filter(pk__in=[pk for pk, _at in silent]).exclude(state=DeviceState.OFFLINE)
    count = changed.update(state=DeviceState.OFFLINE, updated_at=now)
    DeviceEvent.objects.bulk_create(
        DeviceEvent(
            device_id=pk,
            kind=EventKind.OFFLINE,
            ts=deadline or now,
            received_at=now,
            payload={},
            applied=True,
        )
        for pk, deadline in silent
    )
    log.info("marked %s devices offline", count)
    return count


def offline_intervals() -> int:
    return int(setting("FIREGRID_DEVICE_OFFLINE_INTERVALS"))


__all__ = [
    "CaseState",
    "acknowledge_case",
    "close_case",
    "mark_offline",
    "moves_for",
    "notify_case",
    "open_case",
    "visit_case",
]
