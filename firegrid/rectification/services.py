"""Rectification operations: making a plan, every move of its state machine, the landlord's pledge and
proof photos, enforcement, and the daily overdue and escalation runs.

Each function checks the actor (role and scope), runs in one transaction with the plan row locked,
writes the plan's history row and the audit entry, and issues the documents a move produces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    ConcurrentEditError,
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
)
from firegrid.core.tables import enumerate_items
from firegrid.inspections.choices import CLOSED_STATUSES, HazardStatus, InspectionKind, InspectionStatus
from firegrid.inspections.models import Hazard, Inspection
from firegrid.registry.models import Premises

from . import documents
from .choices import (
    OPEN_STATES,
    PROOF_STATES,
    VISIT_STEPS,
    DocumentKind,
    DocumentStatus,
    MoveName,
    PlanState,
)
from .machine import check_move
from .models import (
    Document,
    EnforcementAction,
    EnforcementAttachment,
    EscalationStep,
    Plan,
    PlanItem,
    PlanMove,
    ProofPhoto,
)
from .signals import plan_moved

# Deadline for a hazard whose checklist item names none (一般隐患 are usually given 15 days).
DEFAULT_DEADLINE_DAYS = 15


def _actor_name(actor) -> str:
    return str(actor) if actor is not None else _("系统")


def _locked(plan: Plan, actor, action: str | None = None) -> Plan:
    """The plan row, locked for this transaction, if the actor may act on it.

    A landlord only views plans (the role table), yet makes the moves the machine grants them on their
    own plan: signing, asking for the recheck.
    """
    if actor is None:  # the scheduler
        return Plan.objects.select_for_update().get(pk=plan.pk)
    if action is None:
        action = Action.VIEW if actor.role == Role.LANDLORD else Action.CHANGE
    return lock_in_scope(plan, actor, action)


def _check_deadline(deadline: dt.date | None, plan: Plan | None = None, field: str = "deadline") -> None:
    if deadline is None:
        raise ValidationError({field: _("请填写整改期限。")})
    start = (plan.notified_on if plan and plan.notified_on else None) or timezone.localdate()
    if deadline < start:
        raise ValidationError(
            {
                field: _("整改期限 %(deadline)s 不能早于通知日期 %(start)s。")
                % {"deadline": deadline.isoformat(), "start": start.isoformat()}
            }
        )


def _history(plan: Plan, name: str, before_state: str, *, actor, reason="", deadline=None, inspection=None):
    PlanMove.objects.create(
        plan=plan,
        name=name,
        from_state=before_state,
        to_state=plan.state,
        actor=actor,
        actor_name=_actor_name(actor),
        reason=reason[:500],
        deadline=deadline,
        inspection=inspection,
    )


# --- making a plan ------------------------------------------------------------------------------------


def open_hazards_without_plan(premises: Premises):
    return (
        Hazard.objects.filter(
            premises=premises, status__in=[HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION]
        )
        .exclude(plan_items__plan__state__in=OPEN_STATES)
        .select_related("item")
        .order_by("found_at", "pk")
    )


def proposed_items(premises: Premises) -> list[PlanItem]:
    """The items a new plan for the premises would have (unsaved): what the plan form pre-fills."""
    today = timezone.localdate()
    return [_item_for(None, h, today) for h in open_hazards_without_plan(premises)]


def _item_for(plan: Plan | None, hazard: Hazard, today: dt.date) -> PlanItem:
    days = hazard.item.default_deadline_days
    deadline = hazard.deadline or today + dt.timedelta(
        days=days if days is not None else DEFAULT_DEADLINE_DAYS
    )
    deadline = max(deadline, today)
    acceptance = hazard.item.acceptance or hazard.item.requirement
    return PlanItem(plan=plan, hazard=hazard, measure=acceptance, acceptance=acceptance, deadline=deadline)


@transaction.atomic
def create_plan(
    premises: Premises,
    *,
    actor,
    hazards: Iterable[Hazard] | None = None,
    deadline: dt.date | None = None,
    officer=None,
    campaign=None,
    note: str = "",
) -> Plan:
    """Make the premises' plan from its open hazards (or the ones given): a measure, acceptance standard
    and deadline per hazard from its checklist item, and the plan's deadline the latest of them."""
    from firegrid.campaigns.models import Campaign

    require(actor, Action.ADD, Plan)
    require_visible(premises, actor)
    today = timezone.localdate()
    candidates = list(open_hazards_without_plan(premises))
    if hazards is not None:
        wanted = {h.pk for h in hazards}
        foreign = wanted - {h.pk for h in candidates}
        if foreign:
            raise ValidationError({"hazards": _("所选隐患不属于该出租户、已消除或已在其他方案中。")})
        candidates = [h for h in candidates if h.pk in wanted]
    if not candidates:
        raise ValidationError({"hazards": _("该出租户没有待整改的隐患，无需制定整改方案。")})
    campaign = campaign if campaign is not None else Campaign.objects.current()
    plan = Plan(
        premises=premises,
        campaign=campaign,
        landlord=premises.landlord,
        officer=officer or actor,
        deadline=deadline or today,
        note=note,
    )
    items = [_item_for(plan, h, today) for h in candidates]
    if deadline is None:
        plan.deadline = max(i.deadline for i in items)
    _check_deadline(plan.deadline)
    plan.full_clean(exclude=["premises", "officer"])
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"premises": _("该出租户已有未结束的整改方案。")}) from None
    for item in items:
        item.plan = plan
    PlanItem.objects.bulk_create(items)
    _history(plan, MoveName.CREATE, "", actor=actor)
    record_change(actor=actor, action=AuditAction.CREATE, obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def add_hazards(plan: Plan, hazards: Iterable[Hazard], *, actor) -> list[PlanItem]:
    """Add newly found hazards of the premises to its open plan (one plan per premises)."""
    plan = _locked(plan, actor)
    if plan.is_closed:
        raise ValidationError(_("方案已结束，不能再添加隐患。"))
    today = timezone.localdate()
    existing = set(plan.items.values_list("hazard_id", flat=True))
    items = [
        _item_for(plan, h, today)
        for h in hazards
        if h.pk not in existing and h.premises_id == plan.premises_id
    ]
    PlanItem.objects.bulk_create(items)
    if items and plan.state != PlanState.DRAFT:
        Hazard.objects.filter(pk__in=[i.hazard_id for i in items], status=HazardStatus.OPEN).update(
            status=HazardStatus.IN_RECTIFICATION
        )
    if items:
        record_change(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=plan,
            after={"added_hazards": [str(i.hazard) for i in items]},
        )
    return items


@transaction.atomic
def update_plan(
    plan: Plan,
    data: dict[str, Any],
    *,
    actor,
    expected_version: int | None,
    items: dict[int, dict[str, Any]] | None = None,
    reason: str = "",
) -> Plan:
    """Edit the plan's deadline, officer and note, and each item's measure, standard and deadline.

    Issued documents keep their frozen content; a changed plan gets new documents only by reissue.
    """
    require(actor, Action.CHANGE, plan)
    current = _locked(plan, actor)
    if current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    if current.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），不能修改。") % {"state": current.get_state_display()}
        )
    before = snapshot(current)
    for name in ("deadline", "officer", "note"):
        if name in data:
            setattr(current, name, data[name])
    _check_deadline(current.deadline, current)
    errors: dict[str, str] = {}
    for item in current.items.select_related("hazard__item"):
        changes = (items or {}).get(item.pk)
        if not changes:
            continue
        for name in ("measure", "acceptance", "deadline"):
            if name in changes:
                setattr(item, name, changes[name])
        if not (item.measure or "").strip():
            errors[f"item-{item.pk}-measure"] = _("请填写 %(item)s 的整改措施。") % {
                "item": item.hazard.item.code
            }
        try:
            _check_deadline(item.deadline, current, field=f"item-{item.pk}-deadline")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if item.deadline and current.deadline and item.deadline > current.deadline:
            errors[f"item-{item.pk}-deadline"] = _("%(item)s 的期限不能晚于方案整改期限。") % {
                "item": item.hazard.item.code
            }
        item.save()
    if errors:
        raise ValidationError(errors)
    current.full_clean(exclude=["premises", "officer"])
    return save_update(current, before, actor=actor, reason=reason)


# --- moves ---------------------------------------------------------------------------------------------


def _move(
    plan: Plan,
    name: MoveName,
    *,
    actor,
    reason: str = "",
    deadline: dt.date | None = None,
    inspection: Inspection | None = None,
    expected_version: int | None = None,
) -> tuple[Plan, str]:
    """Lock the plan, check the move against the table, apply it and write its history row.

    Two people acting at once: the second waits for the first's lock, then finds the plan moved on —
    a clear error naming the new state (or, with `expected_version`, a concurrent-edit conflict).
    """
    current = _locked(plan, actor)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    move = check_move(name, current.state, actor)
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise ValidationError({"reason": _("%(move)s需要填写原因。") % {"move": move.name.label}})
    if move.needs_deadline:
        _check_deadline(deadline, current)
    before_state, before = current.state, snapshot(current)
    current.state = move.target
    if deadline is not None:
        current.deadline = deadline
    current.version += 1
    current.save()
    _history(
        current, name, before_state, actor=actor, reason=reason, deadline=deadline, inspection=inspection
    )
    plan_moved.send(sender=Plan, plan=current, move=MoveName(name), actor=actor)
    record_change(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        before=before,
        after=snapshot(current),
        reason=reason or str(move.name.label),
    )
    return current, before_state


@transaction.atomic
def notify_plan(plan: Plan, *, actor, order: bool = False, expected_version: int | None = None) -> Plan:
    """Serve the notice (隐患整改通知书, or 责令限期改正通知书 with `order`): the plan's hazards go into
    rectification and the notice is issued with its serial number."""
    plan, _state = _move(plan, MoveName.NOTIFY, actor=actor, expected_version=expected_version)
    plan.notified_on = timezone.localdate()
    _check_deadline(plan.deadline, plan)
    plan.save(update_fields=["notified_on", "updated_at"])
    Hazard.objects.filter(plan_items__plan=plan, status=HazardStatus.OPEN).update(
        status=HazardStatus.IN_RECTIFICATION
    )
    documents.issue(plan, DocumentKind.ORDER if order else DocumentKind.NOTICE, actor=actor)
    return plan


@transaction.atomic
def start_rectification(plan: Plan, *, actor, reason: str = "", expected_version: int | None = None) -> Plan:
    plan, _state = _move(plan, MoveName.START, actor=actor, reason=reason, expected_version=expected_version)
    return plan


@transaction.atomic
def sign_pledge(plan: Plan, *, actor, name: str, ip: str | None) -> Document:
    """The landlord signs the pledge (承诺书) with their typed name; the time and address are kept.

    A plan has one signed pledge; signing starts the rectification when the notice has been served.
    """
    if actor.role != Role.LANDLORD or actor.landlord_id != plan.landlord_id:
        raise PermissionDenied(_("只有该方案的房东本人可以签署承诺书。"))
    plan = _locked(plan, actor)
    if plan.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），不能签署承诺书。") % {"state": plan.get_state_display()}
        )
    if plan.state == PlanState.DRAFT:
        raise ValidationError(_("整改通知送达后才能签署承诺书。"))
    signed = plan.documents.filter(kind=DocumentKind.PLEDGE, status=DocumentStatus.ISSUED).first()
    if signed is not None:
        raise ValidationError(
            _("承诺书已于 %(when)s 签署，不能重复签署。")
            % {"when": timezone.localtime(signed.signed_at).strftime("%Y-%m-%d %H:%M")}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"signed_name": _("请输入您的姓名作为签名。")})
    if plan.landlord and name != plan.landlord.name:
        raise ValidationError({"signed_name": _("签名须与房东姓名一致。")})
    document = documents.issue(
        plan, DocumentKind.PLEDGE, actor=actor, signature={"name": name, "at": timezone.now(), "ip": ip}
    )
    if plan.state == PlanState.NOTIFIED:
        _move(plan, MoveName.START, actor=actor, reason=_("房东签署承诺书"))
    return document


@transaction.atomic
def request_recheck(plan: Plan, *, actor, reason: str = "", expected_version: int | None = None) -> Plan:
    plan, _state = _move(
        plan, MoveName.REQUEST_RECHECK, actor=actor, reason=reason, expected_version=expected_version
    )
    return plan


def _plan_hazards_closed(plan: Plan) -> bool:
    return not plan.items.exclude(hazard__status__in=CLOSED_STATUSES).exists()


@transaction.atomic
def accept_plan(plan: Plan, inspection: Inspection, *, actor) -> Plan:
    """Close the plan on an acceptance inspection that found every hazard of the plan removed."""
    if inspection.kind != InspectionKind.ACCEPTANCE or inspection.status != InspectionStatus.SUBMITTED:
        raise ValidationError({"inspection": _("只有已提交的验收检查才能验收方案。")})
    if inspection.premises_id != plan.premises_id:
        raise ValidationError({"inspection": _("验收检查不是针对该出租户的。")})
    locked = _locked(plan, actor)
    check_move(MoveName.ACCEPT, locked.state, actor)
    if not _plan_hazards_closed(locked):
        open_codes = locked.items.exclude(hazard__status__in=CLOSED_STATUSES).values_list(
            "hazard__item__code", flat=True
        )
        raise ValidationError(
            _("还有隐患未通过验收：%(codes)s。") % {"codes": enumerate_items(sorted(open_codes))}
        )
    plan, _state = _move(locked, MoveName.ACCEPT, actor=actor, inspection=inspection)
    plan.closed_at = timezone.now()
    plan.save(update_fields=["closed_at", "updated_at"])
    documents.issue(plan, DocumentKind.ACCEPTANCE, actor=actor, inspection=inspection)
    return plan


def _move_to_deadline(plan: Plan, name: MoveName, *, actor, deadline: dt.date, reason: str, **kwargs) -> Plan:
    """A move that sets a new deadline: the plan's hazards not yet removed (or voided) take it too; the
    others keep the deadline they were closed under. `kwargs` go to `_move` (inspection, expected_version)."""
    plan, _state = _move(plan, name, actor=actor, reason=reason, deadline=deadline, **kwargs)
    plan.items.exclude(hazard__status__in=CLOSED_STATUSES).update(deadline=deadline)
    return plan


@transaction.atomic
def fail_recheck(
    plan: Plan, *, actor, deadline: dt.date, reason: str, inspection: Inspection | None = None
) -> Plan:
    """A recheck found hazards not fixed: back to rectifying with a new deadline."""
    return _move_to_deadline(
        plan, MoveName.FAIL_RECHECK, actor=actor, reason=reason, deadline=deadline, inspection=inspection
    )


@transaction.atomic
def extend_plan(
    plan: Plan, *, actor, deadline: dt.date, reason: str, expected_version: int | None = None
) -> Plan:
    return _move_to_deadline(
        plan,
        MoveName.EXTEND,
        actor=actor,
        reason=reason,
        deadline=deadline,
        expected_version=expected_version,
    )


@transaction.atomic
def escalate_plan(
    plan: Plan, *, actor, reason: str, departments=(), expected_version: int | None = None
) -> Plan:
    """Hand an overdue plan to a joint team of departments (联合处置)."""
    plan, _state = _move(
        plan, MoveName.ESCALATE, actor=actor, reason=reason, expected_version=expected_version
    )
    if departments:
        plan.escalated_to.add(*departments)
    return plan


@transaction.atomic
def enforce_plan(plan: Plan, *, actor, reason: str, expected_version: int | None = None) -> Plan:
    """Move an escalated plan into enforcement by decision (recording a sanction does it as well)."""
    plan, _state = _move(
        plan, MoveName.ENFORCE, actor=actor, reason=reason, expected_version=expected_version
    )
    return plan


@transaction.atomic
def resume_plan(
    plan: Plan, *, actor, deadline: dt.date, reason: str, expected_version: int | None = None
) -> Plan:
    return _move_to_deadline(
        plan,
        MoveName.RESUME,
        actor=actor,
        reason=reason,
        deadline=deadline,
        expected_version=expected_version,
    )


@transaction.atomic
def cancel_plan(plan: Plan, *, actor, reason: str, expected_version: int | None = None) -> Plan:
    """Cancel a plan whose premises was demolished or is no longer let; the reason is required."""
    plan, _state = _move(plan, MoveName.CANCEL, actor=actor, reason=reason, expected_version=expected_version)
    plan.cancel_reason, plan.closed_at = reason.strip()[:200], timezone.now()
    plan.save(update_fields=["cancel_reason", "closed_at", "updated_at"])
    return plan


# --- inspections conclude rechecks ------------------------------------------------------------------------


def conclude_inspection(inspection: Inspection, *, actor) -> Plan | None:
    """Apply a submitted recheck or acceptance inspection to the premises' open plan.

    An acceptance that finds every hazard removed accepts the plan; a recheck or acceptance that finds
    a hazard still there sends it back to rectifying with a new deadline. New hazards found at the
    premises join its open plan. Called after every inspection submit (see `receivers`).
    """
    if inspection.premises_id is None or inspection.status != InspectionStatus.SUBMITTED:
        return None
    plan = Plan.objects.open().filter(premises_id=inspection.premises_id).order_by("-pk").first()
    if plan is None:
        return None
    found = list(Hazard.objects.filter(inspection=inspection, status=HazardStatus.OPEN))
    if found:
        add_hazards(plan, found, actor=None)
    if inspection.kind not in (InspectionKind.RECHECK, InspectionKind.ACCEPTANCE):
        return plan
    if plan.state not in (PlanState.RECHECK_REQUESTED, PlanState.ENFORCEMENT):
        return plan
    if inspection.kind == InspectionKind.ACCEPTANCE and _plan_hazards_closed(plan):
        return accept_plan(plan, inspection, actor=actor)
    failed = plan.items.filter(
        hazard__status__in=[HazardStatus.OPEN, HazardStatus.IN_RECTIFICATION]
    ).select_related("hazard__item")
    if failed.exists():
        days = min(i.hazard.item.default_deadline_days or DEFAULT_DEADLINE_DAYS for i in failed)
        codes = enumerate_items(sorted({i.hazard.item.code for i in failed}))
        return fail_recheck(
            plan,
            actor=actor,
            deadline=timezone.localdate() + dt.timedelta(days=days),
            reason=_("复查发现隐患未整改：%(codes)s") % {"codes": codes},
            inspection=inspection,
        )
    return plan


# --- landlord's proof ------------------------------------------------------------------------------------


@transaction.atomic
def add_proof_photo(item: PlanItem, upload, *, actor) -> ProofPhoto:
    """An after-photo for one hazard of the plan, from the landlord (or an officer) before the recheck."""
    from firegrid.inspections.photos import attach, process_photo

    plan = _locked(item.plan, actor)
    if plan.state not in PROOF_STATES:
        raise ValidationError(
            {
                "image": _("方案当前状态为“%(state)s”，不能再上传整改照片。")
                % {"state": plan.get_state_display()}
            }
        )
    if actor.role == Role.LANDLORD and actor.landlord_id != plan.landlord_id:
        raise PermissionDenied(_("只有该方案的房东本人可以上传整改照片。"))
    if actor.role not in (Role.LANDLORD, Role.SYSTEM_ADMIN) and not actor.is_superuser:
        require(actor, Action.CHANGE, plan)
    processed = process_photo(upload)
    photo = ProofPhoto(item=item, uploaded_by=actor, uploaded_at=timezone.now())
    attach(photo, processed).save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=photo, after=snapshot(photo))
    return photo


# --- enforcement -----------------------------------------------------------------------------------------


@transaction.atomic
def record_enforcement(
    premises: Premises, data: dict[str, Any], *, actor, plan: Plan | None = None, attachments=()
) -> EnforcementAction:
    """Record an enforcement step; on an escalated plan a sanction moves the plan into enforcement."""
    require(actor, Action.ADD, EnforcementAction)
    require_visible(premises, actor)
    if plan is not None:
        # The stored row, locked: whether the sanction moves the plan depends on its state now.
        plan = _locked(plan, actor)
    department = data.get("department") or getattr(actor, "department", None)
    action = EnforcementAction(
        premises=premises, plan=plan, recorded_by=actor, **{**data, "department": department}
    )
    if department is None:
        raise ValidationError({"department": _("请选择执法部门。")})
    action.full_clean()
    action.save()
    for upload in attachments:
        attachment = EnforcementAttachment(action=action, name=upload.name[:200])
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=action, after=snapshot(action))
    if plan is not None and plan.state == PlanState.ESCALATED and action.kind not in VISIT_STEPS:
        _move(plan, MoveName.ENFORCE, actor=actor, reason=str(action))
    return action


# --- documents -------------------------------------------------------------------------------------------


@transaction.atomic
def reissue_document(document: Document, *, actor, reason: str) -> Document:
    """Issue a document again from the plan as it is now (a corrected notice); the old one is kept and
    marked superseded. Not after the plan is accepted: its record is final."""
    require(actor, Action.CHANGE, Plan)
    plan = _locked(document.plan, actor)
    if plan.state == PlanState.ACCEPTED:
        raise ValidationError(_("方案已验收，文书不能重新出具。"))
    if plan.is_closed:
        raise ValidationError(
            _("方案已结束（%(state)s），文书不能重新出具。") % {"state": plan.get_state_display()}
        )
    if document.kind == DocumentKind.PLEDGE:
        raise ValidationError(_("承诺书由房东签署，不能重新出具。"))
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != DocumentStatus.ISSUED:
        raise ValidationError(_("该文书已被重新出具，请在最新的文书上操作。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新出具文书需要填写原因。")})
    document.status = DocumentStatus.SUPERSEDED
    document.save(update_fields=["status"])
    new = documents.issue(plan, document.kind, actor=actor, supersedes=document)
    record_change(
        actor=actor, action=AuditAction.UPDATE, obj=plan, after={"reissued": new.serial}, reason=reason
    )
    return new


# --- the daily runs --------------------------------------------------------------------------------------


def mark_overdue(today: dt.date | None = None) -> int:
    """Mark every plan past its deadline overdue. Idempotent: a second run finds nothing to mark."""
    today = today or timezone.localdate()
    count = 0
    for pk in Plan.objects.past_deadline(today).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            plan = Plan.objects.select_for_update().get(pk=pk)
            if plan.state in (PlanState.NOTIFIED, PlanState.RECTIFYING) and plan.deadline < today:
                _move(
                    plan,
                    MoveName.MARK_OVERDUE,
                    actor=None,
                    reason=_("已超过整改期限 %(d)s") % {"d": plan.deadline},
                )
                count += 1
    return count


def apply_escalation_ladder(today: dt.date | None = None) -> int:
    """Move overdue plans up the district's ladder: after N days overdue, escalate to a joint team; after
    M days, into enforcement. Idempotent: a plan already on a rung is not moved again."""
    today = today or timezone.localdate()
    steps = list(EscalationStep.objects.prefetch_related("departments").order_by("days_overdue"))
    moved = 0
    for step in steps:
        source = PlanState.OVERDUE if step.move == MoveName.ESCALATE else PlanState.ESCALATED
        cutoff = today - dt.timedelta(days=step.days_overdue)
        for pk in (
            Plan.objects.filter(state=source, deadline__lte=cutoff).values_list("pk", flat=True).iterator()
        ):
            with transaction.atomic():
                plan = Plan.objects.select_for_update().get(pk=pk)
                if plan.state != source:
                    continue
                reason = _("逾期 %(days)s 天，按处置阶梯%(move)s") % {
                    "days": (today - plan.deadline).days,
                    "move": step.get_move_display(),
                }
                plan, _state = _move(plan, step.move, actor=None, reason=reason)
                if step.move == MoveName.ESCALATE:
                    plan.escalated_to.add(*step.departments.all())
                moved += 1
    return moved


# --- the escalation ladder -------------------------------------------------------------------------------

LADDER_MOVES = (MoveName.ESCALATE, MoveName.ENFORCE)


@transaction.atomic
def save_escalation_ladder(district, rungs: dict[str, dict[str, Any]], *, actor) -> list[EscalationStep]:
    """Set the district's ladder: per move (escalate, enforce) the days overdue after which the daily job
    makes it, the departments and the suggested action; `days_overdue` None takes the rung off.

    Both rungs count from the plan's deadline, so enforcement must come after the escalation. Errors
    are keyed `<move>-<field>` (the ladder form's fields).
    """
    from firegrid.areas.choices import AreaLevel

    require(actor, Action.CHANGE, EscalationStep)
    if district.level != AreaLevel.DISTRICT:
        raise ValidationError(_("逾期处置阶梯按区设置。"))
    days = {move: (rungs.get(move) or {}).get("days_overdue") for move in LADDER_MOVES}
    errors = {}
    for move in LADDER_MOVES:
        if days[move] is not None and days[move] < 1:
            errors[f"{move}-days_overdue"] = _("逾期天数至少为 1 天。")
    escalate, enforce = days[MoveName.ESCALATE], days[MoveName.ENFORCE]
    if not errors and escalate is not None and enforce is not None and enforce <= escalate:
        errors[f"{MoveName.ENFORCE}-days_overdue"] = _(
            "转入执法的逾期天数（%(enforce)s）须大于提级联合处置的逾期天数（%(escalate)s）。"
        ) % {"enforce": enforce, "escalate": escalate}
    if errors:
        raise ValidationError(errors)
    saved = []
    for move in LADDER_MOVES:
        rung = rungs.get(move) or {}
        step = EscalationStep.objects.select_for_update().filter(district=district, move=move).first()
        if days[move] is None:
            if step is not None:
                record_change(actor=actor, action=AuditAction.DELETE, obj=step, before=snapshot(step))
                step.delete()
            continue
        before = snapshot(step) if step is not None else None
        step = step or EscalationStep(district=district, move=move)
        step.days_overdue = days[move]
        step.suggested_action = rung.get("suggested_action") or ""
        step.full_clean(exclude=["district"])
        step.save()
        departments = list(rung.get("departments") or [])
        step.departments.set(departments)
        after = {**snapshot(step), "departments": [str(d) for d in departments]}
        record_change(
            actor=actor,
            action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
            obj=step,
            before=before,
            after=after,
        )
        saved.append(step)
    return saved
