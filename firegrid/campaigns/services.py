"""Campaign command: campaigns with milestones, target premises, work groups, four-category claims and the
landlord's own declaration. Each write is permission-checked, audited and done in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action, can
from firegrid.core.services import (
    ConcurrentEditError,
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
    update_record,
)
from firegrid.registry.models import Landlord

from .choices import CampaignStatus, ClaimStatus, MilestoneScope
from .membership import COMMAND_ROLES as COMMAND_ROLES
from .membership import OPEN_HAZARD_STATUSES as OPEN_HAZARD_STATUSES
from .membership import add_target as add_target
from .membership import add_targets_from_hazards as add_targets_from_hazards
from .membership import may_change_ended as may_change_ended
from .membership import remove_target as remove_target
from .models import Campaign, Claim, Milestone, WorkGroup
from .scope import active_claims, campaign_grid_ids, landlords_in_scope

# --- campaigns and milestones -----------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    due_on: dt.date
    scope: str = MilestoneScope.ALL


def _ids(objs: Iterable[models.Model]) -> list[int]:
    return sorted(o.pk for o in objs)


def _campaign_after(campaign: Campaign) -> dict[str, Any]:
    return {
        **snapshot(campaign),
        "areas": _ids(campaign.areas.all()),
        "milestones": [
            {"name": m.name, "due_on": m.due_on.isoformat(), "scope": m.scope}
            for m in campaign.milestones.all()
        ],
    }


def _check_milestones(campaign: Campaign, milestones: list[MilestoneInput]) -> list[Milestone]:
    """The milestones as rows, each checked against the period; every bad one is named in the error."""
    rows: list[Milestone] = []
    errors: list[str] = []
    for number, data in enumerate(milestones, start=1):
        row = Milestone(campaign=campaign, name=data.name, due_on=data.due_on, scope=data.scope)
        try:
            row.full_clean(exclude=["campaign"])
        except ValidationError as exc:
            for message in exc.messages:
                errors.append(
                    _("第 %(n)s 个节点（%(name)s）：%(message)s")
                    % {"n": number, "name": data.name, "message": message}
                )
        rows.append(row)
    if errors:
        raise ValidationError({"milestones": errors})
    return rows


@transaction.atomic
def save_campaign(
    campaign: Campaign | None,
    data: dict[str, Any],
    *,
    actor: User,
    areas: Iterable[Area] | None = None,
    milestones: list[MilestoneInput] | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Campaign:
    """Create (campaign None) or update a campaign with its scope and milestones.

    `areas` / `milestones` None keep the stored ones (milestones replace the stored list when given);
    the milestones are checked against the period either way, so narrowing the period cannot leave a
    milestone outside it.
    """
    creating = campaign is None
    if campaign is None:
        require(actor, Action.ADD, Campaign)
        campaign = Campaign()
        before = None
    else:
        require(actor, Action.CHANGE, campaign)
        campaign = lock_in_scope(campaign, actor, Action.CHANGE)
        if expected_version is not None and campaign.version != expected_version:
            raise ConcurrentEditError(campaign, expected_version)
        before = _campaign_after(campaign)
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    if milestones is None and not creating:
        milestones = [MilestoneInput(m.name, m.due_on, m.scope) for m in campaign.milestones.all()]
    rows = _check_milestones(campaign, milestones or [])
    if not creating:
        campaign.version += 1
    campaign.save()
    if areas is not None:
        campaign.areas.set(areas)
    campaign.milestones.all().delete()
    for row in rows:
        row.campaign = campaign
    Milestone.objects.bulk_create(rows)
    after = _campaign_after(campaign)
    if before is not None and before == {**after, "version": before["version"]}:
        # Nothing changed: keep the version as it was and write no entry.
        Campaign.objects.filter(pk=campaign.pk).update(version=before["version"])
        campaign.version = before["version"]
        return campaign
    record_change(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=campaign,
        before=before,
        after=after,
        reason=reason,
    )
    return campaign


# --- targets: dated membership ------------------------------------------------------------------------
# In membership.py (add_targets_from_hazards, add_target, remove_target), imported above so that callers
# find every campaign service here.

# --- work groups ---------------------------------------------------------------------------------------


def _work_group_after(group: WorkGroup) -> dict[str, Any]:
    return {
        **snapshot(group),
        "members": _ids(group.members.all()),
        "departments": _ids(group.departments.all()),
        "areas": _ids(group.areas.all()),
    }


def _check_areas(group: WorkGroup, areas: list[Area]) -> None:
    """An area belongs to at most one work group per campaign — counting grids, so a community cannot
    sit in one group while one of its grids sits in another (their figures would be counted twice)."""
    if not areas:
        raise ValidationError({"areas": _("请选择工作组负责的区域。")})
    scope = campaign_grid_ids(group.campaign)
    others = WorkGroup.objects.filter(campaign=group.campaign).exclude(pk=group.pk).prefetch_related("areas")
    taken: dict[int, WorkGroup] = {}
    for other in others:
        for area in other.areas.all():
            for grid_id in area.grid_ids():
                taken[grid_id] = other
    errors: list[str] = []
    for area in areas:
        grids = area.grid_ids()
        if scope is not None and not set(grids) <= set(scope):
            errors.append(_("区域“%(area)s”不在本次行动范围内。") % {"area": area.name})
            continue
        holder = next((taken[g] for g in grids if g in taken), None)
        if holder is not None:
            errors.append(
                _("区域“%(area)s”已属于本次行动的工作组“%(group)s”，一个区域只能属于一个工作组。")
                % {"area": area.name, "group": holder.name}
            )
    if errors:
        raise ValidationError({"areas": errors})


@transaction.atomic
def save_work_group(
    group: WorkGroup | None,
    data: dict[str, Any],
    *,
    actor: User,
    campaign: Campaign | None = None,
    areas: Iterable[Area] | None = None,
    members: Iterable[User] | None = None,
    departments: Iterable[Department] | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> WorkGroup:
    """Create (group None, in `campaign`) or update a work group with its leader, members, departments
    and areas (None keeps the stored ones); an update needs the `expected_version` that was read."""
    if group is not None:
        require(actor, Action.CHANGE, group)
        area_list = list(areas) if areas is not None else list(group.areas.all())
        _check_areas(group, area_list)
        taken = WorkGroup.objects.filter(campaign_id=group.campaign_id, name=data.get("name", group.name))
        if taken.exclude(pk=group.pk).exists():
            raise ValidationError({"name": _("本次行动已有同名工作组。")})
        # Lock, version check, fields and many-to-many set, scope re-check and audit: the shared update.
        changes = {
            **data,
            "areas": area_list,
            "members": group.members.all() if members is None else members,
            "departments": group.departments.all() if departments is None else departments,
        }
        return update_record(group, changes, actor=actor, expected_version=expected_version, reason=reason)
    require(actor, Action.ADD, WorkGroup)
    group = WorkGroup(campaign=campaign)
    for name, value in data.items():
        setattr(group, name, value)
    group.full_clean(exclude=["campaign"])
    area_list = list(areas) if areas is not None else []
    _check_areas(group, area_list)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:  # the unique name, when two are created at once
        raise ValidationError({"name": _("本次行动已有同名工作组。")}) from exc
    group.areas.set(area_list)
    if members is not None:
        group.members.set(members)
    if departments is not None:
        group.departments.set(departments)
    record_change(
        actor=actor, action=AuditAction.CREATE, obj=group, after=_work_group_after(group), reason=reason
    )
    return group


# --- claims ------------------------------------------------------------------------------------------


def _check_unit_for(actor: User, unit: Unit) -> None:
    # A unit liaison acts for their own unit only; the command for any unit.
    if actor.role == Role.UNIT_LIAISON and unit.pk != actor.unit_id:
        raise PermissionDenied(_("单位联络人只能为本单位认领。"))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")})
    return reason


def _check_claimable(
    landlord: Landlord, unit: Unit, campaign: Campaign, *, exclude: Claim | None = None
) -> None:
    if campaign.status == CampaignStatus.ENDED:
        raise ValidationError(_("本次行动已结束，不能再认领。"))
    if not landlord.is_four_category:
        raise ValidationError(
            {"landlord": _("“%(name)s”不是四类人员，无需单位认领。") % {"name": landlord.name}}
        )
    if not landlords_in_scope(campaign).filter(pk=landlord.pk).exists():
        raise ValidationError(
            {
                "landlord": _("“%(name)s”在本次行动的区域内没有出租户，不在本次行动范围内。")
                % {"name": landlord.name}
            }
        )
    held = active_claims(campaign).filter(landlord=landlord).select_related("unit")
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    holder = held.first()
    if holder is not None:
        if holder.unit_id == unit.pk:
            raise ValidationError({"landlord": _("本单位已认领“%(name)s”。") % {"name": landlord.name}})
        raise ValidationError(
            {
                "landlord": _("“%(name)s”已被“%(unit)s”认领；如需改由本单位负责，请联系指挥部移交。")
                % {"name": landlord.name, "unit": holder.unit.name}
            }
        )


def _save_claim(claim: Claim, landlord: Landlord, campaign: Campaign) -> None:
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as exc:
        # Another unit's claim won the race; the constraint keeps one, name the holder.
        holder = active_claims(campaign).filter(landlord=landlord).select_related("unit").first()
        unit = holder.unit.name if holder else ""
        raise ValidationError(
            {"landlord": _("“%(name)s”已被“%(unit)s”认领。") % {"name": landlord.name, "unit": unit}}
        ) from exc


@transaction.atomic
def claim(landlord: Landlord, unit: Unit, *, campaign: Campaign, actor: User, reason: str = "") -> Claim:
    """A unit claims (认领) a four-category landlord for this campaign: one unit per landlord."""
    require(actor, Action.ADD, Claim)
    _check_unit_for(actor, unit)
    require_visible(landlord, actor)
    # The landlord's row is the lock: two units claiming the same landlord at once are served in turn.
    landlord = Landlord.objects.select_for_update().get(pk=landlord.pk)
    _check_claimable(landlord, unit, campaign)
    new = Claim(
        campaign=campaign, landlord=landlord, unit=unit, claimed_by=actor, reason=(reason or "")[:200]
    )
    _save_claim(new, landlord, campaign)
    record_change(actor=actor, action=AuditAction.CREATE, obj=new, after=snapshot(new), reason=reason)
    return new


def _end(claim_: Claim, status: str, *, actor: User, reason: str) -> Claim:
    before = snapshot(claim_)
    claim_.status = status
    claim_.ended_at = timezone.now()
    claim_.reason = reason[:200]
    return save_update(claim_, before, actor=actor, reason=reason)


def _lock_active(claim_: Claim, actor: User) -> Claim:
    require(actor, Action.CHANGE, claim_)
    current = lock_in_scope(claim_, actor, Action.CHANGE)
    if current.status != ClaimStatus.ACTIVE:
        raise ValidationError(
            _("该认领已%(status)s，不能再操作。") % {"status": current.get_status_display()}
        )
    return current


@transaction.atomic
def transfer(claim_: Claim, to_unit: Unit, *, actor: User, reason: str) -> Claim:
    """Hand a claimed landlord over to another unit: the old claim ends as transferred, a new one starts."""
    reason = _require_reason(reason)
    current = _lock_active(claim_, actor)
    _check_unit_for(actor, to_unit)
    if to_unit.pk == current.unit_id:
        raise ValidationError({"to_unit": _("请选择另一个单位。")})
    _end(current, ClaimStatus.TRANSFERRED, actor=actor, reason=reason)
    new = Claim(
        campaign=current.campaign,
        landlord=current.landlord,
        unit=to_unit,
        claimed_by=actor,
        reason=_("由“%(unit)s”移交：%(reason)s") % {"unit": current.unit.name, "reason": reason},
    )
    new.reason = new.reason[:200]
    _save_claim(new, current.landlord, current.campaign)
    record_change(actor=actor, action=AuditAction.CREATE, obj=new, after=snapshot(new), reason=reason)
    return new


@transaction.atomic
def release(claim_: Claim, *, actor: User, reason: str) -> Claim:
    """Give a claimed landlord up (e.g. no longer employed there): back on the unclaimed list."""
    reason = _require_reason(reason)
    current = _lock_active(claim_, actor)
    return _end(current, ClaimStatus.RELEASED, actor=actor, reason=reason)


# --- the landlord's own declaration ----------------------------------------------------------------


FOUR_CATEGORY_FLAGS = ("is_party_member", "is_official", "is_deputy", "is_public_payroll")


@transaction.atomic
def declare_four_category(
    landlord: Landlord, *, actor: User, flags: dict[str, bool], employer_unit: Unit | None
) -> Landlord:
    """A landlord declares in the portal whether they are four-category and where they work.

    The role table lets a landlord only read their registry row; this one change to it is theirs to
    make, so the check is that the row is their own. The declaration replaces the four flags and the
    employer unit; the audit entry keeps what officers had recorded before.
    """
    if not (actor.is_authenticated and actor.role == Role.LANDLORD and actor.landlord_id == landlord.pk):
        raise PermissionDenied(_("只能申报本人的信息。"))
    current = Landlord.objects.select_for_update().get(pk=landlord.pk)
    before = snapshot(current)
    for name in FOUR_CATEGORY_FLAGS:
        setattr(current, name, bool(flags.get(name)))
    current.employer_unit = employer_unit
    current.full_clean()
    if snapshot(current) == before:
        return current
    return save_update(current, before, actor=actor, reason=_("房东在房东服务中申报四类人员身份"))


def can_claim_for(user: User, unit: Unit | None = None) -> bool:
    """May this user claim landlords (for `unit`, when given)?"""
    if not can(user, Action.ADD, Claim):
        return False
    return unit is None or user.role != Role.UNIT_LIAISON or unit.pk == user.unit_id
