"""Writing the simulated history in bulk (a data load, not user actions: no audit entries but the draws').

Before each monthly draw the rows it reads are flushed — the month's self-inspections, the visits so far
and the verifications they made (its watch list), the grade rows as they stand that night — so the real
`draw_verifications` draws over the registry as it was. The rest is written once at the end: answers,
hazards and plans, tenant households, the self-inspections' answers and statuses, the grade history. Bulk
rows are dated from their history (`rows.dated`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import reset_queries

from firegrid.core.models import AuditEntry
from firegrid.inspections.choices import AnswerResult, InspectionStatus, VisitOutcome
from firegrid.inspections.models import Answer, Inspection
from firegrid.longterm.models import Verification, VerificationDraw

from . import plans, portal, tenants
from .context import BATCH_SIZE, Context
from .grades import write_grade_history, write_grade_rows
from .records import SelfCheck
from .rows import dated, insert_objects, insert_rows

if TYPE_CHECKING:
    from .world import World


class Writer:
    def __init__(self, ctx: Context, world: World):
        self.ctx, self.world = ctx, world
        self.visits_done = 0
        self.verified: set[int] = set()  # ids of the self-checks whose Verification is written
        self.graded = False
        self.draws: list[VerificationDraw] = []

    def flush(self, when: dt.datetime, checks: list[SelfCheck]) -> None:
        portal.write_self_checks(self.world, checks)
        self.write_visits()
        self.write_verifications()
        write_grade_rows(self.world, when, first=not self.graded)
        self.graded = True
        reset_queries()  # with DEBUG on, Django keeps every query's SQL

    def write_visits(self) -> None:
        new = self.world.visits[self.visits_done :]
        self.visits_done = len(self.world.visits)
        if not new:
            return
        rng = self.ctx.rng("visit-rows")
        template = self.world.template
        for v in new:
            v.row = Inspection(
                premises_id=v.place.pk,
                building_id=v.place.building_id,
                kind=v.kind,
                template=template,
                status=InspectionStatus.SUBMITTED,
                outcome=v.outcome,
                started_at=v.started,
                submitted_at=v.time,
                client_uuid=self.ctx.uuid(rng),
                return_visit_due=v.return_due,
                version=2,
                created_at=v.started,
                updated_at=v.time,
            )
        insert_objects(Inspection, [v.row for v in new if v.row is not None])
        links = [(v.row.pk, v.inspector.pk, v.inspector.department_id) for v in new if v.row is not None]
        insert_rows(Inspection.inspectors.through, ["inspection", "user"], ((i, u) for i, u, _d in links))
        insert_rows(
            Inspection.departments.through, ["inspection", "department"], ((i, d) for i, _u, d in links if d)
        )

    def write_verifications(self) -> None:
        rows = []
        for check in self.world.self_checks:
            visit = check.verified
            if visit is None or id(check) in self.verified or check.row is None or visit.row is None:
                continue
            self.verified.add(id(check))
            rows.append(
                Verification(
                    self_inspection=check.row,
                    inspection=visit.row,
                    verified_at=visit.time,
                    contradicted=bool(check.contradicted),
                    contradicted_items=check.contradicted,
                    created_at=visit.time,
                    updated_at=visit.time,
                )
            )
        with dated(Verification):
            Verification.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def finish(self) -> None:
        """Everything not written yet."""
        world, ctx = self.world, self.ctx
        with ctx.timed("write visits"):
            portal.write_self_checks(world, world.self_checks)
            self.write_visits()
            self.write_verifications()
        with ctx.timed("write answers"):
            ctx.written["inspections"] = len(world.visits)
            ctx.written["answers"] = self.write_answers()
        with ctx.timed("write plans"):
            ctx.written["plans"] = plans.write_plans(ctx, world)
        with ctx.timed("write tenants"):
            ctx.written["tenant households"] = tenants.write_households(ctx, world)
        with ctx.timed("write self-inspections"):
            ctx.written["self-inspections"] = portal.finish_self_checks(world)
            ctx.written["misses and photos"] = portal.misses_and_photos(ctx, world)
        with ctx.timed("write grades"):
            write_grade_rows(world, ctx.graded_at, first=not self.graded)
            ctx.written["grade changes"] = write_grade_history(world)
            self.date_draws()

    def write_answers(self) -> int:
        """The answers of the visits whose pages or figures read them (`Visit.answers`): all of them, or
        only the items the visit failed or settled. Failed answers are kept on the visit for the hazards."""
        visits = [v for v in self.world.visits if v.answers and v.outcome == VisitOutcome.INSPECTED]
        rows = []
        for v in visits:
            assert v.row is not None
            for item in v.place.items:
                fail = item.code in v.failed
                if v.answers == "all" or fail or item.code in v.checked:
                    rows.append(
                        (v.row.pk, item.pk, AnswerResult.FAIL if fail else AnswerResult.PASS, "", False)
                    )
        insert_rows(Answer, ["inspection", "item", "result", "note", "fixed_on_spot"], rows)
        # The hazards' answers: read back only for the visits that found some.
        finders = {v.row.pk: v for v in visits if v.row is not None and v.failed}
        if finders:
            failed = Answer.objects.filter(inspection_id__gte=min(finders), result=AnswerResult.FAIL)
            for pk, inspection_id, code in failed.values_list("pk", "inspection_id", "item__code"):
                if inspection_id in finders:
                    finders[inspection_id].hazard_answers[code] = pk
        return len(rows)

    def date_draws(self) -> None:
        """A draw is recorded when the monthly job made it (its audit entry too)."""
        kind = ContentType.objects.get_for_model(VerificationDraw)
        for draw in self.draws:
            VerificationDraw.objects.filter(pk=draw.pk).update(
                created_at=draw.drawn_at, updated_at=draw.drawn_at
            )
            AuditEntry.objects.filter(content_type=kind, object_id=str(draw.pk)).update(time=draw.drawn_at)
