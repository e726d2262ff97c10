"""Tenant moves (流管通) from December 2019 to today: households move out after a stay of a few years
(exponential, mean four) and a new one moves into the same room a few weeks later, about as many people.

Who tells the system: a landlord with a portal account reports the move (most the same day or the next,
some late: more than `FIREGRID_TENANT_REPORT_DAYS` after it), and the move waits for a grid worker to
confirm it at a visit (the work queue's 租户变动待核实); for a landlord without one a grid worker registers
it (流管通's data or found at the door; confirmed as it is written, late when it took more than 3 days). A
move nobody has reported or registered by today is not in the registry yet. The risk rules read the
households the registry holds (current on the day), so a move can change a grade (cause 租户变动).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from firegrid.registry.models import TenantHousehold

from ..generator import TENANT_BORN, IdNumbers, mobile, person_name
from ..generator.people import tenant_region
from .context import BATCH_SIZE, START, Context, days
from .records import Household, Place
from .rows import dated, update_rows

if TYPE_CHECKING:
    from firegrid.areas.models import User

    from .world import World

MEAN_STAY_DAYS = 1460
GAP_DAYS = (5, 45)  # empty between one household and the next
# Days from a move to the landlord's report: most at once, some late (more than 3 days).
REPORT_LAG = ((0, 40), (1, 25), (2, 12), (3, 8), (5, 6), (9, 5), (16, 4))
# Days from a move to a grid worker registering it, when the landlord has no account to report it with.
STAFF_LAG = ((1, 25), (2, 25), (3, 20), (5, 12), (8, 8), (15, 6), (30, 4))


class Moves:
    """Makes the new households (ID numbers unique by construction, continuing the registry's)."""

    def __init__(self, ctx: Context, world: World):
        self.ctx, self.world = ctx, world
        self.rng = ctx.rng("tenants")
        self.ids = IdNumbers(TENANT_BORN, ctx.seed, "tenant-ids")
        self.reports: list[tuple[dt.datetime, Household, str, bool]] = []  # when, household, move, portal

    def household(self, place: Place, people: int, moved_in: dt.date, room_id: int | None) -> Household:
        rng = self.rng
        id_number, male = self.ids.make(self.world.tenant_ids_used, tenant_region(rng))
        self.world.tenant_ids_used += 1
        row = TenantHousehold(
            premises_id=place.pk,
            room_id=room_id,
            head_name=person_name(rng, male),
            id_number=id_number,
            mobile=mobile(rng) if rng.random() < 0.9 else "",
            people=people,
            moved_in=moved_in,
        )
        household = Household(row=row, people=people, moved_in=moved_in, new=True)
        place.households.append(household)
        return household

    def report(
        self, place: Place, household: Household, move: str, day: dt.date, lag: int | None = None
    ) -> None:
        """The move on `day` reaches the registry: the landlord reports it (with a portal account by then),
        or a grid worker registers it (流管通's data, or found at the door)."""
        account = self.world.accounts.get(place.landlord_id or 0)
        portal = account is not None and account.date_joined <= self.ctx.at(day, 12)
        rng = self.rng
        lags = REPORT_LAG if portal else STAFF_LAG
        if lag is None:
            lag = rng.choices([d for d, _w in lags], [w for _d, w in lags])[0]
        when = self.ctx.at(day + days(lag), rng.randint(8, 20), rng.randrange(60))
        if portal and move == "in":
            household.reported_in = when
        elif portal:
            household.reported_out = when
        self.reports.append((when, household, move, portal))


def plan_moves(ctx: Context, world: World) -> Moves:
    """Every place's moves from START to today; returns the maker with the landlords' reports to replay."""
    moves = Moves(ctx, world)
    rng = moves.rng
    for place in world.places:
        if not place.active or not place.sleeping_rooms:
            continue
        living = [h for h in place.households if h.moved_out is None and h.moved_in <= START]
        for first in living:
            current, since = first, START
            while True:
                leave = since + days(int(rng.expovariate(1 / MEAN_STAY_DAYS)) + 1)
                if leave >= ctx.today:
                    break
                current.moved_out = leave
                moves.report(place, current, "out", leave)
                arrive = leave + days(rng.randint(*GAP_DAYS))
                if arrive >= ctx.today:
                    break
                people = _people(rng, place, current)
                current = moves.household(place, people, arrive, current.row.room_id)
                moves.report(place, current, "in", arrive)
                since = arrive
    return moves


def _people(rng: random.Random, place: Place, before: Household) -> int:
    cap = 3 if before.row.room_id is not None else max(1, min(5, 2 * place.sleeping_rooms))
    change = rng.choices((0, -1, 1), (70, 15, 15))[0]
    return max(1, min(cap, before.people + change))


def confirm_at_visit(place: Place, when: dt.datetime, officer: User) -> None:
    """A grid worker at the door confirms the moves the landlord reported."""
    for h in place.pending:
        h.confirmed_at, h.confirmed_by = when, officer
    place.pending.clear()


def write_households(ctx: Context, world: World) -> int:
    """New households the registry knows by today, and the registry's own whose move-out it knows."""
    new: list[TenantHousehold] = []
    changed: list[tuple[object, ...]] = []
    for place in world.places:
        for h in place.households:
            if h.new and h.known_in is None:
                continue  # not reported, not found yet
            out_known = h.known_out is not None
            if not h.new and (not out_known or h.row.moved_out is not None):
                continue  # the registry's own row, unchanged (still there, or gone before December 2019)
            moved_out = h.moved_out if out_known else None
            reported_out = h.reported_out if out_known else None
            confirmed_by = h.confirmed_by.pk if h.confirmed_by is not None else None
            moments = [t for t in (h.known_in, h.known_out, h.confirmed_at) if t is not None]
            if h.new:
                row = h.row
                row.moved_out, row.move_out_reported_at = moved_out, reported_out
                row.reported_by_landlord_at = h.reported_in
                row.confirmed_at, row.confirmed_by_id = h.confirmed_at, confirmed_by
                assert h.known_in is not None  # skipped above when unknown
                row.created_at, row.updated_at = h.known_in, max(moments)
                row.version = 2 if out_known else 1
                new.append(row)
            elif out_known:
                row = h.row
                changed.append(
                    (
                        row.pk,
                        moved_out,
                        reported_out,
                        h.confirmed_at,
                        confirmed_by,
                        row.version + 1,
                        max(moments),
                    )
                )
    with dated(TenantHousehold):
        TenantHousehold.objects.bulk_create(new, batch_size=BATCH_SIZE)
    fields = ["moved_out", "move_out_reported_at", "confirmed_at", "confirmed_by", "version", "updated_at"]
    update_rows(TenantHousehold, fields, changed)
    return len(new) + len(changed)
