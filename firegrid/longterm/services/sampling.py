"""Verification sampling (自查抽检): the month's verification sample is drawn, and a grid worker's inspection
of a drawn premises verifies it (a contradiction is detected there).

Each runs in one transaction and writes its audit entries in it. The draw is recorded (rate, seed, which
self-inspections) and reproducible; a contradiction sends `signals.self_inspection_contradicted` (the
points hook) and has the premises' risk grade recomputed once the transaction is committed (the risk rule
"自查与核实不符", `contradictions.py`, makes it red for the watch months).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, save_update, snapshot
from firegrid.inspections.choices import AnswerResult
from firegrid.inspections.coverage import covering_inspections
from firegrid.inspections.models import Inspection
from firegrid.risk import services as risk
from firegrid.risk.choices import GradeCause

from ..choices import SelfCheckResult, SelfInspectionStatus
from ..models import SelfInspection, Verification, VerificationDraw
from ..selfcheck import SELF_CHECK_CODES, add_months, period_of
from ..signals import self_inspection_contradicted

UNGRADED = "ungraded"
WATCH = "watch"


# --- the draw -----------------------------------------------------------------------------------------------


def default_seed(period: dt.date) -> int:
    """The seed the monthly job draws with: the period as YYYYMM, so anyone can draw it again."""
    return period.year * 100 + period.month


def watched_premises_ids(period: dt.date) -> set[int]:
    """Premises with a contradicted self-inspection in the `FIREGRID_SELF_INSPECTION_WATCH_MONTHS` before
    `period`: all their self-inspections are drawn."""
    since = add_months(period, -int(settings.FIREGRID_SELF_INSPECTION_WATCH_MONTHS))
    return set(
        Verification.objects.filter(
            contradicted=True, self_inspection__period__gte=since, self_inspection__period__lt=period
        ).values_list("self_inspection__premises_id", flat=True)
    )


def draw_sample(
    population: Sequence[tuple[int, int, str | None]],
    *,
    rate: Decimal,
    seed: int,
    period: dt.date,
    watched: set[int],
) -> tuple[list[int], dict[str, dict[str, int]]]:
    """The ids drawn from `population` ((self-inspection id, premises id, grade)): in each grade stratum
    `ceil(rate × n)` at random (its own generator seeded by seed, period and grade, over the ids in order,
    so the draw depends on nothing else), plus every watched premises' self-inspection."""
    strata: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, premises_id, grade in population:
        strata[grade or UNGRADED].append((pk, premises_id))
    drawn: list[int] = []
    summary: dict[str, dict[str, int]] = {}
    for key in sorted(strata):
        rows = sorted(strata[key])
        forced = [pk for pk, premises_id in rows if premises_id in watched]
        rest = [pk for pk, premises_id in rows if premises_id not in watched]
        rng = random.Random(f"{seed}:{period.isoformat()}:{key}")
        picked = rng.sample(rest, min(len(rest), math.ceil(rate * len(rows))))
        drawn += forced + picked
        summary[key] = {"population": len(rows), "drawn": len(forced) + len(picked), WATCH: len(forced)}
    return sorted(drawn), summary


def draw_verifications(
    period: dt.date,
    *,
    actor: User | None,
    rate: float | Decimal | None = None,
    seed: int | None = None,
    now: dt.datetime | None = None,
) -> VerificationDraw:
    """Draw the verification sample of `period`'s self-inspections (once: a period already drawn returns
    its recorded draw). `actor` None is the monthly job; rate and seed default to the district's
    `FIREGRID_SELF_INSPECTION_SAMPLE_RATE` and `default_seed(period)`."""
    if actor is not None:
        require(actor, Action.ADD, VerificationDraw)
    period = period_of(period)
    existing = VerificationDraw.objects.filter(period=period).first()
    if existing is not None:
        return existing
    rate_value = Decimal(str(settings.FIREGRID_SELF_INSPECTION_SAMPLE_RATE if rate is None else rate))
    rate_value = rate_value.quantize(Decimal("0.001"))
    if not Decimal(0) <= rate_value <= Decimal(1):
        raise ValidationError({"rate": _("抽检比例应在 0 到 1 之间。")})
    seed = default_seed(period) if seed is None else seed
    try:
        with transaction.atomic():
            population = list(
                SelfInspection.objects.filter(period=period).values_list(
                    "pk", "premises_id", "premises__risk_grade__grade"
                )
            )
            drawn, strata = draw_sample(
                population, rate=rate_value, seed=seed, period=period, watched=watched_premises_ids(period)
            )
            draw = VerificationDraw.objects.create(
                period=period,
                rate=rate_value,
                seed=seed,
                drawn_at=now or timezone.now(),
                drawn_by=actor,
                population=len(population),
                strata=strata,
            )
            SelfInspection.objects.filter(pk__in=drawn).update(draw=draw)
            record_change(
                actor=actor, action=AuditAction.CREATE, obj=draw, after={**snapshot(draw), "drawn": drawn}
            )
    except IntegrityError:  # drawn at the same moment by another worker: theirs stands
        return VerificationDraw.objects.get(period=period)
    return draw


# --- verification -------------------------------------------------------------------------------------------


def record_verifications(inspection: Inspection, *, actor: User | None) -> list[Verification]:
    """A submitted inspection of a premises verifies its drawn self-inspections awaiting verification: each
    item the landlord declared fine that the inspection failed is a contradiction. Inspections that do
    not cover the premises (locked door, not found) verify nothing."""
    if inspection.premises_id is None or not covering_inspections().filter(pk=inspection.pk).exists():
        return []
    waiting = list(
        SelfInspection.objects.awaiting_verification()
        .filter(premises_id=inspection.premises_id)
        .select_for_update()
        .order_by("period", "pk")
    )
    if not waiting:
        return []
    failed = set(inspection.answers.filter(result=AnswerResult.FAIL).values_list("item__code", flat=True))
    verified_at = inspection.submitted_at or timezone.now()
    results: list[Verification] = []
    for row in waiting:
        declared_fine = set(
            row.answers.filter(result=SelfCheckResult.PASS).values_list("item_code", flat=True)
        )
        contradicted = [code for code in SELF_CHECK_CODES if code in declared_fine & failed]
        verification = Verification.objects.create(
            self_inspection=row,
            inspection=inspection,
            verified_at=verified_at,
            contradicted=bool(contradicted),
            contradicted_items=contradicted,
        )
        record_change(actor=actor, action=AuditAction.CREATE, obj=verification, after=snapshot(verification))
        before = snapshot(row)
        row.status = SelfInspectionStatus.CONTRADICTED if contradicted else SelfInspectionStatus.VERIFIED
        save_update(row, before, actor=actor, reason=_("抽检核实"))
        if contradicted:
            self_inspection_contradicted.send(sender=Verification, verification=verification, actor=actor)
        results.append(verification)
    if any(v.contradicted for v in results):
        premises_id = inspection.premises_id
        # A false self-report is an input of the grade: grade again once the inspection is committed.
        transaction.on_commit(
            lambda: risk.recompute_grades([premises_id], cause=GradeCause.INSPECTION, now=timezone.now())
        )
    return results
