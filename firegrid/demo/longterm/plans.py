"""Standalone rectification plans (一户一方案, no campaign running) for the hazards a long-term visit finds.

A story: the plan made and the notice served the same day or the next, the landlord starts (signing in
the portal when they have an account), asks for the recheck shortly before the deadline, and the acceptance
visit accepts the plan (`simulation.py` plays that visit: it may find a hazard still there and send the plan
back with a new deadline). A few landlords miss the deadline: the nightly job marks the plan overdue and a
supervisor extends it within two days, before the district's ladder (3 days overdue) would escalate it.
Each move is one the machine (`rectification.machine.MOVES`) allows from the state before it; moves after
the demo's horizon are not written, so plans in flight today stand in the state they reached.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Model

from firegrid.core.pdf import document_serial
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.rectification.choices import DocumentKind, MoveName, PlanState
from firegrid.rectification.documents import build_content
from firegrid.rectification.models import Document, Plan, PlanItem, PlanMove, SerialCounter

from .context import BATCH_SIZE, SYSTEM_NAME, Context, days
from .records import SimHazard, Step, Story, Visit
from .rows import dated, insert_rows

if TYPE_CHECKING:
    from firegrid.areas.models import User

    from .world import World

OVERDUE_SHARE = 0.04


def natural_deadline(visit: Visit, hazards: list[SimHazard]) -> dt.date:
    return max(h.deadline for h in hazards) if hazards else visit.time.date() + days(15)


def begin(
    ctx: Context,
    rng: random.Random,
    visit: Visit,
    hazards: list[SimHazard],
    request_on: dt.date | None = None,
) -> tuple[Story, dt.datetime]:
    """Plan, notice, start, and the landlord's recheck request. Returns the story and when the request is
    made (the acceptance visit follows it)."""
    place, officer = visit.place, visit.place.officer
    story = Story(place=place, found=visit, hazards=hazards, deadline=natural_deadline(visit, hazards))
    created = visit.time + dt.timedelta(minutes=rng.randint(15, 90))
    notify = ctx.work_time(rng, created.date() + days(rng.choice((0, 0, 1))), created)
    story.notified_on = notify.date()
    start = ctx.work_time(rng, notify.date() + days(rng.choice((0, 1, 1, 2))), notify)
    landlord = signed_in(story, created)
    story.steps += [
        Step(MoveName.CREATE, PlanState.DRAFT, created, officer),
        Step(MoveName.NOTIFY, PlanState.NOTIFIED, notify, officer),
        Step(
            MoveName.START,
            PlanState.RECTIFYING,
            start,
            landlord or officer,
            "房东在线签收通知并承诺整改" if landlord else "房东签收通知并承诺整改",
        ),
    ]
    for h in hazards:  # serving the notice puts them into rectification
        h.status, h.version = HazardStatus.IN_RECTIFICATION, 2
    last = start
    if request_on is None and rng.random() < OVERDUE_SHARE:
        # The deadline passes: overdue at the nightly run, extended by a supervisor before the ladder.
        overdue = ctx.at(story.deadline + days(1), 0, 5)
        extend = ctx.work_time(rng, story.deadline + days(rng.randint(1, 2)))
        story.deadline = extend.date() + days(rng.randint(7, 14))
        story.steps += [
            Step(
                MoveName.MARK_OVERDUE,
                PlanState.OVERDUE,
                overdue,
                None,
                f"已超过整改期限 {(overdue.date() - days(1)).isoformat()}",
            ),
            Step(
                MoveName.EXTEND,
                PlanState.RECTIFYING,
                extend,
                place.supervisor,
                "房东说明原因，同意延期整改",
                deadline=story.deadline,
            ),
        ]
        last = extend
    return story, request(ctx, rng, story, last, request_on)


def request(
    ctx: Context, rng: random.Random, story: Story, after: dt.datetime, on: dt.date | None = None
) -> dt.datetime:
    """The landlord asks for the recheck (in the portal, or by telephone to the grid worker)."""
    day = on or max(after.date(), story.deadline - days(rng.randint(0, 4)))
    when = ctx.work_time(rng, day, after)
    landlord = signed_in(story, when)
    reason = "房东在线申请复查验收" if landlord else "房东电话申请复查"
    story.steps.append(
        Step(
            MoveName.REQUEST_RECHECK,
            PlanState.RECHECK_REQUESTED,
            when,
            landlord or story.place.officer,
            reason,
        )
    )
    return when


def signed_in(story: Story, when: dt.datetime) -> User | None:
    """The landlord's portal account, if they had one by then (they act in the portal themselves)."""
    account = story.place.portal
    return account if account is not None and account.date_joined <= when else None


def accept(story: Story, visit: Visit) -> None:
    story.steps.append(Step(MoveName.ACCEPT, PlanState.ACCEPTED, visit.time, visit.inspector, visit=visit))
    story.accepted = visit
    close(story.hazards, visit)


def close(hazards: list[SimHazard], visit: Visit) -> None:
    for h in hazards:
        if h.closed is None:
            h.status, h.closed, h.version = HazardStatus.ACCEPTED, visit, h.version + 1


def fail(story: Story, visit: Visit, still: SimHazard) -> None:
    """The acceptance visit finds `still` not fixed: the others are accepted, the plan goes back."""
    close([h for h in story.hazards if h is not still], visit)
    story.deadline = visit.time.date() + days(max(7, still.item.default_deadline_days or 15))
    story.steps.append(
        Step(
            MoveName.FAIL_RECHECK,
            PlanState.RECTIFYING,
            visit.time,
            visit.inspector,
            f"复查发现隐患未整改：{still.item.code}",
            deadline=story.deadline,
            visit=visit,
        )
    )


def write_plans(ctx: Context, world: World) -> int:
    """Hazards (each with its failed answer), plans, items and moves (those before the horizon), then the
    notices of plans open today."""
    rng = ctx.rng("plan-rows")
    for s in world.stories:
        s.steps = [step for step in s.steps if step.time < ctx.horizon]
        if all(step.name != MoveName.NOTIFY for step in s.steps):  # made last night, served today
            s.notified_on = None
            for h in s.hazards:
                h.status, h.version = HazardStatus.OPEN, 1
    hazards = [h for s in world.stories for h in s.hazards]
    for h in hazards:
        found = h.found.row
        assert found is not None  # visits are written before plans
        closed = h.closed.time if h.closed else None
        h.row = Hazard(
            premises_id=h.place.pk,
            building_id=h.place.building_id,
            item=h.item,
            inspection=found,
            answer_id=h.found.hazard_answers.get(h.item.code),
            severity=h.item.severity,
            status=h.status,
            found_at=h.found.time,
            deadline=h.deadline,
            closed_at=closed,
            closed_by=h.closed.row if h.closed else None,
            version=h.version,
            created_at=h.found.time,
            updated_at=closed or h.found.time,
        )
    for s in world.stories:
        s.row = Plan(
            premises_id=s.place.pk,
            landlord_id=s.place.landlord_id,
            officer=s.place.officer,
            state=s.steps[-1].to_state,
            deadline=s.deadline,
            notified_on=s.notified_on,
            closed_at=s.accepted.time if s.accepted else None,
            public_key=ctx.uuid(rng),
            version=len(s.steps),
            created_at=s.steps[0].time,
            updated_at=s.steps[-1].time,
        )
    with dated(Hazard, Plan):
        Hazard.objects.bulk_create([h.row for h in hazards if h.row is not None], batch_size=BATCH_SIZE)
        Plan.objects.bulk_create([s.row for s in world.stories if s.row is not None], batch_size=BATCH_SIZE)
    items = insert_rows(
        PlanItem,
        ["plan", "hazard", "measure", "acceptance", "deadline"],
        (
            (
                _pk(s.row),
                _pk(h.row),
                h.item.acceptance or h.item.requirement,
                h.item.acceptance or h.item.requirement,
                min(h.deadline, s.deadline) if h.closed else s.deadline,
            )
            for s in world.stories
            for h in s.hazards
        ),
    )
    columns = [
        "plan",
        "name",
        "from_state",
        "to_state",
        "actor",
        "actor_name",
        "time",
        "reason",
        "deadline",
        "inspection",
    ]
    moves = []
    for s in world.stories:
        state = ""
        for step in s.steps:
            actor = step.actor
            inspection = step.visit.row.pk if step.visit is not None and step.visit.row is not None else None
            moves.append(
                (_pk(s.row), step.name, state, step.to_state, actor.pk if actor else None,
                 str(actor) if actor else SYSTEM_NAME, step.time, step.reason, step.deadline, inspection)
            )  # fmt: skip
            state = step.to_state
    insert_rows(PlanMove, columns, moves)
    return len(hazards) + len(world.stories) + items + len(moves) + issue_notices(ctx, world)


def _pk(row: Model | None) -> int:
    assert row is not None and row.pk is not None  # written just before
    return int(row.pk)


def issue_notices(ctx: Context, world: World) -> int:
    """The notice (隐患整改通知书) of every plan still open today, frozen as it was served, numbered after
    the year's last serial. Plans closed before today keep their moves only (their documents are not
    the demo's point, and freezing thousands would take longer than the rest of the phase)."""
    prefix = settings.FIREGRID_DOCUMENT_SERIALS[DocumentKind.NOTICE]
    open_now = [
        s for s in world.stories if s.row is not None and s.accepted is None and s.notified_on is not None
    ]
    open_now.sort(key=lambda s: (s.steps[1].time, s.place.pk))
    made = 0
    for s in open_now:
        notify = s.steps[1]
        counter, _created = SerialCounter.objects.get_or_create(prefix=prefix, year=notify.time.year)
        counter.last += 1
        counter.save(update_fields=["last"])
        serial = document_serial(prefix, notify.time.year, counter.last)
        assert s.row is not None
        content = build_content(s.row, DocumentKind.NOTICE, serial=serial, issued_on=notify.time.date())
        Document.objects.create(
            plan=s.row,
            kind=DocumentKind.NOTICE,
            serial=serial,
            content=content,
            issued_at=notify.time,
            issued_by=s.place.officer,
        )
        made += 1
    return made
