"""The district as the long-term phase finds it on 1 December 2019, read in bulk: every premises with what
the risk rules read about it (kind, shared rental, rooms, tenant households), its last covering visit of the
campaign, who visits it, and the checklist; then the history it gathers (visits, plans, self-inspections,
grade changes) until it is written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User
from firegrid.inspections.choices import COVERING_OUTCOMES, NOT_A_HAZARD, InspectionStatus, Severity
from firegrid.inspections.models import ChecklistItem, ChecklistTemplate, Inspection
from firegrid.inspections.services import default_template
from firegrid.longterm.selfcheck import SELF_CHECK_CODES
from firegrid.rectification.models import Plan
from firegrid.registry.choices import PremisesStatus, RoomUse
from firegrid.registry.models import Premises, Room, TenantHousehold
from firegrid.risk.services import default_rule_set

from .context import START, Context
from .records import GradeNote, Household, Place, SelfCheck, Story, Visit

if TYPE_CHECKING:
    from firegrid.risk.models import RiskRuleSet

# Who visits a grid: the most local demo officer whose scope holds it (as in the 2019 replay).
OFFICERS = ("wanggy", "shequ", "zhangtan")


@dataclass
class World:
    places: list[Place]
    template: ChecklistTemplate
    rule_set: RiskRuleSet
    parameters: dict[str, dict[str, Any]]
    wanggy_grid: int | None
    tenant_ids_used: int  # tenant households loaded: the next ID number's index
    visits: list[Visit] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    self_checks: list[SelfCheck] = field(default_factory=list)
    grade_notes: list[GradeNote] = field(default_factory=list)
    accounts: dict[int, User] = field(default_factory=dict)  # landlord id → portal account
    # (when, place, period) of every self-inspection to today, known before the simulation plays them
    # (portal.submissions): what the points overlay and the misses read.
    submissions: list[tuple[dt.datetime, Place, dt.date]] = field(default_factory=list)
    by_pk: dict[int, Place] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_pk = {p.pk: p for p in self.places}


def read_world(ctx: Context) -> World:
    template = default_template()
    rule_set = default_rule_set()
    items = list(template.items.all().order_by("position"))
    grids = {a.pk: a.path for a in Area.objects.filter(level=AreaLevel.GRID)}
    scoped = [
        (a.path, ctx.users[name])
        for name in OFFICERS
        if name in ctx.users
        for a in ctx.users[name].areas.all()
    ]
    fire = ctx.users["fire"]

    def officer(grid_id: int) -> User:
        return next((u for path, u in scoped if grids[grid_id].startswith(path)), fire)

    def supervisor(grid_id: int) -> User:
        user = officer(grid_id)
        return ctx.users.get("shequ", fire) if user.username == "wanggy" else user

    wanggy = ctx.users.get("wanggy")
    wanggy_grid = wanggy.areas.values_list("pk", flat=True).first() if wanggy else None
    rooms = {
        pk: (sleeping, area or Decimal("0"), occupants or 0)
        for pk, sleeping, area, occupants in Room.objects.order_by()
        .values_list("premises_id")
        .annotate(
            sleeping=Count("id", filter=Q(use=RoomUse.SLEEPING)),
            area=Sum("area_m2", filter=Q(use=RoomUse.SLEEPING)),
            occupants=Sum("occupants"),
        )
    }
    last_2019 = dict(
        Inspection.objects.filter(
            status=InspectionStatus.SUBMITTED,
            outcome__in=COVERING_OUTCOMES,
            premises__isnull=False,
            submitted_at__lt=ctx.at(START, 0),
        )
        .order_by()
        .values_list("premises_id")
        .annotate(last=Max(Coalesce("submitted_at", "started_at")))
    )
    service_made = set(Plan.objects.filter(campaign__isnull=True).values_list("premises_id", flat=True))
    households: dict[int, list[Household]] = defaultdict(list)
    before = ctx.at(START, 0)
    loaded = 0
    for row in TenantHousehold.objects.order_by("pk"):
        loaded += 1
        # A move-out the registry already holds is known from the start.
        known_out = before if row.moved_out is not None else None
        households[row.premises_id].append(
            Household(
                row=row,
                people=row.people,
                moved_in=row.moved_in,
                moved_out=row.moved_out,
                known_out=known_out,
            )
        )
    lists: dict[tuple[str, bool], tuple[list[ChecklistItem], list[ChecklistItem], list[str]]] = {}
    places = []
    columns = (
        "pk",
        "building_id",
        "building__grid_id",
        "landlord_id",
        "kind",
        "is_shared_rental",
        "floor_area_m2",
        "status",
    )
    for pk, building_id, grid_id, landlord_id, kind, shared, area, status in (
        Premises.objects.order_by("pk").values_list(*columns).iterator(chunk_size=5000)
    ):
        key = (kind, shared)
        if key not in lists:
            probe = Premises(kind=kind, is_shared_rental=shared)
            applicable = [i for i in items if i.applies_to_premises(probe)]
            findable = [
                i for i in applicable if i.severity not in NOT_A_HAZARD and i.severity != Severity.IMMEDIATE
            ]
            codes = {i.code for i in applicable}
            lists[key] = (applicable, findable, [c for c in SELF_CHECK_CODES if c in codes])
        sleeping, sleeping_area, occupants = rooms.get(pk, (0, Decimal("0"), 0))
        place = Place(
            pk=pk,
            building_id=building_id,
            grid_id=grid_id,
            landlord_id=landlord_id,
            kind=kind,
            shared=shared,
            floor_area=area or Decimal("0"),
            active=status == PremisesStatus.ACTIVE,
            sleeping_rooms=sleeping,
            sleeping_area=sleeping_area,
            occupants=occupants,
            officer=officer(grid_id),
            supervisor=supervisor(grid_id),
            items=lists[key][0],
            findable=lists[key][1],
            self_codes=lists[key][2],
            wanggy=grid_id == wanggy_grid,
            service_made=pk in service_made,
            households=households.get(pk, []),
            last_covering=last_2019.get(pk),
        )
        places.append(place)
    return World(
        places=places,
        template=template,
        rule_set=rule_set,
        parameters=rule_set.full_parameters(),
        wanggy_grid=wanggy_grid,
        tenant_ids_used=loaded,
    )
