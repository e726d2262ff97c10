"""A campaign's targets (整治对象) as dated membership: adding (from the hazards found, or by hand) and
removing, each permission-checked, audited and done in one transaction; `services` re-exports these.

A target is a member from the day it joined until the day it left (status.members_on). Adding dates the
membership (the day the hazards were found, or the day it is added); removing ends it — never a deletion.
A campaign that is over changes only by the command, with a reason, and each change makes a correction
of the campaign's last daily report (corrections.py): never a silent difference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import record_change, require, require_visible, snapshot
from firegrid.inspections.choices import HazardStatus
from firegrid.inspections.models import Hazard
from firegrid.rectification.models import Plan
from firegrid.registry.models import Premises

from . import status
from .choices import TargetSource
from .corrections import correct_last_day
from .models import Campaign, CampaignTarget
from .scope import premises_in_scope

# Hazards still to be dealt with: a premises with one of these is a target of the campaign.
OPEN_HAZARD_STATUSES = (HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION, HazardStatus.AWAITING_ACCEPTANCE)

COMMAND_ROLES = frozenset({Role.DISTRICT_COMMANDER, Role.SYSTEM_ADMIN})


def may_change_ended(actor: User) -> bool:
    """The command (district commander, system administrator) may change an ended campaign's targets."""
    return actor.is_superuser or actor.role in COMMAND_ROLES


def _check_ended_change(campaign: Campaign, actor: User, reason: str) -> bool:
    """True when the campaign is over (the change then needs the command and a reason, and a correction)."""
    if not status.is_over(campaign):
        return False
    if not may_change_ended(actor):
        raise PermissionDenied(_("本次行动已结束，只有区指挥部可以更正整治对象。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("本次行动已结束，更正整治对象必须填写原因。")})
    return True


def _change_day(campaign: Campaign, on: dt.date | None, *, field: str) -> dt.date:
    """The day a hand-made membership change takes effect: `on` if given (not after today, not after the
    campaign's end), else today — for a campaign that is over, its last day."""
    today = timezone.localdate()
    if on is None:
        return status.last_day(campaign, today) if status.is_over(campaign, today) else today
    if on > today:
        raise ValidationError({field: _("日期不能晚于今天。")})
    if on > campaign.ends_on:
        raise ValidationError({field: _("日期不能晚于行动结束日期（%(end)s）。") % {"end": campaign.ends_on}})
    return on


def _membership_after(target: CampaignTarget) -> dict[str, Any]:
    return snapshot(target)


def _found_days(campaign: Campaign, ids: list[int]) -> dict[int, dt.date]:
    """The day each premises became a target by its findings: its earliest open hazard found (by the
    campaign's end), or its plan in this campaign made, whichever came first; never before the campaign."""
    end = status.day_end(campaign.ends_on)
    first: dict[int, dt.datetime] = {}
    hazards = (
        Hazard.objects.filter(premises_id__in=ids, status__in=OPEN_HAZARD_STATUSES, found_at__lt=end)
        .order_by()
        .values("premises_id")
        .annotate(first=Min("found_at"))
    )
    plans = (
        Plan.objects.filter(campaign=campaign, premises_id__in=ids)
        .order_by()
        .values("premises_id")
        .annotate(first=Min("created_at"))
    )
    for row in [*hazards, *plans]:
        pk, when = row["premises_id"], row["first"]
        if pk not in first or when < first[pk]:
            first[pk] = when
    today = timezone.localdate()
    return {
        pk: min(max(timezone.localtime(when).date(), campaign.starts_on), today) for pk, when in first.items()
    }


@transaction.atomic
def add_targets_from_hazards(campaign: Campaign, *, actor: User, reason: str = "") -> int:
    """Make every premises in the campaign's areas with open hazards found by the campaign's end, or with a
    plan in this campaign, a target — each from the day its hazards were found (so the figures of that
    day on count it). Idempotent: a premises with any membership in the campaign, current or ended, is
    left as it is (a removal by the command is not undone by the next run). Returns how many were added.
    One audit entry on the campaign with the count, as for a ledger import."""
    require(actor, Action.ADD, CampaignTarget)
    require_visible(campaign, actor, Action.CHANGE)
    ended = _check_ended_change(campaign, actor, reason)
    premises = premises_in_scope(campaign)
    end = status.day_end(campaign.ends_on)
    with_hazards = Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES, found_at__lt=end).values(
        "inspection__premises_id"
    )
    with_plan = Plan.objects.filter(campaign=campaign).values("premises_id")
    found = premises.filter(Q(pk__in=with_hazards) | Q(pk__in=with_plan)).exclude(
        pk__in=CampaignTarget.objects.filter(campaign=campaign).values("premises_id")
    )
    ids = list(found.values_list("pk", flat=True))
    days = _found_days(campaign, ids)
    now = timezone.now()
    fallback = status.last_day(campaign) if ended else timezone.localdate()
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(
                campaign=campaign,
                premises_id=pk,
                source=TargetSource.HAZARDS,
                added_at=now,
                joined_on=days.get(pk, fallback),
            )
            for pk in ids
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    if ids:
        message = _("按排查发现的隐患加入整治对象 %(n)s 户") % {"n": len(ids)}
        record_change(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=campaign,
            after={"targets_added": len(ids), "source": TargetSource.HAZARDS},
            reason=f"{message}：{reason.strip()}" if reason.strip() else message,
        )
        if ended:
            correct_last_day(campaign, actor=actor, reason=f"{message}：{reason.strip()}")
    return len(ids)


@transaction.atomic
def add_target(
    campaign: Campaign,
    premises: Premises,
    *,
    actor: User,
    reason: str = "",
    on: dt.date | None = None,
) -> CampaignTarget:
    """Add one premises to the campaign's targets by hand, a member from `on` (default: today; the last
    day of a campaign that is over); it must lie inside the campaign's areas and not be a member already.
    A premises removed before is added again as a new membership, from a day not before it left."""
    require(actor, Action.ADD, CampaignTarget)
    require_visible(premises, actor)
    ended = _check_ended_change(campaign, actor, reason)
    joined_on = _change_day(campaign, on, field="joined_on")
    if not premises_in_scope(campaign).filter(pk=premises.pk).exists():
        raise ValidationError({"premises": _("该出租户不在本次行动范围内。")})
    # The campaign's row is the lock: two additions of the same premises at once are served in turn.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    rows = CampaignTarget.objects.filter(campaign=campaign, premises=premises)
    if rows.filter(left_on__isnull=True).exists():
        raise ValidationError({"premises": _("该出租户已是本次行动的整治对象。")})
    last_left = rows.aggregate(last=Max("left_on"))["last"]
    if last_left is not None and joined_on < last_left:
        raise ValidationError(
            {"joined_on": _("该出租户于 %(day)s 移出，重新加入的日期不能早于该日。") % {"day": last_left}}
        )
    target = CampaignTarget.objects.create(
        campaign=campaign, premises=premises, source=TargetSource.MANUAL, joined_on=joined_on
    )
    record_change(
        actor=actor, action=AuditAction.CREATE, obj=target, after=_membership_after(target), reason=reason
    )
    if ended:
        correct_last_day(
            campaign,
            actor=actor,
            reason=_("加入整治对象 %(p)s：%(reason)s") % {"p": premises, "reason": reason.strip()},
        )
    return target


@transaction.atomic
def remove_target(
    target: CampaignTarget, *, actor: User, reason: str, on: dt.date | None = None
) -> CampaignTarget:
    """Take a premises off the campaign's targets (e.g. registered twice): its membership ends on `on`
    (default: today; the last day of a campaign that is over) — it is no longer counted from that day.
    The row stays, with who removed it, why and when: the days before still count it."""
    require(actor, Action.DELETE, target)
    require_visible(target.premises, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写移出原因。")})
    campaign = target.campaign
    ended = _check_ended_change(campaign, actor, reason)
    left_on = _change_day(campaign, on, field="left_on")
    current = CampaignTarget.objects.select_for_update().get(pk=target.pk)
    if current.left_on is not None:
        raise ValidationError(_("该出租户已于 %(day)s 移出整治对象。") % {"day": current.left_on})
    if left_on < current.joined_on:
        raise ValidationError(
            {"left_on": _("移出日期不能早于加入日期（%(day)s）。") % {"day": current.joined_on}}
        )
    before = _membership_after(current)
    current.left_on = left_on
    current.left_at = timezone.now()
    current.left_by = actor
    current.left_reason = reason.strip()[:200]
    current.save(update_fields=["left_on", "left_at", "left_by", "left_reason"])
    record_change(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        before=before,
        after=_membership_after(current),
        reason=reason,
    )
    if ended:
        correct_last_day(
            campaign,
            actor=actor,
            reason=_("移出整治对象 %(p)s：%(reason)s") % {"p": current.premises, "reason": reason.strip()},
        )
    return current
