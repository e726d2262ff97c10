"""Points operations: the district's rule sets (the default one, a draft version, its parameters,
publishing), entries written by the system when their cause happens (idempotent) or by an officer
(attendance, corrections), and a landlord's points for a year.

Every entry is audited in its transaction (the premises file collects it when it names a premises); the
landlord's premises are graded again once it is committed (points move the grade and the interval).
Nobody changes or deletes an entry: a correction is a new entry linked to the one it corrects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from firegrid.areas.models import User
from firegrid.core import rulesets
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.rulesets import create_rule_set_draft as create_rule_set_draft
from firegrid.core.rulesets import update_rule_set_parameters as update_rule_set_parameters
from firegrid.core.services import create_record, record_change, require, snapshot
from firegrid.outreach.models import OutreachRecord
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Landlord, Premises
from firegrid.risk.choices import GradeCause
from firegrid.risk.services import enqueue_recompute

from . import reasons
from .choices import MANUAL_RULES, MAX_CORRECTION, PointsBand, PointsRule
from .models import PointsEntry, PointsRuleSet, YearEndEvaluation
from .rules import amount, base_points, default_parameters
from .sources import describe

DEFAULT_RULE_SET_CODE = "points-2026.1"


# --- rule sets ---------------------------------------------------------------------------------------------


def default_rule_set() -> PointsRuleSet:
    """The published rule set entries use; the default `points-2026.1` is made and published the first time."""
    return rulesets.default_rule_set(PointsRuleSet, code=DEFAULT_RULE_SET_CODE, name=_("房东积分规则"))


def current_parameters() -> dict[str, dict[str, int]]:
    """The parameters in force, without making the default rule set (a read: the risk facts, pages)."""
    current = PointsRuleSet.objects.current()
    return current.full_parameters() if current is not None else default_parameters()


def publish_rule_set(
    rule_set: PointsRuleSet, *, actor: User, expected_version: int | None = None
) -> PointsRuleSet:
    """Publish a draft: new entries take their amounts from it, the one before retires. Entries already
    written keep theirs. Every grade is computed again after the commit (thresholds move intervals)."""
    return rulesets.publish_rule_set(
        rule_set,
        actor=actor,
        expected_version=expected_version,
        after_commit=lambda published, by: enqueue_recompute(
            key=f"points-rule-set-{published.pk}", cause=GradeCause.POINTS, actor=by
        ),
    )


# --- points of a landlord ----------------------------------------------------------------------------------


def landlord_points(landlord: Landlord | int, year: int) -> int:
    """The landlord's points in `year`: the yearly base plus every entry of that year."""
    landlord_id = landlord if isinstance(landlord, int) else landlord.pk
    return points_of([landlord_id], year)[landlord_id]


def points_of(
    landlord_ids: Iterable[int], year: int, parameters: Mapping[str, Mapping[str, int]] | None = None
) -> dict[int, int]:
    """landlord id → points in `year` (one GROUP BY)."""
    ids = list(landlord_ids)
    base = base_points(parameters or current_parameters())
    totals = dict(
        PointsEntry.objects.filter(landlord_id__in=ids, year=year)
        .order_by()
        .values_list("landlord_id")
        .annotate(total=Sum("amount"))
    )
    return {pk: base + (totals.get(pk) or 0) for pk in ids}


def yearly_points(
    landlord_id: int, years: Iterable[int], parameters: Mapping[str, Mapping[str, int]] | None = None
) -> dict[int, int]:
    """year → the landlord's points that year, for several years at once (one GROUP BY)."""
    wanted = list(years)
    base = base_points(parameters or current_parameters())
    totals = dict(
        PointsEntry.objects.filter(landlord_id=landlord_id, year__in=wanted)
        .order_by()
        .values_list("year")
        .annotate(total=Sum("amount"))
    )
    return {year: base + (totals.get(year) or 0) for year in wanted}


def with_points(
    landlords: QuerySet[Landlord], year: int, parameters: Mapping[str, Mapping[str, int]] | None = None
) -> QuerySet[Landlord]:
    """Landlords annotated with `points` in `year` (base + the year's entries), in SQL: lists, rankings and
    figures filter and order by it."""
    base = base_points(parameters or current_parameters())
    year_sum = (
        PointsEntry.objects.filter(landlord=OuterRef("pk"), year=year)
        .order_by()
        .values("landlord")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return landlords.annotate(
        points=Value(base) + Coalesce(Subquery(year_sum, output_field=IntegerField()), Value(0))
    )


def landlords_with_points(user: User, year: int) -> QuerySet[Landlord]:
    """The landlords in the user's scope who hold a premises (not demolished), with their `points` in
    `year`, what they `gained` and `lost`, and their `band` (PointsBand) under the rule set in force: the
    房东积分 list, its export, the API and the figures."""
    parameters = current_parameters()
    interval = parameters["interval"]
    holds = Premises.objects.filter(landlord=OuterRef("pk")).exclude(status=PremisesStatus.DEMOLISHED)
    landlords = Landlord.objects.visible_to(user).filter(Exists(holds))
    return with_points(landlords, year, parameters).annotate(
        gained=_sum_of(year, positive=True),
        lost=_sum_of(year, positive=False),
        band=Case(
            When(Q(points__lte=interval["poor_points"]), then=Value(PointsBand.POOR.value)),
            When(Q(points__gte=interval["good_points"]), then=Value(PointsBand.GOOD.value)),
            default=Value(PointsBand.MIDDLE.value),
            output_field=CharField(),
        ),
    )


def _sum_of(year: int, *, positive: bool) -> Coalesce:
    rows = PointsEntry.objects.filter(landlord=OuterRef("pk"), year=year)
    rows = rows.filter(amount__gt=0) if positive else rows.filter(amount__lt=0)
    total = rows.order_by().values("landlord").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


# --- entries -----------------------------------------------------------------------------------------------


def _source_parts(source: models.Model | None) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    return ContentType.objects.get_for_model(source), int(source.pk)


def _existing(
    rule: str, landlord_id: int, source: models.Model | None, source_key: str
) -> PointsEntry | None:
    content_type, source_id = _source_parts(source)
    if content_type is None:
        return None
    return PointsEntry.objects.filter(
        rule=rule,
        landlord_id=landlord_id,
        source_type=content_type,
        source_id=source_id,
        source_key=source_key,
    ).first()


def record_entry(
    rule: str,
    *,
    landlord_id: int,
    source: models.Model,
    occurred_on: dt.date,
    params: Mapping[str, Any],
    premises_id: int | None = None,
    source_key: str = "",
    actor: User | None = None,
    regrade: bool = True,
) -> PointsEntry | None:
    """The system's entry for something that happened (`source`): its amount from the published rule set,
    its reason from the rule's msgid with `params`. The same cause (rule, source, key, landlord) counts
    once: a replay returns the entry already written. A rule the district set to 0 writes nothing.

    Called inside the transaction of what caused it (a receiver), so the entry and its cause stand or fall
    together; the landlord's premises are graded again after the commit (`regrade`)."""
    rule = PointsRule(rule)
    existing = _existing(rule, landlord_id, source, source_key)
    if existing is not None:
        return existing
    rule_set = default_rule_set()
    points = amount(rule, rule_set.full_parameters())
    if not points:
        return None
    msgid = reasons.REASONS[rule]
    url, label = describe(source)
    content_type, source_id = _source_parts(source)
    entry = PointsEntry(
        landlord_id=landlord_id,
        rule=rule,
        amount=points,
        reason=reasons.chinese(msgid, params)[:300],
        reason_msgid=msgid,
        reason_params=dict(params),
        occurred_on=occurred_on,
        premises_id=premises_id,
        source_type=content_type,
        source_id=source_id,
        source_key=source_key,
        source_url=url,
        source_label=label,
        rule_set=rule_set,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            entry.save()
            record_change(actor=actor, action=AuditAction.CREATE, obj=entry, after=snapshot(entry))
    except IntegrityError:
        # Written at the same moment by a replay in another transaction: the first one stands.
        return _existing(rule, landlord_id, source, source_key)
    if regrade:
        regrade_after_commit([landlord_id])
    return entry


def regrade_after_commit(landlord_ids: Iterable[int]) -> None:
    """Grade the landlords' premises again once the transaction is committed (points feed the grade and
    the re-inspection interval). robust: a grading error is logged, never raised after the commit; the
    nightly job grades every premises again."""
    ids = sorted(set(landlord_ids))
    if not ids:
        return

    def regrade() -> None:
        from firegrid.risk.services import recompute_grades

        premises = list(Premises.objects.filter(landlord_id__in=ids).values_list("pk", flat=True))
        recompute_grades(premises, cause=GradeCause.POINTS, now=timezone.now())

    transaction.on_commit(regrade, robust=True)


def _year_is_open(year: int) -> None:
    if YearEndEvaluation.objects.filter(year=year, confirmed_at__isnull=False).exists():
        raise ValidationError(
            {"occurred_on": _("%(year)s 年度评选已确认，不能再补记该年度的积分。") % {"year": year}}
        )


def _manual_source(
    rule: str, landlord: Landlord, source: models.Model | None, actor: User
) -> models.Model | None:
    """The record a manual entry links to, checked: a meeting the actor can see for attendance, an entry
    of the same landlord the actor can see for a correction."""
    if source is None:
        return None
    if rule == PointsRule.CORRECTION:
        if not isinstance(source, PointsEntry):
            raise ValidationError({"corrects": _("更正只能针对一条积分记录。")})
        if not PointsEntry.objects.visible_to(actor).filter(pk=source.pk, landlord=landlord).exists():
            raise ValidationError({"corrects": _("所更正的积分记录不属于该房东。")})
        if source.rule == PointsRule.CORRECTION:
            raise ValidationError({"corrects": _("更正记录不能再被更正，请直接补记一条更正。")})
        return source
    if not isinstance(source, OutreachRecord) or not (
        OutreachRecord.objects.visible_to(actor).filter(pk=source.pk).exists()
    ):
        raise ValidationError({"record": _("请选择您辖区内的宣传记录。")})
    return source


@transaction.atomic
def add_manual_entry(
    landlord: Landlord,
    rule: str,
    *,
    actor: User,
    occurred_on: dt.date,
    note: str = "",
    amount_typed: int | None = None,
    source: models.Model | None = None,
) -> PointsEntry:
    """An officer's entry: training or meeting attendance (the rule set's amount; the meeting's record as
    its source, or a note naming the training), or a correction (an amount typed, with the reason, linked
    to the entry it corrects when there is one). Refused outside the actor's scope, for a rule the system
    records, for a future day, a year before last, or a year whose evaluation is confirmed."""
    require(actor, Action.ADD, PointsEntry)
    if not Landlord.objects.visible_to(actor).filter(pk=landlord.pk).exists():
        raise PermissionDenied(_("该房东不在您的管辖范围内。"))
    if rule not in MANUAL_RULES:
        raise ValidationError({"rule": _("该项积分由系统自动记录，不能手动添加。")})
    rule = PointsRule(rule)
    note = note.strip()
    today = timezone.localdate()
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("日期不能晚于今天。")})
    if occurred_on.year < today.year - 1:
        # Last year's points may still be corrected before its evaluation is confirmed; older ones are closed.
        raise ValidationError({"occurred_on": _("只能补记今年和去年的积分。")})
    _year_is_open(occurred_on.year)
    source = _manual_source(rule, landlord, source, actor)
    rule_set = default_rule_set()
    params: dict[str, Any] = {}
    if rule == PointsRule.CORRECTION:
        if not note:
            raise ValidationError({"note": _("更正须写明原因。")})
        if amount_typed is None or amount_typed == 0:
            raise ValidationError({"amount": _("请填写更正的分值（加分为正，扣分为负）。")})
        if abs(amount_typed) > MAX_CORRECTION:
            raise ValidationError({"amount": _("一次更正不超过 %(max)s 分。") % {"max": MAX_CORRECTION}})
        points = amount_typed
        if isinstance(source, PointsEntry):
            # The rule's label in Chinese, as the stored reason is (reasons.render translates it when shown).
            with override(settings.LANGUAGE_CODE):
                params = {"date": source.occurred_on.isoformat(), "rule": str(source.get_rule_display())}
    else:
        points = amount(rule, rule_set.full_parameters())
        if not points:
            raise ValidationError({"rule": _("现行积分规则中该项为 0 分，不予记录。")})
        if source is None and not note:
            raise ValidationError({"note": _("请选择宣传记录，或写明培训、会议的名称和日期。")})
        if source is not None:
            params = {"record": str(source)}
    msgid = reasons.REASONS[rule] if params else ""
    reason = reasons.with_note(reasons.chinese(msgid, params) if msgid else "", note)
    url, label = describe(source)
    content_type, source_id = _source_parts(source)
    entry = create_record(
        PointsEntry,
        {
            "landlord": landlord,
            "rule": rule,
            "amount": points,
            "reason": reason[:300],
            "reason_msgid": msgid,
            "reason_params": params,
            "note": note,
            "occurred_on": occurred_on,
            "year": occurred_on.year,
            "source_type": content_type,
            "source_id": source_id,
            "source_url": url,
            "source_label": label,
            "rule_set": rule_set,
            "created_by": actor,
        },
        actor=actor,
        reason=note,
    )
    regrade_after_commit([landlord.pk])
    return entry
