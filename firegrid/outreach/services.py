"""Contractor operations: keeping the directory and the contractors' slots, booking a slot for a
rectification plan, cancelling a booking, and the contractor marking the work done with photos.

Each function checks the actor (role and scope), runs in one transaction and writes the audit entry;
a booking's entries carry the plan's premises, so they appear in the premises file (一户一档).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import Role
from firegrid.areas.models import Area
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
from firegrid.rectification.models import Plan, PlanItem

from .choices import BookingStatus
from .models import Booking, Contractor, Slot, WorkPhoto, contractor_scope_q

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from firegrid.areas.models import User
    from firegrid.campaigns.models import Campaign

    from .models import OutreachRecord

# --- the directory ---------------------------------------------------------------------------------------


def _in_actor_areas(area: Area, actor: User) -> bool:
    if actor.is_district_wide:
        return True
    return any(area.path.startswith(path) for path in actor.scope_paths)


def _contractor_snapshot(contractor: Contractor, *, masked: bool = True) -> dict[str, Any]:
    data = snapshot(contractor, masked=masked)
    data["areas"] = "、".join(sorted(contractor.areas.values_list("name", flat=True)))
    return data


def _check_areas(areas: list[Area], actor: User) -> None:
    if not areas:
        raise ValidationError({"areas": _("请至少选择一个服务区域。")})
    outside = [a.name for a in areas if not _in_actor_areas(a, actor)]
    if outside:
        raise ValidationError(
            {"areas": _("服务区域超出您的管辖范围：%(names)s。") % {"names": enumerate_items(outside)}}
        )


def _ensure_keeps(contractor: Contractor, actor: User, action: str) -> None:
    """Re-check inside the transaction that the saved contractor is still one the actor may keep."""
    if not Contractor.objects.visible_to(actor, action).filter(pk=contractor.pk).exists():
        raise ValidationError({"areas": _("保存后该施工单位将不在您的管辖范围内，未保存。")})


@transaction.atomic
def create_contractor(
    data: dict[str, Any], *, areas: Iterable[Area], actor: User, reason: str = ""
) -> Contractor:
    """List a contractor in the directory with the areas they serve (inside the actor's areas)."""
    require(actor, Action.ADD, Contractor)
    areas = list(areas)
    _check_areas(areas, actor)
    contractor = Contractor(**data)
    # The one constraint (an active mobile is unique) is checked by clean() on the field.
    contractor.full_clean(validate_constraints=False)
    contractor.save()
    contractor.areas.set(areas)
    _ensure_keeps(contractor, actor, Action.ADD)
    record_change(
        actor=actor,
        action=AuditAction.CREATE,
        obj=contractor,
        after=_contractor_snapshot(contractor),
        reason=reason,
    )
    return contractor


@transaction.atomic
def update_contractor(
    contractor: Contractor,
    data: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None,
    areas: Iterable[Area] | None = None,
    reason: str = "",
) -> Contractor:
    """Edit a contractor if nobody changed it since `expected_version`. `areas` replaces the served areas
    inside the actor's own areas; those outside them (set by another officer) are kept."""
    require(actor, Action.CHANGE, Contractor)
    current = lock_in_scope(contractor, actor, Action.CHANGE)
    if current.version != expected_version:
        raise ConcurrentEditError(current, expected_version)
    before = _contractor_snapshot(current)
    # Compare unmasked values: the middle digits of a corrected mobile are hidden by the mask.
    unmasked_before = snapshot(current, masked=False)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean(validate_constraints=False)
    new_area_ids: set[int] | None = None
    if areas is not None:
        chosen = list(areas)
        outside = [a for a in chosen if not _in_actor_areas(a, actor)]
        if outside:
            _check_areas(outside, actor)
        kept = [a.pk for a in current.areas.all() if not _in_actor_areas(a, actor)]
        new_area_ids = {a.pk for a in chosen} | set(kept)
        if not new_area_ids:
            raise ValidationError({"areas": _("请至少选择一个服务区域。")})
    areas_changed = new_area_ids is not None and new_area_ids != set(
        current.areas.values_list("pk", flat=True)
    )
    if snapshot(current, masked=False) == unmasked_before and not areas_changed:
        return current
    current.version += 1
    current.save()
    if areas_changed and new_area_ids is not None:
        current.areas.set(new_area_ids)
    _ensure_keeps(current, actor, Action.CHANGE)
    record_change(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        before=before,
        after=_contractor_snapshot(current),
        reason=reason,
    )
    return current


# --- slots -----------------------------------------------------------------------------------------------


def _lock_contractor_for_slots(contractor: Contractor, actor: User, action: str) -> Contractor:
    """The contractor row, locked (so two forms adding slots at once cannot overlap), if the actor keeps
    this contractor's slots: an officer of their areas, or the contractor themselves."""
    require(actor, action, Slot)
    rows = Contractor.objects.select_for_update()
    if not actor.is_district_wide:
        rows = rows.filter(contractor_scope_q(actor))
    try:
        return rows.get(pk=contractor.pk)
    except Contractor.DoesNotExist:
        raise PermissionDenied(_("该施工单位不在您的管辖范围内。")) from None


def _row_error(message: str, row: int, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params={"row": row, **params})


@transaction.atomic
def add_slots(
    contractor: Contractor, periods: Iterable[tuple[dt.datetime | None, dt.datetime | None]], *, actor: User
) -> list[Slot]:
    """Add several availability slots at once. Each must lie in the future, end after it starts and
    overlap neither the contractor's other slots nor another of the new ones.

    Errors are keyed by field (`starts_at`, `ends_at`), each with `params["row"]` (1-based) naming the
    period, so a form can put it beside the right row; nothing is saved unless every period is right.
    """
    contractor = _lock_contractor_for_slots(contractor, actor, Action.ADD)
    periods = list(periods)
    if not periods:
        raise ValidationError({"starts_at": _("请至少填写一个时段。")})
    now = timezone.now()
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    accepted: list[tuple[int, dt.datetime, dt.datetime]] = []
    for row, (starts_at, ends_at) in enumerate(periods, start=1):
        if starts_at is None or ends_at is None:
            field = "starts_at" if starts_at is None else "ends_at"
            errors[field].append(_row_error(_("第 %(row)s 个时段：请填写开始和结束时间。"), row, "required"))
            continue
        if ends_at <= starts_at:
            errors["ends_at"].append(
                _row_error(_("第 %(row)s 个时段：结束时间必须晚于开始时间。"), row, "order")
            )
            continue
        if starts_at <= now:
            errors["starts_at"].append(_row_error(_("第 %(row)s 个时段：只能添加将来的时段。"), row, "past"))
            continue
        clash = next((other for other, s, e in accepted if s < ends_at and starts_at < e), None)
        if clash is not None:
            errors["starts_at"].append(
                _row_error(_("第 %(row)s 个时段与第 %(other)s 个时段重叠。"), row, "overlap", other=clash)
            )
            continue
        existing = Slot.objects.filter(
            contractor=contractor, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if existing is not None:
            errors["starts_at"].append(
                _row_error(
                    _("第 %(row)s 个时段与已有时段 %(slot)s 重叠。"), row, "overlap", slot=str(existing)
                )
            )
            continue
        accepted.append((row, starts_at, ends_at))
    if errors:
        raise ValidationError(dict(errors))
    slots: list[Slot] = []
    for _row, starts_at, ends_at in accepted:
        slot = Slot(contractor=contractor, starts_at=starts_at, ends_at=ends_at)
        slot.full_clean()
        slot.save()
        record_change(actor=actor, action=AuditAction.CREATE, obj=slot, after=snapshot(slot))
        slots.append(slot)
    return slots


@transaction.atomic
def delete_slot(slot: Slot, *, actor: User, reason: str = "") -> None:
    """Remove a slot nobody ever booked; a booked one is cancelled first, a booked-and-cancelled one stays
    as the bookings' history."""
    _lock_contractor_for_slots(slot.contractor, actor, Action.DELETE)
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    bookings = Booking.objects.filter(slot=slot)
    if bookings.active().exists():
        raise ValidationError({"slot": _("该时段已被预约，请先取消预约。")})
    if bookings.exists():
        raise ValidationError({"slot": _("该时段有过预约记录，不能删除。")})
    record_change(actor=actor, action=AuditAction.DELETE, obj=slot, before=snapshot(slot), reason=reason)
    slot.delete()


# --- bookings --------------------------------------------------------------------------------------------


def _taken() -> ValidationError:
    return ValidationError({"slot": _("该时段已被预约，请选择其他时段。")}, code="taken")


def _check_plan_for_booking(plan: Plan, actor: User) -> Plan:
    """The landlord of the plan books for it; an officer books for a plan they may change."""
    if actor.role == Role.LANDLORD:
        require_visible(plan, actor)
        plan = Plan.objects.select_related("premises__building__grid").get(pk=plan.pk)
        if plan.landlord_id != actor.landlord_id:
            raise PermissionDenied(_("只有该方案的房东本人可以预约。"))
    else:
        require_visible(plan, actor, Action.CHANGE)
        plan = Plan.objects.select_related("premises__building__grid").get(pk=plan.pk)
    if plan.is_closed:
        raise ValidationError(
            {"plan": _("方案当前状态为“%(state)s”，不能再预约施工。") % {"state": plan.get_state_display()}}
        )
    return plan


@transaction.atomic
def book_slot(
    slot: Slot, plan: Plan, *, actor: User, item: PlanItem | None = None, note: str = ""
) -> Booking:
    """Book a contractor's slot for a plan. A slot holds one active booking: a taken slot is refused
    with a clear message, and two bookings racing for it are stopped by the database."""
    require(actor, Action.ADD, Booking)
    plan = _check_plan_for_booking(plan, actor)
    if item is not None and item.plan_id != plan.pk:
        raise ValidationError({"item": _("该整改事项不属于此方案。")})
    # Bookers of one slot queue here; the unique constraint still stands behind it.
    slot = Slot.objects.select_for_update(of=("self",)).select_related("contractor").get(pk=slot.pk)
    contractor = slot.contractor
    if not contractor.is_active:
        raise ValidationError({"slot": _("%(name)s 已停用，不能预约。") % {"name": contractor}})
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": _("该时段已开始或已过去，请选择将来的时段。")})
    grid = plan.premises.building.grid
    if not contractor.serves(grid):
        raise ValidationError(
            {
                "slot": _("%(name)s 的服务区域不包括该出租户所在的%(area)s。")
                % {"name": contractor, "area": grid.name}
            }
        )
    if Booking.objects.filter(slot=slot).active().exists():
        raise _taken()
    booking = Booking(slot=slot, plan=plan, item=item, booked_by=actor, note=note.strip())
    # The one-booking-per-slot rule was checked just above and is enforced by the database below.
    booking.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        raise _taken() from exc
    require_visible(booking, actor, Action.ADD)
    record_change(
        actor=actor, action=AuditAction.CREATE, obj=booking, after=snapshot(booking), reason=note[:200]
    )
    return booking


def _locked_booking(booking: Booking, actor: User) -> Booking:
    require(actor, Action.CHANGE, Booking)
    return lock_in_scope(booking, actor, Action.CHANGE)


@transaction.atomic
def cancel_booking(booking: Booking, *, actor: User, reason: str) -> Booking:
    """Cancel a booking (the landlord of the plan, an officer in scope, or the contractor); the slot is
    free again."""
    booking = _locked_booking(booking, actor)
    if actor.role == Role.LANDLORD and booking.plan.landlord_id != actor.landlord_id:
        raise PermissionDenied(_("只有该方案的房东本人可以取消预约。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    if booking.status != BookingStatus.BOOKED:
        raise ValidationError(
            {"status": _("预约当前为“%(status)s”，不能取消。") % {"status": booking.get_status_display()}}
        )
    before = snapshot(booking)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:200]
    return save_update(booking, before, actor=actor, reason=reason)


@transaction.atomic
def mark_done(
    booking: Booking, *, actor: User, note: str = "", photos: Iterable[UploadedFile[bytes] | None] = ()
) -> Booking:
    """The contractor (their own bookings only) or an officer in scope records the work as done, with at
    least one photo of it. Photos are checked by content; one refused photo refuses the whole report."""
    from firegrid.inspections.photos import attach, process_photo

    booking = _locked_booking(booking, actor)
    if actor.role == Role.LANDLORD:
        raise PermissionDenied(_("完工由施工单位或工作人员确认。"))
    if booking.status != BookingStatus.BOOKED:
        raise ValidationError(
            {"status": _("预约当前为“%(status)s”，不能标记完工。") % {"status": booking.get_status_display()}}
        )
    uploads = [p for p in photos if p]
    if not uploads:
        raise ValidationError({"photos": _("请上传至少一张完工照片。")})
    processed = []
    for upload in uploads:
        try:
            processed.append(process_photo(upload))
        except ValidationError as exc:
            name = getattr(upload, "name", "")
            raise ValidationError(
                {"photos": [f"{name}：{m}" if name else m for m in exc.messages]}, code=exc.code
            ) from exc
    before = snapshot(booking)
    now = timezone.now()
    booking.status = BookingStatus.DONE
    booking.done_at = now
    booking.done_by = actor
    booking.done_note = note.strip()
    booking.version += 1
    booking.save()
    for result in processed:
        attach(WorkPhoto(booking=booking, uploaded_by=actor, uploaded_at=now), result).save()
    after = snapshot(booking)
    after["photos"] = len(processed)
    record_change(
        actor=actor, action=AuditAction.UPDATE, obj=booking, before=before, after=after, reason=note[:200]
    )
    return booking


# --- outreach records (宣传) ---------------------------------------------------------------------------------


def _check_record_area(data: dict[str, Any], actor: User) -> None:
    area = data.get("area")
    if area is not None and not _in_actor_areas(area, actor):
        raise ValidationError({"area": _("%(area)s 不在您的管辖范围内。") % {"area": area}})


def create_outreach_record(data: dict[str, Any], *, actor: User, reason: str = "") -> OutreachRecord:
    """Record a meeting, a handout, a video, boards, a fair or cards handed out, in one of the actor's
    areas; the actor is its recorder."""
    from firegrid.core.services import create_record

    from .models import OutreachRecord

    data = {k: v for k, v in data.items() if k != "recorded_by"}
    _check_record_area(data, actor)
    return create_record(OutreachRecord, {**data, "recorded_by": actor}, actor=actor, reason=reason)


def update_outreach_record(
    record: OutreachRecord,
    data: dict[str, Any],
    *,
    actor: User,
    expected_version: int | None,
    reason: str = "",
) -> OutreachRecord:
    from firegrid.core.services import update_record

    data = {k: v for k, v in data.items() if k != "recorded_by"}
    _check_record_area(data, actor)
    return update_record(record, data, actor=actor, expected_version=expected_version, reason=reason)


def outreach_totals(
    campaign: Campaign | None, area: Area | None = None, records: QuerySet[OutreachRecord] | None = None
) -> dict[str, dict[str, int]]:
    """The campaign report's outreach figures: per kind, {records, attendance, copies}, every kind listed
    (zeros included) in the order of `OutreachKind`. `area` counts its whole subtree; `records` (a
    queryset, e.g. a filtered list) replaces the campaign/area selection."""
    from django.db.models import Count, Sum

    from .models import OutreachKind, OutreachRecord

    if records is None:
        selected = OutreachRecord.objects.filter(campaign=campaign)
        if area is not None:
            selected = selected.within(area)
        records = selected
    rows = {
        row["kind"]: row
        for row in records.order_by()
        .values("kind")
        .annotate(records=Count("pk"), attendance=Sum("attendance"), copies=Sum("copies"))
    }
    totals: dict[str, dict[str, int]] = {}
    for kind in OutreachKind:
        row: Mapping[str, Any] = rows.get(kind.value, {})
        totals[kind.value] = {
            "records": row.get("records") or 0,
            "attendance": row.get("attendance") or 0,
            "copies": row.get("copies") or 0,
        }
    return totals
