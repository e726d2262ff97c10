"""The plan's state machine: every allowed move in one table.

A move names the states it may start from, the state it leads to, the roles that may make it (None in
`roles` means the scheduler may make it with no person acting), and what it needs: a reason, a new
deadline. The services in `services.py` are the only code that changes a plan's state, and each one
goes through `check_move` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.tables import enumerate_items

from .choices import MoveName
from .choices import PlanState as S

if TYPE_CHECKING:
    from firegrid.areas.models import User

OFFICERS = frozenset(
    {Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_OFFICER, Role.GRID_WORKER, Role.DEPARTMENT_OFFICER}
)
SUPERVISORS = frozenset({Role.SUBDISTRICT_OFFICER, Role.COMMUNITY_OFFICER, Role.DEPARTMENT_OFFICER})
ENFORCERS = frozenset({Role.DEPARTMENT_OFFICER, Role.SUBDISTRICT_OFFICER})
SYSTEM = None


@dataclass(frozen=True)
class Move:
    name: MoveName
    sources: frozenset[S]
    target: S
    roles: frozenset[Role | None]  # None: the scheduler, with no person acting
    needs_reason: bool = False
    needs_deadline: bool = False


MOVES: dict[MoveName, Move] = {
    m.name: m
    for m in (
        Move(MoveName.NOTIFY, frozenset({S.DRAFT}), S.NOTIFIED, OFFICERS),
        # Signing the pledge starts the rectification; an officer may record it for a landlord on paper.
        Move(MoveName.START, frozenset({S.NOTIFIED}), S.RECTIFYING, OFFICERS | {Role.LANDLORD}),
        Move(
            MoveName.REQUEST_RECHECK,
            frozenset({S.RECTIFYING}),
            S.RECHECK_REQUESTED,
            OFFICERS | {Role.LANDLORD},
        ),
        # Rechecks and acceptances are inspections; their results make these two moves.
        Move(
            MoveName.FAIL_RECHECK,
            frozenset({S.RECHECK_REQUESTED, S.ENFORCEMENT}),
            S.RECTIFYING,
            OFFICERS,
            needs_reason=True,
            needs_deadline=True,
        ),
        Move(MoveName.ACCEPT, frozenset({S.RECHECK_REQUESTED, S.ENFORCEMENT}), S.ACCEPTED, OFFICERS),
        Move(MoveName.MARK_OVERDUE, frozenset({S.NOTIFIED, S.RECTIFYING}), S.OVERDUE, frozenset({SYSTEM})),
        Move(
            MoveName.EXTEND,
            frozenset({S.OVERDUE}),
            S.RECTIFYING,
            SUPERVISORS,
            needs_reason=True,
            needs_deadline=True,
        ),
        Move(
            MoveName.ESCALATE, frozenset({S.OVERDUE}), S.ESCALATED, SUPERVISORS | {SYSTEM}, needs_reason=True
        ),
        Move(
            MoveName.ENFORCE, frozenset({S.ESCALATED}), S.ENFORCEMENT, ENFORCERS | {SYSTEM}, needs_reason=True
        ),
        Move(
            MoveName.RESUME,
            frozenset({S.ENFORCEMENT}),
            S.RECTIFYING,
            ENFORCERS,
            needs_reason=True,
            needs_deadline=True,
        ),
        Move(
            MoveName.CANCEL,
            frozenset(set(S) - {S.ACCEPTED, S.CANCELLED}),
            S.CANCELLED,
            SUPERVISORS,
            needs_reason=True,
        ),
    )
}


def allowed_moves(state: str) -> list[Move]:
    return [m for m in MOVES.values() if state in m.sources]


def moves_for(state: str, user: User | None) -> list[Move]:
    """The moves this person could make from `state` (what the plan page offers)."""
    role = None if user is None else (Role.SYSTEM_ADMIN if user.is_superuser else user.role)
    return [m for m in allowed_moves(state) if role in m.roles or role == Role.SYSTEM_ADMIN]


class IllegalMove(ValidationError):
    """A move that the current state does not allow; the message names the state and what is allowed."""


def check_move(name: str, state: str, actor: User | None) -> Move:
    move = MOVES[MoveName(name)]
    if state not in move.sources:
        allowed = [str(m.name.label) for m in allowed_moves(state)]
        raise IllegalMove(
            _("方案当前状态为“%(state)s”，不能%(move)s。当前可以：%(allowed)s。")
            % {
                "state": S(state).label,
                "move": move.name.label,
                "allowed": enumerate_items(allowed) if allowed else _("无（方案已结束）"),
            }
        )
    role = None if actor is None else (Role.SYSTEM_ADMIN if actor.is_superuser else actor.role)
    if role != Role.SYSTEM_ADMIN and role not in move.roles:
        raise PermissionDenied(_("您的角色不能%(move)s。") % {"move": move.name.label})
    return move
