"""The facts the risk rules read, for a chunk of premises at once: a handful of GROUP BY queries per
chunk, never a query per premises (the nightly run covers every premises of a province)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from firegrid.inspections.choices import COVERING_OUTCOMES, OPEN_STATUSES, InspectionStatus
from firegrid.inspections.models import Hazard, Inspection
from firegrid.registry.choices import RoomUse
from firegrid.registry.models import Premises, Room, TenantHousehold

from .rules import FACT_PROVIDERS, Facts


def gather_facts(premises_ids: list[int], on: dt.date) -> dict[int, Facts]:
    """premises id → its facts on day `on` (premises that do not exist are left out)."""
    facts = {
        pk: Facts(premises_id=pk, on=on, kind=kind, is_shared_rental=shared, floor_area_m2=area)
        for pk, kind, shared, area in Premises.objects.filter(pk__in=premises_ids)
        .order_by()
        .values_list("pk", "kind", "is_shared_rental", "floor_area_m2")
    }
    ids = list(facts)
    if not ids:
        return facts
    for pk, severity, n in (
        Hazard.objects.filter(premises_id__in=ids, status__in=OPEN_STATUSES)
        .order_by()
        .values_list("premises_id", "severity")
        .annotate(n=Count("id"))
    ):
        facts[pk].open_hazards[severity] = n
    people_by_household: dict[int, int] = dict(
        TenantHousehold.objects.current(on)
        .filter(premises_id__in=ids)
        .order_by()
        .values_list("premises_id")
        .annotate(people=Sum("people"))
    )
    for pk, sleeping, sleeping_area, occupants in (
        Room.objects.filter(premises_id__in=ids)
        .order_by()
        .values_list("premises_id")
        .annotate(
            sleeping=Count("id", filter=Q(use=RoomUse.SLEEPING)),
            sleeping_area=Sum("area_m2", filter=Q(use=RoomUse.SLEEPING)),
            occupants=Sum("occupants"),
        )
    ):
        facts[pk].sleeping_rooms = sleeping
        facts[pk].sleeping_area_m2 = sleeping_area or Decimal("0")
        facts[pk].people = occupants or 0
    # A registered household is better evidence than a room's head count: it wins when there is one.
    for pk, people in people_by_household.items():
        facts[pk].people = people or facts[pk].people
    for pk, last in (
        Inspection.objects.filter(
            premises_id__in=ids, status=InspectionStatus.SUBMITTED, outcome__in=COVERING_OUTCOMES
        )
        .order_by()
        .values_list("premises_id")
        .annotate(last=Max(Coalesce("submitted_at", "started_at")))
    ):
        facts[pk].last_covering_inspection_at = last
    for name, provider in FACT_PROVIDERS.items():
        for pk, value in provider(ids, on).items():
            if pk in facts:
                facts[pk].extra[name] = value
    return facts
