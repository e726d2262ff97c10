"""Inspections: suggestions from the registry, start, autosave, idempotent submit with outcomes and
on-the-spot fixes; the hazards a submit creates, moves and closes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import Department, User
from firegrid.core.models import AuditAction
from firegrid.core.permissions import Action
from firegrid.core.services import (
    lock_in_scope,
    record_change,
    require,
    require_visible,
    save_update,
    snapshot,
)
from firegrid.core.tables import enumerate_items
from firegrid.registry.models import Building, Premises, Room

from ..choices import (
    NOT_A_HAZARD,
    OPEN_STATUSES,
    RETURN_VISIT_DAYS,
    RETURN_VISIT_OUTCOMES,
    AnswerResult,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    PhotoRole,
    Severity,
    VisitOutcome,
)
from ..models import Answer, ChecklistItem, Hazard, Inspection
from ..return_visits import answer_on_submit
from ..signals import inspection_submitted
from .templates import default_template

# --- suggestions from the registry ------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A measured item pre-evaluated from the registry, shown to the inspector to confirm."""

    result: str
    measured_value: Decimal | None
    reason: str


def suggestions(inspection: Inspection) -> dict[str, Suggestion]:
    """Floor area per person, people per bedroom and the shared-rental trigger, from the registry."""
    premises, template = inspection.premises, inspection.template
    if premises is None:
        return {}
    rooms = list(premises.rooms.all())
    bedrooms = [r for r in rooms if r.use == "sleeping"]
    people = sum(r.occupants for r in bedrooms)
    out: dict[str, Suggestion] = {}
    for item in template.items.all():
        if not item.applies_to_premises(premises):
            continue
        parameter = item.rule.get("parameter")
        if parameter == "min_area_per_person_m2" and people:
            area = sum((r.area_m2 for r in bedrooms), Decimal(0))
            per_person = (area / people).quantize(Decimal("0.01"))
            limit = template.parameter("max_persons_per_bedroom") or 0
            crowded = [r.number for r in bedrooms if limit and r.occupants > limit]
            ok = item.passes(per_person, template) and not crowded
            reason = _("卧室 %(area)s m²，%(people)s 人，人均 %(per)s m²") % {
                "area": area,
                "people": people,
                "per": per_person,
            }
            if crowded:
                reason += _("；超过每间 %(limit)s 人：%(rooms)s") % {
                    "limit": limit,
                    "rooms": enumerate_items(crowded),
                }
            out[item.code] = Suggestion(AnswerResult.PASS if ok else AnswerResult.FAIL, per_person, reason)
        elif item.shared_rental_only:
            trigger = template.parameter("shared_rental_min_rooms") or 0
            if trigger and len(rooms) >= trigger and not premises.is_shared_rental:
                out[item.code] = Suggestion(
                    AnswerResult.FAIL,
                    None,
                    _("登记 %(n)s 间，达到群租房标准（%(trigger)s 间），但未标为群租房")
                    % {"n": len(rooms), "trigger": trigger},
                )
    return out


# --- inspections --------------------------------------------------------------------------------------


@dataclass
class AnswerInput:
    item_code: str
    result: str
    measured_value: Decimal | str | None = None
    note: str = ""
    fixed_on_spot: bool = False


@transaction.atomic
def start_inspection(
    *,
    actor: User,
    premises: Premises | None = None,
    building: Building | None = None,
    kind: str = InspectionKind.SURVEY,
    client_uuid: uuid.UUID | str | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    departments: Iterable[Department] = (),
) -> Inspection:
    """Open a draft inspection of a premises (or of a building for its area-level items).

    With a client-made `client_uuid`, starting twice returns the same inspection.
    """
    require(actor, Action.ADD, Inspection)
    if client_uuid:
        existing = Inspection.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            require_visible(existing, actor)
            return existing
    if premises is not None:
        building = premises.building
        require_visible(premises, actor)
    elif building is not None:
        require_visible(building, actor)
    else:
        raise ValidationError(_("请选择要检查的出租户或建筑。"))
    inspection = Inspection(
        premises=premises,
        building=building,
        kind=kind,
        template=default_template(),
        started_at=timezone.now(),
        latitude=latitude,
        longitude=longitude,
        **({"client_uuid": client_uuid} if client_uuid else {}),
    )
    inspection.full_clean(exclude=["client_uuid"])
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        if not client_uuid:
            raise  # not a race on the client's id
        # Two first requests with the same client id raced; the other one won.
        existing = Inspection.objects.get(client_uuid=client_uuid)
        require_visible(existing, actor)
        return existing
    inspection.inspectors.add(actor)
    # A department officer inspects for their department: the visit is joint by construction.
    joint = {*departments, *([actor.department] if actor.department is not None else [])}
    if joint:
        inspection.departments.set(joint)
    record_change(actor=actor, action=AuditAction.CREATE, obj=inspection, after=snapshot(inspection))
    return inspection


def _items_by_code(inspection: Inspection) -> dict[str, ChecklistItem]:
    return {item.code: item for item in inspection.template.items.all()}


def _check_answers(inspection: Inspection, answers: list[AnswerInput]) -> dict[str, list[str]]:
    """Validate answers against the inspection's own template version; errors keyed by item code."""
    items = _items_by_code(inspection)
    errors: dict[str, list[str]] = {}
    for a in answers:
        item = items.get(a.item_code)
        if item is None:
            errors.setdefault(a.item_code, []).append(
                _("检查表 %(template)s 中没有检查项 %(code)s。")
                % {"template": inspection.template.code, "code": a.item_code}
            )
            continue
        if a.result not in AnswerResult.values:
            errors.setdefault(a.item_code, []).append(_("结论应为合格、不合格或不适用。"))
        if not item.applies_to_premises(inspection.premises) and a.result != AnswerResult.NOT_APPLICABLE:
            kind = inspection.premises.get_kind_display() if inspection.premises else _("建筑")
            errors.setdefault(a.item_code, []).append(
                _("检查项 %(code)s 不适用于%(kind)s，只能选“不适用”。") % {"code": item.code, "kind": kind}
            )
        if a.measured_value not in (None, ""):
            try:
                Decimal(str(a.measured_value))
            except InvalidOperation:
                errors.setdefault(a.item_code, []).append(_("实测值应为数字。"))
        if a.fixed_on_spot and (item.severity != Severity.IMMEDIATE or a.result != AnswerResult.FAIL):
            errors.setdefault(a.item_code, []).append(_("只有“立改”类的不合格项可以当场整改。"))
    return errors


def _store_answers(inspection: Inspection, answers: list[AnswerInput]) -> None:
    items = _items_by_code(inspection)
    for a in answers:
        item = items[a.item_code]
        measured = Decimal(str(a.measured_value)) if a.measured_value not in (None, "") else None
        result = a.result
        if measured is not None and item.is_measured and result != AnswerResult.NOT_APPLICABLE:
            # A measurement decides the result against this template's threshold.
            result = AnswerResult.PASS if item.passes(measured, inspection.template) else AnswerResult.FAIL
        Answer.objects.update_or_create(
            inspection=inspection,
            item=item,
            defaults={
                "result": result,
                "measured_value": measured,
                "note": a.note[:500],
                "fixed_on_spot": a.fixed_on_spot,
            },
        )


def draft_for_update(inspection: Inspection, actor: User) -> Inspection:
    require(actor, Action.CHANGE, Inspection)
    return lock_in_scope(inspection, actor, Action.CHANGE)


@transaction.atomic
def save_answers(inspection: Inspection, answers: list[AnswerInput], *, actor: User) -> Inspection:
    """Autosave of a draft: answers so far, nothing decided yet."""
    inspection = draft_for_update(inspection, actor)
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError(_("检查已提交，不能再修改。"))
    errors = _check_answers(inspection, answers)
    if errors:
        raise ValidationError(errors)
    _store_answers(inspection, answers)
    return inspection


@transaction.atomic
def submit_inspection(
    inspection: Inspection,
    *,
    actor: User,
    outcome: str,
    answers: list[AnswerInput] | None = None,
    rooms: list[Room] | None = None,
    note: str = "",
) -> Inspection:
    """Finish a visit. Idempotent: submitting an already submitted inspection returns it unchanged.

    Inspected: every applicable item needs an answer; each failure becomes a hazard (an on-the-spot
    fix, with its after-photo, is closed at once). A recheck moves the hazards it finds fixed to
    awaiting acceptance; only an acceptance inspection closes them. Other outcomes record why the
    door was not inspected; locked, not found and renovating schedule a return visit.
    """
    inspection = draft_for_update(inspection, actor)
    if inspection.status == InspectionStatus.SUBMITTED:
        return inspection
    if outcome not in VisitOutcome.values:
        raise ValidationError({"outcome": _("请选择检查结果。")})
    answers = answers or []
    errors = _check_answers(inspection, answers)
    if errors:
        raise ValidationError(errors)
    _store_answers(inspection, answers)
    stored = {a.item.code: a for a in inspection.answers.select_related("item")}
    if outcome == VisitOutcome.INSPECTED:
        missing = [i.code for i in inspection.applicable_items() if i.code not in stored]
        if missing:
            raise ValidationError(
                {
                    "answers": _("还有 %(n)s 项未检查：%(codes)s")
                    % {"n": len(missing), "codes": enumerate_items(missing)}
                }
            )
        without_photo = [
            a.item.code
            for a in stored.values()
            if a.fixed_on_spot and not a.photos.filter(role=PhotoRole.AFTER).exists()
        ]
        if without_photo:
            raise ValidationError(
                {
                    "answers": _("当场整改需要整改后照片：%(codes)s")
                    % {"codes": enumerate_items(without_photo)}
                }
            )
    if rooms is not None:
        premises_rooms = (
            set(inspection.premises.rooms.values_list("pk", flat=True)) if inspection.premises else set()
        )
        if any(r.pk not in premises_rooms for r in rooms):
            raise ValidationError({"rooms": _("所选房间不属于该出租户。")})
        inspection.rooms_inspected.set(rooms)
    before = snapshot(inspection)
    now = timezone.now()
    inspection.status, inspection.outcome, inspection.submitted_at = InspectionStatus.SUBMITTED, outcome, now
    inspection.note = note or inspection.note
    if outcome in RETURN_VISIT_OUTCOMES:
        inspection.return_visit_due = timezone.localdate() + dt.timedelta(days=RETURN_VISIT_DAYS)
    save_update(inspection, before, actor=actor, reason=str(VisitOutcome(outcome).label))
    answer_on_submit(inspection, now)
    if outcome == VisitOutcome.INSPECTED:
        _apply_findings(inspection, list(stored.values()), actor=actor, now=now)
    # In the same transaction: a recheck or acceptance moves the premises' rectification plan with it.
    inspection_submitted.send(sender=Inspection, inspection=inspection, actor=actor)
    return inspection


def _open_hazards(inspection: Inspection) -> QuerySet[Hazard]:
    return Hazard.objects.filter(
        building=inspection.building, premises=inspection.premises, status__in=OPEN_STATUSES
    ).select_related("item")


def _apply_findings(inspection: Inspection, answers: list[Answer], *, actor: User, now: dt.datetime) -> None:
    open_by_code: dict[str, list[Hazard]] = {}
    for hazard in _open_hazards(inspection).select_for_update():
        open_by_code.setdefault(hazard.item.code, []).append(hazard)
    for answer in answers:
        item = answer.item
        already_open = open_by_code.get(item.code, [])
        if answer.result == AnswerResult.FAIL and item.severity not in NOT_A_HAZARD and not already_open:
            _create_hazard(inspection, answer, actor=actor, now=now)
        elif answer.result == AnswerResult.PASS and already_open:
            if inspection.kind == InspectionKind.ACCEPTANCE:
                _move_hazards(already_open, HazardStatus.ACCEPTED, actor=actor, closed_by=inspection, now=now)
            elif inspection.kind == InspectionKind.RECHECK:
                _move_hazards(already_open, HazardStatus.AWAITING_ACCEPTANCE, actor=actor)


def _create_hazard(inspection: Inspection, answer: Answer, *, actor: User, now: dt.datetime) -> Hazard:
    item = answer.item
    fixed = answer.fixed_on_spot
    deadline = None
    if not fixed and item.default_deadline_days is not None:
        deadline = timezone.localdate(now) + dt.timedelta(days=item.default_deadline_days)
    hazard = Hazard.objects.create(
        premises=inspection.premises,
        building=inspection.building,
        item=item,
        inspection=inspection,
        answer=answer,
        severity=item.severity,
        found_at=now,
        deadline=deadline,
        status=HazardStatus.FIXED_ON_SPOT if fixed else HazardStatus.OPEN,
        closed_at=now if fixed else None,
        closed_by=inspection if fixed else None,
    )
    record_change(actor=actor, action=AuditAction.CREATE, obj=hazard, after=snapshot(hazard))
    return hazard


def _move_hazards(
    hazards: list[Hazard],
    status: str,
    *,
    actor: User,
    closed_by: Inspection | None = None,
    now: dt.datetime | None = None,
) -> None:
    for hazard in hazards:
        before = snapshot(hazard)
        hazard.status = status
        if closed_by is not None:
            hazard.closed_by, hazard.closed_at = closed_by, now
        save_update(hazard, before, actor=actor)
