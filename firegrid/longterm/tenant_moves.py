"""The work queue's source of tenant moves a landlord reported (流管通): each waits for a grid worker to
confirm it at the next visit (租户变动待核实). The moves themselves are the registry's
(`registry.services.register_move_in` / `register_move_out` / `confirm_move`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.inspections.choices import InspectionKind
from firegrid.registry.models import TenantHousehold
from firegrid.registry.services import moves_awaiting_confirmation

from .choices import QueueKind
from .queue import QueueEntry, QueueSource

if TYPE_CHECKING:
    from firegrid.areas.models import User


def _candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield QueueKind.TENANT_MOVE, TenantHousehold.objects.awaiting_confirmation().values("premises_id")


def _entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    waiting: dict[int, list[TenantHousehold]] = defaultdict(list)
    for household in moves_awaiting_confirmation(user).filter(premises_id__in=premises_ids):
        waiting[household.premises_id].append(household)
    for premises_id, households in waiting.items():
        reported = [
            when
            for h in households
            for when in (h.reported_by_landlord_at, h.move_out_reported_at)
            if when is not None
        ]
        first = timezone.localdate(min(reported)) if reported else today
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.TENANT_MOVE,
            inspection_kind=InspectionKind.SURVEY,
            reason=_("租户变动待核实（%(count)d 户）") % {"count": len(households)},
            days_overdue=max(0, (today - first).days),
        )


TENANT_MOVE_SOURCE = QueueSource("tenant_moves", _candidates, _entries)
