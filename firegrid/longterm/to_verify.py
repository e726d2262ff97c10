"""The work queue's source of premises a ledger import registered with fields it could not fill (台账导入
待核实: a community's sheet without 建筑面积, a shop without its name), or whose landlord it did (no ID
number, a four-category landlord's unit). The grid worker verifies them at the next visit; filling the
field on the premises or landlord form takes the premises out of the queue
(`registry.models.drop_verified`). The flags themselves are the registry's (`Premises.to_verify`,
`Landlord.to_verify`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from firegrid.core.tables import enumerate_items
from firegrid.inspections.choices import InspectionKind
from firegrid.registry.models import Landlord, Premises

from .choices import QueueKind
from .queue import QueueEntry, QueueSource

if TYPE_CHECKING:
    from firegrid.areas.models import User


def _landlords_to_verify() -> QuerySet[Landlord, int]:
    return Landlord.objects.exclude(to_verify=[]).order_by().values_list("pk", flat=True)


def _candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    # Both from partial indexes over the flagged rows (few): the premises, and the premises of the landlords
    # (by the premises' landlord index; an IN found once, not a join: no premises row is multiplied).
    yield QueueKind.TO_VERIFY, Premises.objects.exclude(to_verify=[]).values("pk")
    yield QueueKind.TO_VERIFY, Premises.objects.filter(landlord_id__in=_landlords_to_verify()).values("pk")


def _label(model: type[Premises] | type[Landlord], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    rows = (
        Premises.objects.visible_to(user)
        .filter(pk__in=premises_ids)
        .filter(~Q(to_verify=[]) | Q(landlord_id__in=_landlords_to_verify()))
        .values_list("pk", "to_verify", "landlord__to_verify")
    )
    for premises_id, names, landlord_names in rows:
        labels = enumerate_items(
            [
                *(_label(Premises, name) for name in names),
                *(_("房东%(field)s") % {"field": _label(Landlord, name)} for name in landlord_names or []),
            ]
        )
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.TO_VERIFY,
            inspection_kind=InspectionKind.SURVEY,
            reason=_("台账导入待核实：%(fields)s") % {"fields": labels},
        )


TO_VERIFY_SOURCE = QueueSource("to_verify", _candidates, _entries)
