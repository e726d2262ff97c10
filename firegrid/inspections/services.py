"""Inspection operations: templates (load, new version, parameters, publish), inspections (start,
autosave, idempotent submit with outcomes and on-the-spot fixes), hazards (created, moved and closed
by inspections; voided by a supervisor). Each checks the actor, runs in one transaction and audits."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.models import Department, User
from firegrid.core.middleware import current_request_id
from firegrid.core.models import AuditAction, AuditEntry
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

from .choices import (
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
    TemplateStatus,
    VisitOutcome,
)
from .models import Answer, ChecklistItem, ChecklistTemplate, Hazard, Inspection, Photo
from .signals import inspection_submitted

DEFAULT_TEMPLATE_FILE = Path(__file__).resolve().parent / "data" / "rental-fire-checklist.yaml"


# --- templates ---------------------------------------------------------------------------------


@transaction.atomic
def load_template(
    data: dict[str, Any], *, actor: User | None = None, publish: bool = True
) -> ChecklistTemplate:
    """Create a template from its YAML form. Loading a code that exists changes nothing."""
    existing = ChecklistTemplate.objects.filter(code=data["version"]).first()
    if existing is not None:
        return existing
    template = ChecklistTemplate.objects.create(
        code=data["version"],
        name=data.get("name_zh", data["version"]),
        name_en=data.get("name_en", ""),
        standard=data.get("standard", ""),
        parameters=data.get("parameters", {}),
        severities=data.get("severities", []),
        categories=data.get("categories", []),
        notes=data.get("notes", ""),
        status=TemplateStatus.PUBLISHED if publish else TemplateStatus.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=template,
            code=item["code"],
            category=item["category"],
            position=position,
            title=item["title_zh"],
            title_en=item.get("title_en", ""),
            requirement=item.get("requirement_zh", ""),
            requirement_en=item.get("requirement_en", ""),
            applies_to=list(item.get("applies_to", [])),
            shared_rental_only=bool(item.get("shared_rental_only")),
            area_level=bool(item.get("area_level")),
            severity=item["severity"],
            gb35181_element=item.get("gb35181_element") or "",
            rule=dict(item.get("check") or {"kind": "yes_no"}),
            default_deadline_days=item.get("default_deadline_days"),
            acceptance=item.get("acceptance_zh", ""),
            basis=list(item.get("basis", [])),
            confidence=item.get("confidence", ""),
        )
        for position, item in enumerate(data.get("items", []), start=1)
    )
    record_change(actor=actor, action=AuditAction.CREATE, obj=template, after=snapshot(template))
    return template


def default_template() -> ChecklistTemplate:
    """The published template new inspections use; the bundled `zj-2019.1` is loaded the first time."""
    template = ChecklistTemplate.objects.current()
    if template is None:
        template = load_template(yaml.safe_load(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8")))
    return template


@transaction.atomic
def create_template_version(template: ChecklistTemplate, *, code: str, actor: User) -> ChecklistTemplate:
    """A new draft copying `template`: the way a district changes its thresholds."""
    require(actor, Action.ADD, ChecklistTemplate)
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise ValidationError({"code": _("版本号 %(code)s 已存在。") % {"code": code}})
    draft = ChecklistTemplate.objects.create(
        code=code,
        name=template.name,
        name_en=template.name_en,
        standard=template.standard,
        parameters=template.parameters,
        severities=template.severities,
        categories=template.categories,
        notes=template.notes,
        based_on=template,
        status=TemplateStatus.DRAFT,
    )
    items = list(template.items.all())
    for item in items:
        item.pk, item.template = None, draft
    ChecklistItem.objects.bulk_create(items)
    record_change(actor=actor, action=AuditAction.CREATE, obj=draft, after=snapshot(draft))
    return draft


def _parameter_value(current: object, raw: object) -> str | int | float:
    """A numeric parameter stays numeric (4 or 4.5 alike); any other keeps its text."""
    if isinstance(current, bool) or not isinstance(current, int | float):
        return str(raw)
    number = float(str(raw).strip())
    return int(number) if number.is_integer() and isinstance(current, int) else number


@transaction.atomic
def update_template_parameters(
    template: ChecklistTemplate, values: dict[str, Any], *, actor: User
) -> ChecklistTemplate:
    """Set threshold values on a draft template; a published one never changes."""
    require(actor, Action.CHANGE, ChecklistTemplate)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.DRAFT:
        raise ValidationError(_("已发布的检查表不能修改，请先基于它创建新版本。"))
    before = snapshot(template)
    parameters = dict(template.parameters)
    errors: dict[str, str] = {}
    for name, raw in values.items():
        if name not in parameters:
            errors[name] = _("没有名为 %(name)s 的参数。") % {"name": name}
            continue
        current = parameters[name].get("value")
        try:
            value = _parameter_value(current, raw)
        except (TypeError, ValueError):
            errors[name] = _("%(name)s 应为数字。") % {"name": name}
            continue
        if isinstance(value, int | float) and value < 0:
            errors[name] = _("%(name)s 不能为负数。") % {"name": name}
            continue
        parameters[name] = {**parameters[name], "value": value}
    if errors:
        raise ValidationError(errors)
    template.parameters = parameters
    return save_update(template, before, actor=actor)


@transaction.atomic
def publish_template(template: ChecklistTemplate, *, actor: User) -> ChecklistTemplate:
    require(actor, Action.CHANGE, ChecklistTemplate)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.DRAFT:
        raise ValidationError(_("只有草稿可以发布。"))
    before = snapshot(template)
    template.status, template.published_at = TemplateStatus.PUBLISHED, timezone.now()
    return save_update(template, before, actor=actor)


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


def _draft_for_update(inspection: Inspection, actor: User) -> Inspection:
    require(actor, Action.CHANGE, Inspection)
    return lock_in_scope(inspection, actor, Action.CHANGE)


@transaction.atomic
def save_answers(inspection: Inspection, answers: list[AnswerInput], *, actor: User) -> Inspection:
    """Autosave of a draft: answers so far, nothing decided yet."""
    inspection = _draft_for_update(inspection, actor)
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
    inspection = _draft_for_update(inspection, actor)
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


@transaction.atomic
def void_hazard(hazard: Hazard, *, actor: User, reason: str) -> Hazard:
    """Void a hazard recorded in error. Needs a supervisor's role and a reason."""
    require(actor, Action.VOID, Hazard)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"void_reason": _("作废隐患必须填写原因。")})
    hazard = lock_in_scope(hazard, actor, Action.VOID)
    if hazard.status not in OPEN_STATUSES:
        raise ValidationError(
            _("只有未消除的隐患可以作废（当前：%(status)s）。") % {"status": hazard.get_status_display()}
        )
    before = snapshot(hazard)
    hazard.status, hazard.void_reason, hazard.closed_at = HazardStatus.VOID, reason[:200], timezone.now()
    return save_update(hazard, before, actor=actor, reason=reason)


# --- photos ---------------------------------------------------------------------------------------


@transaction.atomic
def add_photo(
    inspection: Inspection,
    upload: IO[bytes],
    *,
    actor: User,
    item_code: str | None = None,
    role: str = PhotoRole.EVIDENCE,
) -> Photo:
    """Attach a photo to a draft inspection (and to one of its items). The file is checked by content,
    resized, thumbnailed and stripped of EXIF before it is stored; a refused file changes nothing else."""
    # Imported here: Pillow and the HEIF decoder load only in processes that take photos.
    from .photos import attach, process_photo

    require(actor, Action.ADD, Photo)
    inspection = _draft_for_update(inspection, actor)
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError(_("检查已提交，不能再添加照片。"))
    answer = None
    if item_code:
        item = inspection.template.items.filter(code=item_code).first()
        if item is None:
            raise ValidationError({"item_code": _("检查表中没有检查项 %(code)s。") % {"code": item_code}})
        answer = inspection.answers.filter(item=item).first()
        if answer is None:
            raise ValidationError(
                {"item_code": _("请先对检查项 %(code)s 作出结论，再添加照片。") % {"code": item_code}}
            )
    processed = process_photo(upload)
    photo = Photo(
        inspection=inspection,
        answer=answer,
        role=role,
        latitude=processed.latitude,
        longitude=processed.longitude,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attach(photo, processed).save()
    record_change(actor=actor, action=AuditAction.CREATE, obj=photo, after=snapshot(photo))
    return photo


# --- hazard status in bulk -------------------------------------------------------------------------------


@transaction.atomic
def set_hazards_status(
    hazards: QuerySet[Hazard], status: str, *, actor: User | None, reason: str = ""
) -> int:
    """Move the given hazards not yet in `status` into it, as one UPDATE: each one's version moves on
    (an editor still holding the old one gets a conflict) and each gets its audit entry, in the same
    transaction. Returns how many moved.

    The caller's service has checked the actor (a plan's notice puts its hazards into rectification);
    `actor` None is the scheduler. The premises file shows each entry as the hazard's status change.
    """
    rows = list(
        Hazard.objects.filter(pk__in=hazards.values("pk"))
        .exclude(status=status)
        .select_related("item")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not rows:
        return 0
    now = timezone.now()
    Hazard.objects.filter(pk__in=[h.pk for h in rows]).update(
        status=status, version=F("version") + 1, updated_at=now
    )
    content_type = ContentType.objects.get_for_model(Hazard)
    request_id = current_request_id()
    entries = []
    for hazard in rows:
        before = snapshot(hazard)
        entries.append(
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_name=str(actor) if actor else "system",
                action=AuditAction.UPDATE,
                content_type=content_type,
                object_id=str(hazard.pk),
                object_repr=str(hazard)[:200],
                premises_id=hazard.premises_id,
                before=before,
                after={**before, "status": str(status), "version": hazard.version + 1},
                reason=reason[:200],
                request_id=request_id,
            )
        )
    AuditEntry.objects.bulk_create(entries)
    return len(rows)
