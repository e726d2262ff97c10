"""Rectification operations: making a plan, every move of its state machine (and the one dispatcher
the plan page and the API call), the landlord's pledge and proof photos, documents reissued,
enforcement, the daily overdue and escalation runs, and the escalation ladder.

Each function checks the actor (role and scope), runs in one transaction with the plan row locked,
writes the plan's history row and the audit entry, and issues the documents a move produces. Callers
use this package (`from firegrid.rectification import services`; `services.notify_plan(…)`); the
modules split it by sub-domain:

    base         the locked plan, the deadline rule, the history row
    plans        making a plan (from a premises, or from hazards picked in a list), adding hazards,
                 editing a plan
    moves        every move, `make_move` (the dispatcher), inspections concluding rechecks
    documents    the landlord's pledge, reissuing a document
    proof        the landlord's after-photos
    enforcement  enforcement steps
    ladder       the nightly overdue and ladder runs, setting the ladder
"""

from .base import DEFAULT_DEADLINE_DAYS
from .documents import reissue_document, sign_pledge
from .enforcement import record_enforcement
from .ladder import (
    LADDER_MOVES,
    apply_escalation_ladder,
    mark_overdue,
    remove_escalation_step,
    save_escalation_ladder,
    save_escalation_step,
)
from .moves import (
    MOVE_SERVICES,
    MoveRequest,
    accept_plan,
    cancel_plan,
    conclude_inspection,
    enforce_plan,
    escalate_plan,
    extend_plan,
    fail_recheck,
    make_move,
    notify_plan,
    request_recheck,
    resume_plan,
    start_rectification,
)
from .plans import (
    add_hazards,
    create_plan,
    draft_plan,
    open_hazards_without_plan,
    plannable_hazard_ids,
    proposed_items,
    start_hazards,
    update_plan,
)
from .proof import add_proof_photo

__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "LADDER_MOVES",
    "MOVE_SERVICES",
    "MoveRequest",
    "accept_plan",
    "add_hazards",
    "add_proof_photo",
    "apply_escalation_ladder",
    "cancel_plan",
    "conclude_inspection",
    "create_plan",
    "draft_plan",
    "enforce_plan",
    "escalate_plan",
    "extend_plan",
    "fail_recheck",
    "make_move",
    "mark_overdue",
    "notify_plan",
    "open_hazards_without_plan",
    "plannable_hazard_ids",
    "proposed_items",
    "record_enforcement",
    "reissue_document",
    "remove_escalation_step",
    "request_recheck",
    "resume_plan",
    "save_escalation_ladder",
    "save_escalation_step",
    "sign_pledge",
    "start_hazards",
    "start_rectification",
    "update_plan",
]
