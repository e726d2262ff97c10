"""Hazard changes outside a submit: a supervisor's void, and status moves in bulk (a served notice)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.middleware import current_request_id
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.permissions import Action
from firegrid.core.services import (
    lock_in_scope,
    require,
    save_update,
    snapshot,
)

from ..choices import (
    OPEN_STATUSES,
    HazardStatus,
)
from ..models import Hazard


@transaction.atomic
def void_hazard(hazard: Hazard, *, actor: User, reason: str) -> Hazard:
    """Void a hazard recorded in error. Needs a supervisor's role and a reason."""
    require(actor, Action.VOID, Hazard)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"void_reason": _("作废隐患必须填写原因。")})
    hazard = lock_in_scope(hazard, actor, Action.VOID)
    if hazard.status not in OPEN_STATUSES:
        raise ValidationError(
            _("只有未消除的隐患可以作废（当前：%(status)s）。") % {"status": hazard.get_status_display()}
        )
    before = snapshot(hazard)
    hazard.status, hazard.void_reason, hazard.closed_at = HazardStatus.VOID, reason[:200], timezone.now()
    return save_update(hazard, before, actor=actor, reason=reason)


# --- hazard status in bulk -------------------------------------------------------------------------------


@transaction.atomic
def set_hazards_status(
    hazards: QuerySet[Hazard], status: str, *, actor: User | None, reason: str = ""
) -> int:
    """Move the given hazards not yet in `status` into it, as one UPDATE: each one's version moves on
    (an editor still holding the old one gets a conflict) and each gets its audit entry, in the same
    transaction. Returns how many moved.

    The caller's service has checked the actor (a plan's notice puts its hazards into rectification);
    `actor` None is the scheduler. The premises file shows each entry as the hazard's status change.
    """
    rows = list(
        Hazard.objects.filter(pk__in=hazards.values("pk"))
        .exclude(status=status)
        .select_related("item")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not rows:
        return 0
    now = timezone.now()
    Hazard.objects.filter(pk__in=[h.pk for h in rows]).update(
        status=status, version=F("version") + 1, updated_at=now
    )
    content_type = ContentType.objects.get_for_model(Hazard)
    request_id = current_request_id()
    entries = []
    for hazard in rows:
        before = snapshot(hazard)
        entries.append(
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_name=str(actor) if actor else "system",
                action=AuditAction.UPDATE,
                content_type=content_type,
                object_id=str(hazard.pk),
                object_repr=str(hazard)[:200],
                premises_id=hazard.premises_id,
                before=before,
                after={**before, "status": str(status), "version": hazard.version + 1},
                reason=reason[:200],
                request_id=request_id,
            )
        )
    AuditEntry.objects.bulk_create(entries)
    return len(rows)
