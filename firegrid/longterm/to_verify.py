"""The work queue's source of premises a ledger import registered with fields it could not fill (台账导入
待核实: a community's sheet without 建筑面积, a shop without its name). The grid worker verifies them at
the next visit; filling the field on the premises form takes the premises out of the queue
(`registry.models.drop_verified`). The flags themselves are the registry's (`Premises.to_verify`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from firegrid.core.tables import enumerate_items
from firegrid.inspections.choices import InspectionKind
from firegrid.registry.models import Premises

from .choices import QueueKind
from .queue import QueueEntry, QueueSource

if TYPE_CHECKING:
    from firegrid.areas.models import User


def _kind_qs(today: dt.date) -> dict[str, Q]:
    return {QueueKind.TO_VERIFY: ~Q(to_verify=[])}


def _entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    rows = (
        Premises.objects.visible_to(user)
        .filter(pk__in=premises_ids)
        .exclude(to_verify=[])
        .values_list("pk", "to_verify")
    )
    for premises_id, names in rows:
        labels = enumerate_items(
            str(getattr(Premises._meta.get_field(name), "verbose_name", name)) for name in names
        )
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.TO_VERIFY,
            inspection_kind=InspectionKind.SURVEY,
            reason=_("台账导入待核实：%(fields)s") % {"fields": labels},
        )


TO_VERIFY_SOURCE = QueueSource("to_verify", _kind_qs, _entries)
