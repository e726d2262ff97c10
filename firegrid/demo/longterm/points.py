"""The points phase (积分): every landlord's ledger since December 2019 as the points receivers would have
written it from what the phase recorded, and last year's year-end evaluation, computed and confirmed by the
district commander in January through `points.evaluation` (nominees, certificates).

Each entry is what `points.receivers` writes for its cause — the same rule, the amount of the rule set in
force, the reason (msgid, parameters, the Chinese as stored), the link to the row that caused it (content type
and id, `source_url` / `source_label` from `points.sources.describe`) and the key that makes it once per cause
— dated when its cause happened (`created_at`; `occurred_on` as the receiver sets it):

- 按时自查: each self-inspection (all made inside their period); 未按时自查: each `SelfInspectionMiss`;
- 自查不实: each verification that contradicted a self-inspection;
- 限期内整改完毕 / 整改逾期: each plan move accepting on or before the deadline / marking overdue (the moves of
  the phase's own plans; those of the plans made through the services have their entries already);
- 隐患反复: each hazard found on an item whose hazard at the same premises was removed within the year before;
- 租户按时登记 / 租户未按时登记: each household a landlord reported in time / a grid worker registered late;
- 参加巡查: each landlord who scanned on a finished patrol (the volunteers);
- 参加消防培训 / 参加动员会议: the community officer `shequ`'s entries (`ledger.manual_entries`), with a note.

What the rules did to the grades along the way is the overlay's (`ledger.PointsOverlay`, installed by
`prepare`). No audit entries for the ledger (a data load); the evaluation's are the services', dated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from firegrid.core.models import AuditAction, AuditEntry
from firegrid.inspections.models import Hazard
from firegrid.longterm.models import SelfInspection, SelfInspectionMiss, Verification
from firegrid.points import reasons
from firegrid.points.choices import PointsRule
from firegrid.points.evaluation import certificate_content, confirm_evaluation, evaluate
from firegrid.points.models import Nomination, PointsEntry, YearEndEvaluation
from firegrid.points.rules import amount
from firegrid.points.services import default_rule_set
from firegrid.points.sources import describe
from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import PlanMove
from firegrid.registry.models import Premises, TenantHousehold

from .context import START, Context, days
from .ledger import is_repeat, manual_entries, removed_hazards, tenant_rule
from .ledger import prepare as prepare  # the overlay: see ledger.py
from .rows import insert_rows

if TYPE_CHECKING:
    from firegrid.points.models import PointsRuleSet

    from .world import World

UTC = dt.UTC


@dataclass
class Cause:
    """One entry to write: what happened, when, to whom, and the row that records it."""

    rule: str
    landlord_id: int
    moment: dt.datetime
    occurred_on: dt.date
    params: dict[str, Any]
    source: models.Model | None = None
    premises_id: int | None = None
    created_by_id: int | None = None
    note: str = ""


def run(ctx: Context) -> int:
    world = ctx.world
    assert world is not None  # the core phase played the years
    rule_set = default_rule_set()
    premises = Premises.objects.select_related("building").in_bulk()
    causes = [
        *_self_inspections(ctx, world, premises),
        *_verifications(ctx, premises),
        *_plans(ctx, world, premises),
        *_repeats(ctx, world, premises),
        *_tenants(ctx, world, premises),
        *_patrols(ctx),
        *_manual(ctx, world),
    ]
    written = _write(causes, rule_set)
    return written + evaluate_last_year(ctx)


def _label(premises: dict[int, Premises], pk: int) -> str:
    return str(premises[pk])


def _self_inspections(ctx: Context, world: World, premises: dict[int, Premises]) -> list[Cause]:
    causes = []
    for check in world.self_checks:
        row = check.row
        if row is None or check.place.landlord_id is None:
            continue
        row.premises = premises[check.place.pk]  # its label, without a query
        params = {"period": f"{row.period:%Y-%m}", "premises": _label(premises, row.premises_id)}
        on = ctx.local_date(row.submitted_at)
        causes.append(
            Cause(
                PointsRule.SELF_INSPECTION_ON_TIME,
                row.landlord_id,
                row.submitted_at,
                on,
                params,
                row,
                row.premises_id,
            )
        )
    for pk, premises_id, landlord_id, period, recorded in SelfInspectionMiss.objects.order_by(
        "pk"
    ).values_list("pk", "premises_id", "landlord_id", "period", "created_at"):
        miss = SelfInspectionMiss(
            pk=pk, premises=premises[premises_id], landlord_id=landlord_id, period=period
        )
        params = {"period": f"{period:%Y-%m}", "premises": _label(premises, premises_id)}
        on = ctx.local_date(recorded)
        causes.append(
            Cause(PointsRule.SELF_INSPECTION_MISSED, landlord_id, recorded, on, params, miss, premises_id)
        )
    return causes


def _verifications(ctx: Context, premises: dict[int, Premises]) -> list[Cause]:
    causes = []
    rows = Verification.objects.filter(contradicted=True).order_by("pk")
    for pk, inspection_id, verified_at, items, landlord_id, premises_id, period in rows.values_list(
        "pk",
        "inspection_id",
        "verified_at",
        "contradicted_items",
        "self_inspection__landlord_id",
        "self_inspection__premises_id",
        "self_inspection__period",
    ):
        checked = SelfInspection(premises=premises[premises_id], period=period)
        source = Verification(pk=pk, inspection_id=inspection_id, self_inspection=checked)
        params = {"items": "、".join(items), "premises": _label(premises, premises_id)}
        on = ctx.local_date(verified_at)
        causes.append(
            Cause(PointsRule.FALSE_SELF_REPORT, landlord_id, verified_at, on, params, source, premises_id)
        )
    return causes


def _plans(ctx: Context, world: World, premises: dict[int, Premises]) -> list[Cause]:
    """The phase's plans accepted on or before their deadline, and each time one was marked overdue (the
    plan's deadline then: the day before the nightly run)."""
    stories = {s.row.pk: s for s in world.stories if s.row is not None}
    rules = {MoveName.ACCEPT: PointsRule.FIXED_BEFORE_DEADLINE, MoveName.MARK_OVERDUE: PointsRule.OVERDUE}
    moves = PlanMove.objects.filter(plan_id__in=list(stories), name__in=list(rules)).order_by("pk")
    causes = []
    for pk, plan_id, name, time in moves.values_list("pk", "plan_id", "name", "time"):
        story = stories[plan_id]
        day = ctx.local_date(time)
        deadline = story.deadline if name == MoveName.ACCEPT else day - days(1)
        if name == MoveName.ACCEPT and day > deadline:
            continue
        landlord_id = story.place.landlord_id
        if landlord_id is None:
            continue
        source = PlanMove(pk=pk, plan_id=plan_id, name=name, time=time.astimezone(UTC))
        params = {"deadline": deadline.isoformat(), "premises": _label(premises, story.place.pk)}
        causes.append(Cause(rules[MoveName(name)], landlord_id, time, day, params, source, story.place.pk))
    return causes


def _repeats(ctx: Context, world: World, premises: dict[int, Premises]) -> list[Cause]:
    removed = removed_hazards()
    causes = []
    for story in world.stories:
        for hazard in story.hazards:
            row, place = hazard.row, story.place
            if row is None or place.landlord_id is None:
                continue
            if not is_repeat(hazard.found.time, removed.get((place.pk, hazard.item.code), [])):
                continue
            source = Hazard(pk=row.pk, item=hazard.item)
            params = {"item": str(hazard.item), "premises": _label(premises, place.pk)}
            on = ctx.local_date(hazard.found.time)
            causes.append(
                Cause(
                    PointsRule.REPEAT_HAZARD,
                    place.landlord_id,
                    hazard.found.time,
                    on,
                    params,
                    source,
                    place.pk,
                )
            )
    return causes


def _tenants(ctx: Context, world: World, premises: dict[int, Premises]) -> list[Cause]:
    causes = []
    for place in world.places:
        if place.landlord_id is None:
            continue
        for household in place.households:
            found = tenant_rule(ctx, household) if household.new else None
            if found is None or household.known_in is None:
                continue
            rule, registered = found
            row = household.row
            source = TenantHousehold(pk=row.pk, head_name=row.head_name)
            params = {
                "moved_in": household.moved_in.isoformat(),
                "days": max(0, (registered - household.moved_in).days),
                "premises": _label(premises, place.pk),
            }
            causes.append(
                Cause(rule, place.landlord_id, household.known_in, registered, params, source, place.pk)
            )
    return causes


def _patrols(ctx: Context) -> list[Cause]:
    from django.apps import apps

    if not apps.is_installed("firegrid.patrols"):
        return []
    from firegrid.patrols.models import Patrol, PatrolTeam

    from .patrol_plan import patrol_plan

    causes = []
    for planned, landlord_id in patrol_plan(ctx).participation():
        assert planned.finished_at is not None  # finished patrols only
        team = PatrolTeam(pk=planned.team.pk, name=planned.team.name)
        source = Patrol(
            pk=planned.pk, team=team, kind=planned.kind, window_start=planned.window_start.astimezone(UTC)
        )
        day = ctx.local_date(planned.finished_at)
        causes.append(
            Cause(
                PointsRule.PATROL_PARTICIPATION,
                landlord_id,
                planned.finished_at,
                day,
                {"patrol": str(source)},
                source,
            )
        )
    return causes


def _manual(ctx: Context, world: World) -> list[Cause]:
    officer = ctx.users.get("shequ")
    return [
        Cause(
            e.rule,
            e.landlord_id,
            e.moment,
            e.occurred_on,
            {},
            created_by_id=officer.pk if officer else None,
            note=e.note,
        )
        for e in manual_entries(ctx, world)
    ]


def _write(causes: list[Cause], rule_set: PointsRuleSet) -> int:
    parameters = rule_set.full_parameters()
    types: dict[type[models.Model], int] = {}
    rows = []
    for cause in sorted(causes, key=lambda c: (c.moment, c.landlord_id, c.rule)):
        points = amount(cause.rule, parameters)
        if not points:
            continue  # a rule the district turned off writes nothing
        source = cause.source
        if source is not None:
            kind = type(source)
            if kind not in types:
                types[kind] = ContentType.objects.get_for_model(kind).pk
            url, label = describe(source)
            msgid = reasons.REASONS[cause.rule]
            reason = reasons.chinese(msgid, cause.params)
        else:  # an officer's note names the training or meeting (add_manual_entry without a record)
            url, label, msgid, reason = "", "", "", reasons.with_note("", cause.note)
        rows.append(
            (cause.landlord_id, cause.rule, points, reason[:300], msgid, cause.params, cause.note, cause.occurred_on,
             cause.occurred_on.year, cause.premises_id, types[type(source)] if source is not None else None,
             source.pk if source is not None else None, "", url, label, rule_set.pk, cause.created_by_id, 1,
             cause.moment, cause.moment)
        )  # fmt: skip
    fields = ["landlord", "rule", "amount", "reason", "reason_msgid", "reason_params", "note", "occurred_on"]
    fields += ["year", "premises", "source_type", "source_id", "source_key", "source_url", "source_label"]
    fields += ["rule_set", "created_by", "version", "created_at", "updated_at"]
    return insert_rows(PointsEntry, fields, rows)


def evaluate_last_year(ctx: Context) -> int:
    """Last year's 文明家庭 / 文明商户 evaluation, computed and confirmed by the district commander in the first
    days of January (the services' own rows, audit entries and certificate serials, dated then). This year's
    is left to be made."""
    commander = ctx.users.get("commander")
    year = ctx.today.year - 1
    if commander is None or year <= START.year:
        return 0
    day = min(dt.date(ctx.today.year, 1, 8), ctx.today - days(1))
    computed, confirmed = ctx.at(day, 10), ctx.at(day, 15, 30)
    evaluation = evaluate(year, actor=commander, now=computed)
    evaluation = confirm_evaluation(evaluation, actor=commander, expected_version=evaluation.version)
    YearEndEvaluation.objects.filter(pk=evaluation.pk).update(
        created_at=computed, updated_at=confirmed, confirmed_at=confirmed
    )
    nominations = list(Nomination.objects.filter(evaluation=evaluation).select_related("landlord"))
    for nomination in nominations:
        content = certificate_content(
            nomination.landlord,
            nomination.award,
            year=year,
            points=nomination.points,
            serial=nomination.serial,
            on=confirmed,
        )
        Nomination.objects.filter(pk=nomination.pk).update(
            content=content, issued_at=confirmed, created_at=confirmed, updated_at=confirmed
        )
    audit = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(YearEndEvaluation))
    audit = audit.filter(object_id=str(evaluation.pk))
    audit.filter(action=AuditAction.CREATE).update(time=computed)
    audit.exclude(action=AuditAction.CREATE).update(time=confirmed)
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Nomination),
        object_id__in=[str(n.pk) for n in nominations],
    ).update(time=confirmed)
    return 1 + len(nominations)
