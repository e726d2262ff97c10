"""The survey round (摸底排查): every door of the district knocked in October 2019 — no household missed in a
community, no rented unit missed in a household, no room missed in a unit (社不漏户、户不漏房、房不漏间).

Each grid's workers walk their grid's buildings in order from 1 October, fastest in the first week's push
(the pace falls 3 : 1 over the grid's span of 19–23 days), so the district's survey curve rises every day
until 23 October; every premises of a building is knocked on the building's day. Most doors open: the
visit is inspected, every applicable item answered, every room listed. 锁门 / 找不到 / 装修 end a visit that
owes a return (due in `RETURN_VISIT_DAYS`), made 2–7 days later, which inspects (one locked door in seven
is locked again at the first return). A premises the registry has as not rented is recorded 空置, 自住 (a
rental's owner living in it) or 停业 (a shop) — outcomes that cover it — and, since no room may be missed,
its landlord opens it for an inspected visit a few days later. Every return is made by 31 October.

A target's inspected survey visit is its story's (`survey.begin`: the hazards it finds, the plan that
follows): the round sets the day (`Story.survey_day`) and writes the knocks before it. The four-category
landlords' premises, checked in the first week on their own (self-declaration), are not in the round.

A registry larger than one district (`--scale` above 1, for load tests) is not surveyed door to door:
only the targets are visited, as the replay's cost must not grow with the registry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from firegrid.inspections.choices import RETURN_VISIT_DAYS, InspectionKind, VisitOutcome
from firegrid.registry.choices import PremisesKind, PremisesStatus
from firegrid.registry.models import Premises

from ..generator import seeded_rng
from .facts import STARTS_ON, SURVEY_ENDS_ON, SURVEY_FIRST_ROUND_DAYS, at, days
from .setup import officer_of_grid
from .stories import Story, Visit

if TYPE_CHECKING:
    import random

    from firegrid.areas.models import User

    from .replay import Replay


# Doors not opened at the first knock, per thousand: outcome, why (the visit's note), days to the return.
Miss = tuple[str, int, str, tuple[int, int]]
MISSES: tuple[Miss, ...] = (
    (VisitOutcome.LOCKED, 60, "锁门无人，已电话联系房东约定回访", (2, 4)),
    (VisitOutcome.NOT_FOUND, 15, "联系不上房东，请社区协查后回访", (2, 5)),
    (VisitOutcome.RENOVATING, 10, "正在装修，完工后回访", (4, 7)),
)
LOCKED_AGAIN = 1 / 7  # a return visit that finds the door locked again (one more return)
# A premises not rented: why the first visit did not inspect it, and the visit that did.
NOT_RENTED: dict[str, str] = {
    VisitOutcome.VACANT: "空置，约房东开门逐间查看",
    VisitOutcome.OWNER_OCCUPIED: "房东自住，约定时间逐间查看",
    VisitOutcome.CLOSED: "已停业，约房东开门查看",
}
OWNER_OCCUPIED_SHARE = 0.35  # of the residential premises not rented
CLOSED_SHARE = 0.4  # of the shops and mixed-use premises not rented
OPENED = "房东开门，逐间检查（房不漏间）"


@dataclass
class Door:
    """One premises in the survey round: the visits written besides its story's (a target's inspected
    survey is the story's own)."""

    premises: Premises  # unsaved, with its id, building, kind and shared-rental flag
    grid_path: str
    story: Story | None = None
    visits: list[Visit] = field(default_factory=list)


def knock_every_door(replay: Replay, stories: list[Story]) -> list[Door]:
    """Plan the survey round over the district (or over the targets only, for a registry larger than one
    district): the doors with their visits, each target story's `survey_day` set to the day its door
    opened (the day its hazards were found)."""
    rng = seeded_rng(replay.seed, "campaign-2019/survey-round")
    by_pk = {s.premises.pk: s for s in stories if not s.four_category}
    checked_apart = {s.premises.pk for s in stories if s.four_category}
    premises = Premises.objects.order_by("pk")
    if not replay.everyone:
        premises = premises.filter(pk__in=list(by_pk))
    columns = (
        "pk",
        "building_id",
        "kind",
        "is_shared_rental",
        "status",
        "building__grid_id",
        "building__grid__path",
    )
    doors_of: dict[int, list[tuple[Door, str]]] = defaultdict(list)  # building → doors, with status
    grid_of: dict[int, int] = {}
    for pk, building_id, kind, shared, status, grid_id, path in premises.values_list(*columns).iterator(
        chunk_size=5000
    ):
        grid_of[building_id] = grid_id
        if pk in checked_apart:
            continue
        row = Premises(pk=pk, building_id=building_id, kind=kind, is_shared_rental=shared, status=status)
        doors_of[building_id].append((Door(row, path, by_pk.get(pk)), status))
    officer = officer_of_grid(replay)
    doors = []
    rounds = building_days(rng, grid_of)
    for building_id in sorted(doors_of, key=lambda b: (rounds[b], b)):
        day = rounds[building_id]
        when = at(day, rng.randint(8, 14), rng.randrange(60))
        for door, status in doors_of[building_id]:
            when += dt.timedelta(minutes=rng.randint(8, 30))
            knock(rng, door, day, when, officer(door.grid_path), rented=status != PremisesStatus.VACANT)
            doors.append(door)
    return doors


def building_days(rng: random.Random, grid_of: dict[int, int]) -> dict[int, dt.date]:
    """The day the round reaches each building: each grid's buildings in order over the grid's span, the
    first days busiest (a density falling linearly to a third: the first week's push)."""
    by_grid: dict[int, list[int]] = defaultdict(list)
    for building_id, grid_id in sorted(grid_of.items()):
        by_grid[grid_id].append(building_id)
    reached = {}
    for grid_id in sorted(by_grid):
        buildings = by_grid[grid_id]
        span = rng.randint(SURVEY_FIRST_ROUND_DAYS - 4, SURVEY_FIRST_ROUND_DAYS)
        for k, building_id in enumerate(buildings):
            share = (k + rng.random()) / len(buildings)
            # The inverse of F(x) = 1.5 x − 0.5 x² (density 1.5 → 0.5 over the span).
            x = 1.5 - math.sqrt(2.25 - 2 * share)
            reached[building_id] = STARTS_ON + days(min(span - 1, int(x * span)))
    return reached


def knock(
    rng: random.Random, door: Door, day: dt.date, when: dt.datetime, officer: User, *, rented: bool
) -> None:
    """The door's visits from its first knock until one inspects it; a target's inspecting visit is left
    to its story (its day becomes the story's `survey_day`)."""
    kind = InspectionKind.SURVEY
    if not rented and door.story is None:
        outcome = not_rented(rng, door.premises.kind)
        door.visits.append(Visit(kind, when, [officer], outcome=outcome, note=NOT_RENTED[outcome]))
        day = day + days(rng.randint(2, 6))
        door.visits.append(Visit(kind, return_time(rng, day), [officer], note=OPENED, rooms=True))
        return
    miss = first_miss(rng)
    while miss is not None:
        outcome, _per_thousand, note, (low, high) = miss
        door.visits.append(
            Visit(kind, when, [officer], outcome=outcome, note=note, return_due=day + days(RETURN_VISIT_DAYS))
        )
        day = day + days(rng.randint(low, high))
        assert day <= SURVEY_ENDS_ON  # first knocks by the 23rd, a return at most a week later
        when = return_time(rng, day)
        locked = MISSES[0]
        again = len(door.visits) < 2 and day + days(locked[3][1]) <= SURVEY_ENDS_ON
        miss = locked if again and rng.random() < LOCKED_AGAIN else None
    if door.story is not None:
        door.story.survey_day = day
    else:
        door.visits.append(Visit(kind, when, [officer], rooms=True))


def first_miss(rng: random.Random) -> Miss | None:
    draw = rng.randrange(1000)
    for miss in MISSES:
        if draw < miss[1]:
            return miss
        draw -= miss[1]
    return None


def not_rented(rng: random.Random, kind: str) -> str:
    if kind == PremisesKind.RESIDENTIAL:
        return VisitOutcome.OWNER_OCCUPIED if rng.random() < OWNER_OCCUPIED_SHARE else VisitOutcome.VACANT
    return VisitOutcome.CLOSED if rng.random() < CLOSED_SHARE else VisitOutcome.VACANT


def return_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A return visit: in working hours, or early evening when people are home."""
    return at(day, rng.choice((9, 10, 11, 14, 15, 16, 17, 18)), rng.randrange(60))
