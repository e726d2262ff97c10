"""Risk operations: rule sets (the default one, a new draft version, its parameters, publishing: the
shared versioned rule-set services of `core/rulesets.py`, publishing followed by a recomputation) and the
recomputation of premises grades in bulk.

Grades are the system's computation, not anyone's edit: `recompute_grades` writes them without audit
entries (the inspection or plan move that caused it is audited); their history is `GradeChange`. Rule
sets change only through the services below, each permission-checked and audited in its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.core import rulesets
from firegrid.core.rulesets import create_rule_set_draft as create_rule_set_draft
from firegrid.core.rulesets import update_rule_set_parameters as update_rule_set_parameters
from firegrid.core.services import create_record, update_record
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Premises

from .choices import GRADE_RANK, GradeCause, RiskGrade
from .facts import gather_facts
from .models import GradeChange, KeyArea, PremisesGrade, RiskRuleSet
from .rules import grade_premises, next_due

DEFAULT_RULE_SET_CODE = "risk-2026.1"
# Premises graded per transaction: bounds memory and lock time; the queries per chunk stay fixed.
CHUNK = 2000
# Fields a recomputation may change on a grade row.
GRADE_FIELDS = ("grade", "rank", "score", "reasons", "rule_set_id", "last_covering_inspection_at", "next_due")


# --- rule sets ---------------------------------------------------------------------------------------------


def default_rule_set() -> RiskRuleSet:
    """The published rule set grades use; the default `risk-2026.1` is made and published the first time."""
    return rulesets.default_rule_set(RiskRuleSet, code=DEFAULT_RULE_SET_CODE, name=_("出租房屋风险分级规则"))


def publish_rule_set(
    rule_set: RiskRuleSet, *, actor: User, expected_version: int | None = None
) -> RiskRuleSet:
    """Publish a draft: it is the version grades are computed with from now on; the one before retires.

    Every grade is computed again by the job `risk.recompute_grades` once the publication is committed."""
    return rulesets.publish_rule_set(
        rule_set,
        actor=actor,
        expected_version=expected_version,
        after_commit=lambda published, by: enqueue_recompute(
            key=f"rule-set-{published.pk}", cause=GradeCause.RULE_SET, actor=by
        ),
    )


def enqueue_recompute(*, key: str, cause: str, actor: User | None, areas: list[int] | None = None) -> None:
    """Every premises (or those of `areas`) graded again by the job `risk.recompute_grades` (run `key`; a
    second enqueue of the same key runs nothing more): what a new rule set — risk's, or one the rules read —
    or a key area sets off."""
    from firegrid.jobs.services import enqueue

    params: dict[str, Any] = {"cause": cause}
    if areas is not None:
        params["areas"] = areas
    enqueue("risk.recompute_grades", key=key, params=params, actor=actor)


# --- key areas (重点区域) ----------------------------------------------------------------------------------


@transaction.atomic
def save_key_area(
    key_area: KeyArea | None,
    data: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None = None,
    reason: str = "",
) -> KeyArea:
    """Designate a key area (`key_area` None) or change one — its period, weight, interval — through the
    record services (role, audit, version). Once committed, the premises of its area (the one before too,
    when the area moved) are graded again by the job `risk.recompute_grades`."""
    before_area = key_area.area_id if key_area is not None else None
    if key_area is None:
        saved = create_record(KeyArea, data, actor=actor, reason=reason)
    else:
        saved = update_record(key_area, data, actor=actor, expected_version=expected_version, reason=reason)
    areas = sorted({saved.area_id, *([before_area] if before_area else [])})
    transaction.on_commit(
        lambda: enqueue_recompute(
            key=f"key-area-{saved.pk}-v{saved.version}", cause=GradeCause.KEY_AREA, actor=actor, areas=areas
        )
    )
    return saved


# --- grades --------------------------------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    """What a recomputation did: premises graded, rows created / changed / left as they were, grade changes
    (history rows written), and grades removed (premises demolished)."""

    premises: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    grade_changes: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


Progress = Callable[[int, int], None]


def _chunks(premises: QuerySet[Premises] | Iterable[int]) -> Iterator[list[int]]:
    """Premises ids in chunks: a queryset by id ranges (no OFFSET, no list of every id in memory)."""
    if isinstance(premises, QuerySet):
        ids = premises.order_by().values_list("pk", flat=True)
        bounds = premises.order_by().aggregate(low=Min("pk"), high=Max("pk"))
        low, high = bounds["low"], bounds["high"]
        if low is None or high is None:
            return
        start = low
        while start <= high:
            chunk = list(ids.filter(pk__gte=start, pk__lt=start + CHUNK))
            if chunk:
                yield chunk
            start += CHUNK
        return
    all_ids = sorted({int(pk) for pk in premises})
    for index in range(0, len(all_ids), CHUNK):
        yield all_ids[index : index + CHUNK]


def grade_after_commit(premises_ids: Iterable[int | None], cause: str) -> None:
    """Grade the premises again once the caller's transaction is committed (a plan move, a tenant move, an
    alert case closed). robust: an error is logged, not raised after the commit (a 500 for a saved record,
    and the callbacks queued after this one, such as an SMS, skipped); the nightly job grades it again."""
    ids = sorted({pk for pk in premises_ids if pk is not None})
    if ids:
        transaction.on_commit(lambda: recompute_grades(ids, cause=cause, now=timezone.now()), robust=True)


def recompute_grades(
    premises: QuerySet[Premises] | Iterable[int],
    *,
    cause: str,
    now: dt.datetime | None = None,
    rule_set: RiskRuleSet | None = None,
    progress: Progress | None = None,
) -> RecomputeResult:
    """Grade `premises` (a queryset or ids) with the published rule set, as of `now`.

    A row is written only when something in it changed (so a second run changes nothing), and a
    `GradeChange` only when the grade itself changed (the first grade of a premises included). Each
    chunk of premises is its own transaction; inside a caller's transaction (a submitted inspection) the
    chunks join it.
    """
    now = now or timezone.now()
    rule_set = rule_set or default_rule_set()
    parameters = rule_set.full_parameters()
    on = timezone.localdate(now)
    result = RecomputeResult()
    total = premises.count() if progress is not None and isinstance(premises, QuerySet) else 0
    for ids in _chunks(premises):
        with transaction.atomic():
            _recompute_chunk(
                ids, cause=str(cause), now=now, on=on, rule_set=rule_set, parameters=parameters, result=result
            )
        if progress is not None:
            progress(result.premises + result.removed, max(total, result.premises + result.removed))
    return result


def _recompute_chunk(
    ids: list[int],
    *,
    cause: str,
    now: dt.datetime,
    on: dt.date,
    rule_set: RiskRuleSet,
    parameters: dict[str, dict[str, int | float]],
    result: RecomputeResult,
) -> None:
    live = list(
        Premises.objects.filter(pk__in=ids)
        .exclude(status=PremisesStatus.DEMOLISHED)
        .values_list("pk", flat=True)
    )
    # A demolished (or deleted) premises is not inspected again: its grade goes, its history stays.
    removed, _by_model = (
        PremisesGrade.objects.filter(premises_id__in=ids).exclude(premises_id__in=live).delete()
    )
    result.removed += removed
    facts = gather_facts(live, on)
    existing = {g.premises_id: g for g in PremisesGrade.objects.filter(premises_id__in=live)}
    to_create: list[PremisesGrade] = []
    to_update: list[PremisesGrade] = []
    changes: list[GradeChange] = []
    for pk, premises_facts in facts.items():
        graded = grade_premises(premises_facts, parameters)
        old = existing.get(pk)
        last = premises_facts.last_covering_inspection_at
        due = next_due(graded.grade, last, on, parameters, premises_facts)
        if last is None and old is not None and old.last_covering_inspection_at is None:
            # Never inspected: due since the day it was first graded, not a date that moves on nightly.
            due = min(old.next_due, due)
        values: dict[str, Any] = {
            "grade": graded.grade,
            "rank": GRADE_RANK[RiskGrade(graded.grade)],
            "score": graded.score,
            "reasons": graded.reasons_json(),
            "rule_set_id": rule_set.pk,
            "last_covering_inspection_at": last,
            "next_due": due,
        }
        previous_grade = old.grade if old is not None else ""
        if old is None:
            to_create.append(PremisesGrade(premises_id=pk, computed_at=now, **values))
        elif any(getattr(old, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(old, name, value)
            old.version += 1
            old.computed_at = old.updated_at = now
            to_update.append(old)
        else:
            result.unchanged += 1
            continue
        if previous_grade != graded.grade:
            changes.append(
                GradeChange(
                    premises_id=pk,
                    old_grade=previous_grade,
                    new_grade=graded.grade,
                    score=graded.score,
                    reasons=values["reasons"],
                    rule_set=rule_set,
                    computed_at=now,
                    cause=cause,
                )
            )
    PremisesGrade.objects.bulk_create(to_create, batch_size=500)
    # An upsert, not bulk_update: bulk_update's CASE WHEN per field cost ~3.6 ms a row on PostgreSQL
    # (120 s for 33,560 grades; 4.3 s this way — bench/longterm.py, the nightly recompute).
    PremisesGrade.objects.bulk_create(
        to_update,
        update_conflicts=True,
        unique_fields=["premises"],
        update_fields=[*GRADE_FIELDS, "version", "computed_at", "updated_at"],
        batch_size=500,
    )
    GradeChange.objects.bulk_create(changes, batch_size=500)
    result.premises += len(facts)
    result.created += len(to_create)
    result.updated += len(to_update)
    result.grade_changes += len(changes)
