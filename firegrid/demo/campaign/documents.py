"""Notices: the rectification notices (frozen with the plan as it was served), the four-category
landlords' pledges and the acceptance forms, numbered in the order they were issued."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.conf import settings

from firegrid.core.pdf import document_serial
from firegrid.rectification.choices import DocumentKind, MoveName
from firegrid.rectification.documents import PledgeSignature, build_content
from firegrid.rectification.models import (
    Document,
    Plan,
    PlanItem,
    SerialCounter,
)

from .facts import STARTS_ON, at
from .stories import Story

if TYPE_CHECKING:
    from .replay import Replay


def issue_documents(replay: Replay, stories: list[Story]) -> None:
    """The notices (frozen with the plan as it was served), the four-category landlords' pledges and
    the acceptance forms, numbered in the order they were issued; PDFs are made on first download."""
    issued: list[tuple[dt.datetime, DocumentKind, Story, dict[str, Any]]] = []
    for s in stories:
        steps = {step.name: step for step in s.steps}
        issued.append((steps[MoveName.NOTIFY].time, DocumentKind.NOTICE, s, {}))
        if s.four_category and MoveName.START in steps:
            issued.append((steps[MoveName.START].time, DocumentKind.PLEDGE, s, {}))
        issued.append(
            (steps[MoveName.ACCEPT].time, DocumentKind.ACCEPTANCE, s, {"inspection": s.visits[-1].row})
        )
    order = {DocumentKind.NOTICE: 0, DocumentKind.PLEDGE: 1, DocumentKind.ACCEPTANCE: 2}
    issued.sort(key=lambda d: (order[d[1]], d[0], d[2].premises.pk))
    numbers: Counter[DocumentKind] = Counter()
    for time, kind, s, extra in issued:
        numbers[kind] += 1
        prefix = settings.FIREGRID_DOCUMENT_SERIALS[kind]
        serial = document_serial(prefix, time.year, numbers[kind])
        if kind == DocumentKind.ACCEPTANCE and s.deadline != s.first_deadline:
            move_deadline(s)
        signature: PledgeSignature | None = None
        if kind == DocumentKind.PLEDGE:
            signature = {"name": s.premises.landlord.name, "at": time, "ip": None}
        plan = s.written_plan()
        content = build_content(
            plan,
            kind,
            serial=serial,
            issued_on=time.astimezone(at(STARTS_ON, 0).tzinfo).date(),
            signature=signature,
            **extra,
        )
        document = Document(
            plan=plan, kind=kind, serial=serial, content=content, issued_at=time, issued_by=s.officer
        )
        if signature:
            document.issued_by = None
            document.signed_name, document.signed_at = signature["name"], time
        document.save()
    for kind, last in numbers.items():
        counter, _created = SerialCounter.objects.get_or_create(
            prefix=settings.FIREGRID_DOCUMENT_SERIALS[kind], year=STARTS_ON.year
        )
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])


def move_deadline(story: Story) -> None:
    """After the notice: a failed recheck or a resumed rectification set a new deadline for the plan
    and for its hazards not yet removed (all of them, until the acceptance)."""
    plan = story.written_plan()
    assert story.deadline is not None  # every story's path sets its deadlines (rectification, enforcement)
    if plan.deadline == story.deadline:
        return
    plan.deadline = story.deadline
    Plan.objects.filter(pk=plan.pk).update(deadline=story.deadline)
    PlanItem.objects.filter(plan=plan).update(deadline=story.deadline)
