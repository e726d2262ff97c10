"""Entries the system writes when their cause happens, one receiver per signal of the layers below.

Each runs inside the transaction of its cause (the signal is sent there), so an entry and its cause
stand or fall together; each is idempotent (`services.record_entry`: the same cause counts once), so a
replayed signal adds nothing. The landlord's premises are graded again after the commit.

- a self-inspection created (`post_save` of longterm.SelfInspection) → 按时自查 (+)
- `longterm.signals.self_inspection_missed` (the job recording a period's misses) → 未按时自查 (−)
- `longterm.signals.self_inspection_contradicted` (a verification visit found it false) → 自查不实 (−)
- `rectification.signals.plan_moved`: accepted on or before the plan's deadline → 限期内整改完毕 (+);
  marked overdue → 整改逾期 (−); moved into enforcement → 转入执法 (−)
- `inspections.signals.inspection_submitted`: a hazard found on a checklist item whose hazard at the same
  premises was removed within the last 12 months → 隐患反复 (−, one per hazard)
- `registry.signals.tenant_moved` (in): reported by the landlord within FIREGRID_TENANT_REPORT_DAYS →
  租户按时登记 (+); registered by staff at a visit after that → 租户未按时登记 (−)
- `patrols.signals.patrol_completed`: each participant who is a landlord → 参加巡查 (+)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from firegrid.areas.choices import Role
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.inspections.signals import inspection_submitted
from firegrid.longterm.models import SelfInspection
from firegrid.longterm.selfcheck import add_months, interval_months
from firegrid.longterm.signals import self_inspection_contradicted, self_inspection_missed
from firegrid.patrols.signals import patrol_completed
from firegrid.rectification.choices import MoveName
from firegrid.rectification.models import PlanMove
from firegrid.rectification.signals import plan_moved
from firegrid.registry.models import Premises
from firegrid.registry.signals import tenant_moved

from .choices import PointsRule
from .services import record_entry, regrade_after_commit

if TYPE_CHECKING:
    from firegrid.areas.models import User
    from firegrid.inspections.models import Inspection
    from firegrid.longterm.models import Verification
    from firegrid.rectification.models import Plan
    from firegrid.registry.models import Landlord, TenantHousehold

# A hazard removed this long before the same item fails again at the same premises makes it a repeat.
REPEAT_WINDOW = dt.timedelta(days=365)
REMOVED = (HazardStatus.FIXED_ON_SPOT, HazardStatus.ACCEPTED)


def _day(moment: dt.datetime | None) -> dt.date:
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def _premises_label(premises: Premises) -> str:
    return str(premises)


# --- self-inspection ----------------------------------------------------------------------------------------


@receiver(post_save, sender=SelfInspection, dispatch_uid="points.self_inspection_on_time")
def self_inspection_on_time(
    sender: type[SelfInspection], instance: SelfInspection, created: bool, **kwargs: Any
) -> None:
    """Submitted inside its period (the portal only takes the current period's): 按时自查."""
    if not created or kwargs.get("raw"):
        return
    submitted = _day(instance.submitted_at)
    if submitted >= add_months(instance.period, interval_months()):
        return
    record_entry(
        PointsRule.SELF_INSPECTION_ON_TIME,
        landlord_id=instance.landlord_id,
        source=instance,
        occurred_on=submitted,
        premises_id=instance.premises_id,
        params={"period": f"{instance.period:%Y-%m}", "premises": _premises_label(instance.premises)},
        actor=None,
    )


@receiver(self_inspection_missed, dispatch_uid="points.self_inspection_missed")
def missed_self_inspection(
    sender: type[SelfInspection],
    premises: Premises,
    landlord: Landlord,
    period: dt.date,
    actor: User | None = None,
    miss: Model | None = None,
    **kwargs: Any,
) -> None:
    """A self-inspection owed for `period` and not made: 未按时自查, once per premises and period — linked to
    longterm's record of the miss (one per premises and period), else to the premises with the period as
    its key."""
    record_entry(
        PointsRule.SELF_INSPECTION_MISSED,
        landlord_id=landlord.pk,
        source=miss if miss is not None else premises,
        source_key="" if miss is not None else f"{period:%Y-%m}",
        occurred_on=timezone.localdate(),
        premises_id=premises.pk,
        params={"period": f"{period:%Y-%m}", "premises": _premises_label(premises)},
        actor=actor,
    )


@receiver(self_inspection_contradicted, dispatch_uid="points.false_self_report")
def false_self_report(
    sender: type[Verification], verification: Verification, actor: User | None, **kwargs: Any
) -> None:
    row = verification.self_inspection
    record_entry(
        PointsRule.FALSE_SELF_REPORT,
        landlord_id=row.landlord_id,
        source=verification,
        occurred_on=_day(verification.verified_at),
        premises_id=row.premises_id,
        params={
            "items": "、".join(verification.contradicted_items),
            "premises": _premises_label(row.premises),
        },
        actor=None,
    )


# --- rectification ------------------------------------------------------------------------------------------

PLAN_RULES = {
    MoveName.ACCEPT: PointsRule.FIXED_BEFORE_DEADLINE,
    MoveName.MARK_OVERDUE: PointsRule.OVERDUE,
    MoveName.ENFORCE: PointsRule.ENFORCEMENT,
}


@receiver(plan_moved, dispatch_uid="points.plan_moved")
def plan_move_points(
    sender: type[Plan], plan: Plan, move: MoveName, actor: User | None, **kwargs: Any
) -> None:
    """The plan's history row of this move is the entry's source: a plan overdue twice counts twice."""
    rule = PLAN_RULES.get(MoveName(move))
    if rule is None:
        return
    history = PlanMove.objects.filter(plan=plan, name=move).order_by("-time", "-id").first()
    if history is None:
        return
    day = _day(history.time)
    if rule == PointsRule.FIXED_BEFORE_DEADLINE and day > plan.deadline:
        return
    landlord_id = plan.landlord_id or plan.premises.landlord_id
    record_entry(
        rule,
        landlord_id=landlord_id,
        source=history,
        occurred_on=day,
        premises_id=plan.premises_id,
        params={"deadline": plan.deadline.isoformat(), "premises": _premises_label(plan.premises)},
        actor=None,
    )


# --- inspections -------------------------------------------------------------------------------------------


@receiver(inspection_submitted, dispatch_uid="points.repeat_hazards")
def repeat_hazards(sender: type[Inspection], inspection: Inspection, actor: User, **kwargs: Any) -> None:
    """Each hazard this inspection found on an item whose hazard at the same premises was removed (fixed on
    the spot or accepted) within the 12 months before: 隐患反复, one entry per hazard."""
    if inspection.premises_id is None:
        return
    found = list(
        Hazard.objects.filter(inspection=inspection, premises_id=inspection.premises_id).select_related(
            "item", "premises"
        )
    )
    if not found:
        return
    earliest = min(h.found_at for h in found) - REPEAT_WINDOW
    removed: dict[str, list[dt.datetime]] = {}
    for code, closed_at in (
        Hazard.objects.filter(
            premises_id=inspection.premises_id,
            status__in=REMOVED,
            closed_at__gte=earliest,
            item__code__in=[h.item.code for h in found],
        )
        .exclude(inspection=inspection)
        .values_list("item__code", "closed_at")
    ):
        if closed_at is not None:  # removed hazards have one; the filter says so too
            removed.setdefault(code, []).append(closed_at)
    landlords: set[int] = set()
    for hazard in found:
        premises = hazard.premises
        assert premises is not None  # filtered on the inspection's premises
        window = hazard.found_at - REPEAT_WINDOW
        if not any(window <= closed <= hazard.found_at for closed in removed.get(hazard.item.code, [])):
            continue
        entry = record_entry(
            PointsRule.REPEAT_HAZARD,
            landlord_id=premises.landlord_id,
            source=hazard,
            occurred_on=_day(hazard.found_at),
            premises_id=premises.pk,
            # Chinese, as the rest of the stored reason (str(item) follows the reader's language).
            params={"item": f"{hazard.item.code} {hazard.item.title}", "premises": _premises_label(premises)},
            actor=None,
            regrade=False,
        )
        if entry is not None:
            landlords.add(premises.landlord_id)
    regrade_after_commit(landlords)


# --- tenant moves -------------------------------------------------------------------------------------------


@receiver(tenant_moved, dispatch_uid="points.tenant_moved")
def tenant_registration(
    sender: type[TenantHousehold], household: TenantHousehold, move: str, actor: User, **kwargs: Any
) -> None:
    """A move-in the landlord reported in time: 租户按时登记. One a grid worker registered at a visit after
    the time allowed (`household.reported_late`): 租户未按时登记. A landlord's late report is neither."""
    if move != "in":
        return
    premises = household.premises
    if household.reported_by_landlord_at is not None:
        if household.reported_late:
            return
        rule = PointsRule.TENANT_ON_TIME
        registered = _day(household.reported_by_landlord_at)
    elif household.reported_late:
        rule = PointsRule.TENANT_LATE
        registered = _day(household.created_at)
    else:
        return
    record_entry(
        rule,
        landlord_id=premises.landlord_id,
        source=household,
        occurred_on=registered,
        premises_id=premises.pk,
        params={
            "moved_in": household.moved_in.isoformat(),
            "days": max(0, (registered - household.moved_in).days),
            "premises": _premises_label(premises),
        },
        actor=None,
    )


# --- patrols ------------------------------------------------------------------------------------------------


@receiver(patrol_completed, dispatch_uid="points.patrol_participation")
def patrol_participation(
    sender: type[Any], patrol: Any, participants: list[User], actor: User | None = None, **kwargs: Any
) -> None:
    """Landlords who took part in a finished patrol (volunteers): 参加巡查, once per patrol. Staff on a
    patrol get nothing: points are for landlords, and nobody is scored by check-ins."""
    landlord_ids = sorted(
        {u.landlord_id for u in participants if u.role == Role.LANDLORD and u.landlord_id is not None}
    )
    if not landlord_ids:
        return
    day = _day(getattr(patrol, "finished_at", None))
    for landlord_id in landlord_ids:
        record_entry(
            PointsRule.PATROL_PARTICIPATION,
            landlord_id=landlord_id,
            source=patrol,
            occurred_on=day,
            params={"patrol": str(patrol)},
            actor=None,
            regrade=False,
        )
    regrade_after_commit(landlord_ids)
