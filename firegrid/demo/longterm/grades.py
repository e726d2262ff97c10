"""Grades in the simulation: a place's facts at a moment (as `risk.facts.gather_facts` would read them from
the rows written so far), graded by the real rules (`risk.rules.grade_premises`) under the published rule
set; a `GradeNote` (→ GradeChange) whenever the colour changes, at the moment its cause happened. Then the
grade rows themselves (PremisesGrade), written before `risk.services.recompute_grades` checks them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from firegrid.risk.choices import GRADE_RANK, RiskGrade
from firegrid.risk.models import GradeChange, PremisesGrade
from firegrid.risk.rules import Facts, Grade, grade_premises, next_due

from .context import BATCH_SIZE, Context
from .records import GradeNote, Place
from .rows import insert_rows, update_rows

if TYPE_CHECKING:
    from .world import World


def facts(ctx: Context, place: Place, when: dt.datetime) -> Facts:
    on = ctx.local_date(when)
    people = sum(h.people for h in place.households if h.current(on, when))
    result = Facts(
        premises_id=place.pk,
        on=on,
        kind=place.kind,
        is_shared_rental=place.shared,
        floor_area_m2=place.floor_area,
        open_hazards=dict(Counter(h.item.severity for h in place.open)),
        # A registered household is better evidence than a room's head count (risk.facts).
        people=people or place.occupants,
        sleeping_rooms=place.sleeping_rooms,
        sleeping_area_m2=place.sleeping_area,
        last_covering_inspection_at=place.last_covering,
    )
    for name, overlay in ctx.fact_overlays.items():
        result.extra[name] = overlay(place.pk, when)
    return result


def regrade(ctx: Context, world: World, place: Place, when: dt.datetime, cause: str) -> bool:
    """Grade `place` as of `when`; note a change of colour. Returns whether the next due date moved."""
    now = facts(ctx, place, when)
    graded = grade_premises(now, world.parameters)
    on = now.on
    if place.first_graded is None:
        place.first_graded = on
    due = next_due(graded.grade, place.last_covering, on, world.parameters, now)
    if place.last_covering is None:
        due = place.first_graded  # never inspected: due since the day it was first graded
    old = place.grade
    moved = due != place.next_due
    if old is None or old.grade != graded.grade:
        world.grade_notes.append(
            GradeNote(
                premises_id=place.pk,
                old=old.grade if old is not None else "",
                new=graded.grade,
                score=graded.score,
                reasons=graded.reasons_json(),
                at=when,
                cause=cause,
            )
        )
    if old is None or old != graded or moved:
        place.dirty = True
    place.grade, place.next_due = graded, due
    return moved


def grade_row(world: World, place: Place, computed_at: dt.datetime) -> PremisesGrade:
    graded: Grade | None = place.grade
    assert graded is not None and place.next_due is not None  # every place is graded at the start
    return PremisesGrade(
        premises_id=place.pk,
        grade=graded.grade,
        rank=GRADE_RANK[RiskGrade(graded.grade)],
        score=graded.score,
        reasons=graded.reasons_json(),
        rule_set=world.rule_set,
        computed_at=computed_at,
        last_covering_inspection_at=place.last_covering,
        next_due=place.next_due,
        version=1,
    )


FIELDS = ("grade", "rank", "score", "reasons", "last_covering_inspection_at", "next_due", "computed_at")


def write_grade_rows(world: World, when: dt.datetime, *, first: bool) -> None:
    """The grade rows as the simulation has them at `when`: what the month's draw reads per stratum."""
    dirty = [p for p in world.places if p.dirty and p.grade is not None]
    rows = [grade_row(world, p, when) for p in dirty]
    if first:
        # Grades are a computation: the few the services made for the demo's service-made plans
        # (firegrid.demo.rectification) are made again from the start of the history, with it.
        GradeChange.objects.all().delete()
        PremisesGrade.objects.all().delete()
        PremisesGrade.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    else:
        update_rows(PremisesGrade, FIELDS, ((r.pk, *(getattr(r, f) for f in FIELDS)) for r in rows))
    for place in dirty:
        place.dirty = False


def write_grade_history(world: World) -> int:
    columns = ["premises", "old_grade", "new_grade", "score", "reasons", "rule_set", "computed_at", "cause"]
    rule_set = world.rule_set.pk
    return insert_rows(
        GradeChange,
        columns,
        (
            (n.premises_id, n.old, n.new, n.score, n.reasons, rule_set, n.at, n.cause)
            for n in world.grade_notes
        ),
    )
