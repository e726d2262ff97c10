"""The survey: the hazards each target's survey finds (the campaign's most frequent findings weigh more),
the survey visit followed by the plan and its notice, and every inspection of the campaign — the stories'
and the survey round's (`doors`) — written with its answers and rooms."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, Model

from firegrid.inspections.choices import (
    NOT_A_HAZARD,
    AnswerResult,
    InspectionKind,
    InspectionStatus,
    Severity,
    VisitOutcome,
)
from firegrid.inspections.models import Answer, Inspection
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.registry.models import Premises, Room

from .facts import BATCH_SIZE
from .stories import Step, Story, Visit

if TYPE_CHECKING:
    from .doors import Door
    from .replay import Replay


# The campaign's most frequent findings weigh more when a survey's failures are drawn.
COMMON_FINDINGS = {
    "SEP-08": 6,
    "EXIT-03": 6,
    "EXIT-04": 5,
    "EXIT-10": 4,
    "ELEC-01": 8,
    "ELEC-03": 6,
    "ELEC-04": 4,
    "EBIKE-02": 7,
    "EBIKE-04": 7,
    "EQUIP-01": 8,
    "EQUIP-03": 7,
    "EQUIP-05": 4,
    "GAS-01": 3,
    "GAS-03": 3,
    "GAS-05": 3,
    "FIRE-03": 3,
    "MGMT-02": 4,
    "SEP-06": 2,
    "SEP-01": 1,
}


def findings(replay: Replay, premises: Premises) -> list:
    """1–4 failed items that become hazards (never advice, never on-the-spot fixes)."""
    candidates = [
        i
        for i in replay.applicable(premises)
        if i.severity not in NOT_A_HAZARD and i.severity != Severity.IMMEDIATE
    ]
    weights = [COMMON_FINDINGS.get(i.code, 0.5) for i in candidates]
    n = replay.rng.choices((1, 2, 3, 4), weights=(30, 40, 22, 8))[0]
    found: list = []
    while len(found) < min(n, len(candidates)):
        item = replay.rng.choices(candidates, weights=weights)[0]
        if item not in found:
            found.append(item)
    return sorted(found, key=lambda i: i.position)


def begin(replay: Replay, story: Story, survey_day: dt.date, notify_day: dt.date) -> Step:
    """Survey, plan, notice: the common start of every story. Returns the notify step."""
    officer = story.officer
    story.survey = Visit(
        InspectionKind.SURVEY,
        replay.time(survey_day),
        [officer],
        failed={i.code for i in story.findings},
        rooms=True,
    )
    story.visits.append(story.survey)
    created = story.survey.submitted_at + dt.timedelta(minutes=replay.rng.randint(15, 90))
    story.steps.append(Step(MoveName.CREATE, PlanState.DRAFT, created, officer))
    notify = Step(MoveName.NOTIFY, PlanState.NOTIFIED, replay.time(notify_day, created), officer)
    story.steps.append(notify)
    story.notified_on = notify.time.astimezone(created.tzinfo).date()
    return notify


def write_inspections(replay: Replay, stories: list[Story], doors: list[Door]) -> dict[tuple[int, str], int]:
    """Every visit — the stories' and the survey round's — as a submitted inspection with its inspectors,
    departments, answers and (an inspected survey visit) rooms, written in the order they happened;
    returns the ids of the surveys' failed answers by (premises, checklist item code), which the hazards
    point to."""
    visits = [(s.premises, v) for s in stories for v in s.visits]
    visits += [(d.premises, v) for d in doors for v in d.visits]
    visits.sort(key=lambda pv: (pv[1].submitted_at, pv[0].pk))
    rows = []
    for premises, v in visits:
        low, high = (15, 45) if v.outcome == VisitOutcome.INSPECTED else (2, 6)  # a door not opened: minutes
        v.row = row = Inspection(
            premises_id=premises.pk,
            building_id=premises.building_id,
            kind=v.kind,
            template=replay.template,
            status=InspectionStatus.SUBMITTED,
            outcome=v.outcome,
            started_at=v.submitted_at - dt.timedelta(minutes=replay.rng.randint(low, high)),
            submitted_at=v.submitted_at,
            client_uuid=replay.uuid(),
            return_visit_due=v.return_due,
            note=v.note,
            version=2,
        )
        rows.append(row)
    Inspection.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    insert_rows(
        Inspection.inspectors.through,
        ("inspection_id", "user_id"),
        ((v.written().pk, u.pk) for _p, v in visits for u in v.inspectors),
    )
    insert_rows(
        Inspection.departments.through,
        ("inspection_id", "department_id"),
        ((v.written().pk, u.department_id) for _p, v in visits for u in v.inspectors if u.department_id),
    )
    # 房不漏间: an inspected survey visit lists every room of its premises.
    every_room = Room.objects.order_by("pk")
    if not replay.everyone:  # a load test's registry: the targets' rooms only
        every_room = every_room.filter(premises_id__in=[p.pk for p, v in visits if v.rooms])
    rooms: dict[int, list[int]] = defaultdict(list)
    for premises_id, room_id in every_room.values_list("premises_id", "pk"):
        rooms[premises_id].append(room_id)
    insert_rows(
        Inspection.rooms_inspected.through,
        ("inspection_id", "room_id"),
        ((v.written().pk, room) for p, v in visits if v.rooms for room in rooms[p.pk]),
    )
    # Every applicable item answered (an inspected visit needs them all); failures as drawn.
    insert_rows(
        Answer,
        ("inspection_id", "item_id", "result", "note", "fixed_on_spot"),
        (
            (
                v.written().pk,
                item.pk,
                AnswerResult.FAIL if item.code in v.failed else AnswerResult.PASS,
                "复查仍未整改" if item.code in v.failed and v.kind == InspectionKind.RECHECK else "",
                False,
            )
            for premises, v in visits
            if v.outcome == VisitOutcome.INSPECTED
            for item in replay.applicable(premises)
        ),
    )
    surveys = {s.surveyed().written().pk: s.premises.pk for s in stories}
    failed = Answer.objects.filter(inspection_id__gte=rows[0].pk, result=AnswerResult.FAIL)
    return {
        (surveys[inspection_id], code): pk
        for pk, inspection_id, code in failed.values_list("pk", "inspection_id", "item__code")
        if inspection_id in surveys
    }


def insert_rows(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows nobody reads back as instances (answers, links) as one prepared INSERT executed many times:
    Django's bulk_create spent most of the replay building INSERT statements for them."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    pending = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(pending, BATCH_SIZE)):
            cursor.executemany(sql, chunk)


def date_inspections(replay: Replay, stories: list[Story], doors: list[Door]) -> None:
    """When the inspections were made, by the history (bulk inserts stamp now)."""
    ids = [v.written().pk for s in stories for v in s.visits] + [
        v.written().pk for d in doors for v in d.visits
    ]
    Inspection.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(
        created_at=F("started_at"), updated_at=F("submitted_at")
    )
