"""Self-inspection operations: a landlord submits a self-inspection, the month's verification sample is
drawn, and a grid worker's inspection of a drawn premises verifies it (a contradiction is detected there).

Each runs in one transaction and writes its audit entries in it. The draw is recorded (rate, seed, which
self-inspections) and reproducible; a contradiction sends `signals.self_inspection_contradicted` (the
points hook) and has the premises' risk grade recomputed once the transaction is committed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, require_visible, save_update, snapshot
from firegrid.inspections.choices import AnswerResult
from firegrid.inspections.coverage import covering_inspections
from firegrid.inspections.models import Inspection
from firegrid.registry.models import Premises
from firegrid.risk import services as risk
from firegrid.risk.choices import GradeCause

from .choices import SelfCheckResult, SelfInspectionStatus
from .models import SelfInspection, SelfInspectionAnswer, Verification, VerificationDraw
from .selfcheck import SELF_CHECK_CODES, add_months, current_template, period_of, self_check_items
from .signals import self_inspection_contradicted

UNGRADED = "ungraded"
WATCH = "watch"


# --- submitting ---------------------------------------------------------------------------------------------


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({"client_uuid": _("客户端编号格式不正确。")}) from None


def submit_self_inspection(
    premises: Premises,
    answers: Mapping[str, str],
    *,
    actor: User,
    client_uuid: uuid.UUID | str,
    now: dt.datetime | None = None,
) -> SelfInspection:
    """The landlord's self-inspection of `premises` for the current period: `answers` maps each item code
    of its self-check list to pass or fail.

    A replay (the same `client_uuid`, e.g. a phone that lost the answer) returns the first submission; a
    second self-inspection of the same premises in one period is refused.
    """
    key = _as_uuid(client_uuid)
    replayed = SelfInspection.objects.filter(client_uuid=key).first()
    if replayed is not None:
        return _replay(replayed, premises, actor)
    require(actor, Action.ADD, SelfInspection)
    require_visible(premises, actor)
    # Only the premises' own landlord answers for it (not an officer on their behalf).
    if (
        actor.role != Role.LANDLORD
        or premises.landlord_id is None
        or premises.landlord_id != actor.landlord_id
    ):
        raise PermissionDenied(_("只有该出租房屋的房东可以提交自查。"))
    now = now or timezone.now()
    period = period_of(timezone.localdate(now))
    template = current_template()
    items = self_check_items(premises, template)
    if template is None or not items:
        raise ValidationError(_("当前检查表没有适用于该出租房屋的自查项。"))
    results = _check_answers(answers, [item.code for item in items])
    try:
        with transaction.atomic():
            if SelfInspection.objects.filter(premises=premises, period=period).exists():
                raise ValidationError(_("该出租户本期已提交自查。"))
            row = SelfInspection.objects.create(
                premises=premises,
                landlord_id=premises.landlord_id,
                template=template,
                period=period,
                submitted_at=now,
                submitted_by=actor,
                client_uuid=key,
            )
            SelfInspectionAnswer.objects.bulk_create(
                SelfInspectionAnswer(self_inspection=row, item_code=code, result=result)
                for code, result in results.items()
            )
            record_change(actor=actor, action=AuditAction.CREATE, obj=row, after=_snapshot(row, results))
    except IntegrityError:
        # Submitted at the same moment from another tab or phone: the first one stands.
        replayed = SelfInspection.objects.filter(client_uuid=key).first()
        if replayed is not None:
            return _replay(replayed, premises, actor)
        raise ValidationError(_("该出租户本期已提交自查。")) from None
    return row


def _replay(row: SelfInspection, premises: Premises, actor: User) -> SelfInspection:
    if row.premises_id != premises.pk or row.submitted_by_id != actor.pk:
        raise ValidationError({"client_uuid": _("该客户端编号已被另一次自查使用。")})
    return row


def _check_answers(answers: Mapping[str, str], codes: list[str]) -> dict[str, str]:
    unknown = sorted(set(answers) - set(codes))
    if unknown:
        raise ValidationError({"answers": _("不是本户的自查项：%(codes)s") % {"codes": "、".join(unknown)}})
    missing = [code for code in codes if code not in answers]
    if missing:
        raise ValidationError(
            {"answers": _("请回答全部自查项（缺 %(codes)s）。") % {"codes": "、".join(missing)}}
        )
    bad = [code for code in codes if answers[code] not in SelfCheckResult.values]
    if bad:
        raise ValidationError(
            {"answers": _("自查结果只能是“符合”或“不符合”：%(codes)s") % {"codes": "、".join(bad)}}
        )
    return {code: answers[code] for code in codes}


def _snapshot(row: SelfInspection, results: Mapping[str, str]) -> dict[str, object]:
    return {**snapshot(row), "answers": dict(results)}


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
