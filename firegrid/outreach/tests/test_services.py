"""Booking a slot, cancelling, marking done, keeping the directory and the slots: each refused case with
its field-named message, and the audit trail that feeds the premises file."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.core.services import ConcurrentEditError
from firegrid.outreach import services as s
from firegrid.outreach.choices import BookingStatus, Trade
from firegrid.outreach.models import Booking, Contractor, Slot, WorkPhoto
from firegrid.rectification import services as plans

from .conftest import jpeg, make_slot

pytestmark = pytest.mark.django_db


def book(slot, plan, actor, **kw):
    return s.book_slot(slot, plan, actor=actor, **kw)


# --- booking ------------------------------------------------------------------------------------------------


def test_the_landlord_books_a_slot_for_their_plan(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    item = plan_a.items.first()
    booking = book(slot, plan_a, personas.landlord, item=item, note="换电线")
    assert (booking.status, booking.booked_by, booking.item, booking.note) == (
        BookingStatus.BOOKED,
        personas.landlord,
        item,
        "换电线",
    )
    entry = AuditEntry.objects.for_object(booking).get()
    # The booking is part of the premises file.
    assert entry.action == AuditAction.CREATE and entry.premises_id == plan_a.premises_id


def test_booking_a_taken_slot_is_refused_on_the_slot_field(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    book(slot, plan_a, personas.landlord)
    with pytest.raises(ValidationError) as exc:
        book(slot, plan_a, personas.grid_worker)
    assert exc.value.message_dict == {"slot": ["该时段已被预约，请选择其他时段。"]}
    assert Booking.objects.filter(slot=slot).count() == 1


def test_a_booking_that_slips_past_the_check_is_stopped_by_the_database(
    trades, plan_a, personas, monkeypatch
):
    """Two bookers who both saw the slot free: the second insert hits the unique constraint and gets the
    same clear message, and the first booking stands."""
    slot = make_slot(trades.electrician)
    first = book(slot, plan_a, personas.landlord)
    monkeypatch.setattr(s.Booking.objects, "filter", _filter_hiding(slot))
    with pytest.raises(ValidationError) as exc:
        book(slot, plan_a, personas.grid_worker)
    assert exc.value.message_dict == {"slot": ["该时段已被预约，请选择其他时段。"]}
    assert exc.value.__cause__.__class__ is IntegrityError
    monkeypatch.undo()
    assert list(Booking.objects.filter(slot=slot)) == [first]


def _filter_hiding(slot):
    """Booking.objects.filter that does not see the slot's bookings (the other booker's view)."""
    original = Booking.objects.filter

    def _filter(*args, **kwargs):
        if kwargs.get("slot") == slot:
            return Booking.objects.none()
        return original(*args, **kwargs)

    return _filter


def test_a_cancelled_booking_frees_the_slot(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    booking = book(slot, plan_a, personas.landlord)
    with pytest.raises(ValidationError) as exc:
        s.cancel_booking(booking, actor=personas.landlord, reason="  ")
    assert exc.value.message_dict == {"reason": ["请填写取消原因。"]}
    s.cancel_booking(booking, actor=personas.landlord, reason="自己修好了")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.version) == (
        BookingStatus.CANCELLED,
        "自己修好了",
        2,
    )
    again = book(slot, plan_a, personas.grid_worker)
    assert again.status == BookingStatus.BOOKED
    with pytest.raises(ValidationError, match="不能取消"):
        s.cancel_booking(booking, actor=personas.landlord, reason="再取消一次")


def test_a_past_or_started_slot_cannot_be_booked(trades, plan_a, personas):
    past = make_slot(trades.electrician, days=-1)
    started = make_slot(trades.electrician, days=-1 / 48, hours=3)  # began half an hour ago
    for slot in (past, started):
        with pytest.raises(ValidationError) as exc:
            book(slot, plan_a, personas.landlord)
        assert exc.value.message_dict == {"slot": ["该时段已开始或已过去，请选择将来的时段。"]}
    assert not Booking.objects.exists()


def test_a_contractor_not_serving_the_premises_area_is_refused(trades, plan_a, personas):
    slot = make_slot(trades.mason)  # serves S2; premises_a is in S1
    with pytest.raises(ValidationError) as exc:
        book(slot, plan_a, personas.landlord)
    assert exc.value.message_dict == {"slot": ["李师傅 的服务区域不包括该出租户所在的樟树潭一网格。"]}


def test_an_inactive_contractor_cannot_be_booked(trades, plan_a, personas):
    Contractor.objects.filter(pk=trades.electrician.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="已停用"):
        book(make_slot(trades.electrician), plan_a, personas.landlord)


def test_only_the_plans_landlord_or_an_officer_in_scope_books(trades, plan_a, personas, other_landlord):
    slot = make_slot(trades.electrician)
    # Outside their scope (another grid, another landlord): refused before anything is looked at.
    for actor in (personas.outsider, other_landlord):
        with pytest.raises(PermissionDenied):
            book(slot, plan_a, actor)
    # Sees the plan but may not book (role table).
    for actor in (personas.liaison, personas.commander, trades.electrician_user):
        with pytest.raises(PermissionDenied):
            book(slot, plan_a, actor)
    assert not Booking.objects.exists()
    assert book(slot, plan_a, personas.community_officer).booked_by == personas.community_officer


def test_a_closed_plan_takes_no_booking(trades, plan_a, personas):
    plans.cancel_plan(plan_a, actor=personas.community_officer, reason="房屋已拆除")
    with pytest.raises(ValidationError) as exc:
        book(make_slot(trades.electrician), plan_a, personas.grid_worker)
    assert exc.value.message_dict == {"plan": ["方案当前状态为“已撤销”，不能再预约施工。"]}


def test_the_item_must_belong_to_the_plan(trades, plan_a, personas, checklist, district):
    from firegrid.rectification.testing import plan_with_hazards

    other = plan_with_hazards(district.premises_b, actor=personas.outsider)
    with pytest.raises(ValidationError) as exc:
        book(make_slot(trades.electrician), plan_a, personas.grid_worker, item=other.items.first())
    assert exc.value.message_dict == {"item": ["该整改事项不属于此方案。"]}


# --- marking done -------------------------------------------------------------------------------------------


def test_the_contractor_marks_their_booking_done_with_photos(trades, plan_a, personas):
    booking = book(make_slot(trades.electrician), plan_a, personas.landlord)
    done = s.mark_done(
        booking, actor=trades.electrician_user, note="已更换电线", photos=[jpeg(), jpeg("b.jpg")]
    )
    assert (done.status, done.done_note, done.done_by) == (
        BookingStatus.DONE,
        "已更换电线",
        trades.electrician_user,
    )
    assert done.done_at is not None
    photos = list(WorkPhoto.objects.filter(booking=booking))
    assert len(photos) == 2 and all(p.image.name and p.thumbnail.name for p in photos)
    entry = AuditEntry.objects.for_object(booking).filter(action=AuditAction.UPDATE).get()
    assert (
        entry.premises_id == plan_a.premises_id
        and entry.after["status"] == "done"
        and entry.after["photos"] == 2
    )
    # Done holds the slot: it cannot be booked again, nor cancelled.
    with pytest.raises(ValidationError):
        book(booking.slot, plan_a, personas.landlord)
    with pytest.raises(ValidationError, match="不能取消"):
        s.cancel_booking(booking, actor=personas.landlord, reason="x")


def test_marking_done_needs_a_readable_photo(trades, plan_a, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    booking = book(make_slot(trades.electrician), plan_a, personas.landlord)
    with pytest.raises(ValidationError) as exc:
        s.mark_done(booking, actor=trades.electrician_user, photos=[])
    assert exc.value.message_dict == {"photos": ["请上传至少一张完工照片。"]}
    fake = SimpleUploadedFile("a.jpg", b"not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        s.mark_done(booking, actor=trades.electrician_user, photos=[jpeg(), fake])
    assert list(exc.value.message_dict) == ["photos"] and exc.value.message_dict["photos"][0].startswith(
        "a.jpg："
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and not WorkPhoto.objects.exists()


def test_another_contractor_or_the_landlord_cannot_mark_it_done(trades, plan_a, personas):
    booking = book(make_slot(trades.electrician), plan_a, personas.landlord)
    with pytest.raises(PermissionDenied):
        s.mark_done(booking, actor=trades.mason_user, photos=[jpeg()])
    with pytest.raises(PermissionDenied):
        s.mark_done(booking, actor=personas.landlord, photos=[jpeg()])
    # An officer in scope may record it (the contractor has no phone with them).
    assert s.mark_done(booking, actor=personas.grid_worker, photos=[jpeg()]).status == BookingStatus.DONE


# --- slots --------------------------------------------------------------------------------------------------


def _period(days: float, hours: float = 2, start_hour: int = 9):
    day = timezone.localdate() + dt.timedelta(days=days)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(start_hour)))
    return start, start + dt.timedelta(hours=hours)


def test_add_several_slots_at_once(trades, personas):
    slots = s.add_slots(
        trades.electrician,
        [_period(1), _period(2), _period(2, start_hour=14)],
        actor=personas.subdistrict_officer,
    )
    assert len(slots) == 3 and Slot.objects.filter(contractor=trades.electrician).count() == 3
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_repr=str(slots[0])).exists()


def test_slots_are_checked_row_by_row_and_nothing_is_saved_on_error(trades, personas):
    existing = make_slot(trades.electrician, days=3)
    clash = (existing.starts_at + dt.timedelta(minutes=30), existing.ends_at + dt.timedelta(hours=1))
    first = _period(1)
    periods = [
        first,
        (first[0] + dt.timedelta(hours=1), first[1] + dt.timedelta(hours=1)),  # overlaps row 1
        (first[1], first[0]),  # ends before it starts
        _period(-1),  # in the past
        clash,  # overlaps a stored slot
        _period(5),
    ]
    with pytest.raises(ValidationError) as exc:
        s.add_slots(trades.electrician, periods, actor=trades.electrician_user)
    errors = exc.value.error_dict
    assert [(e.params["row"], e.code) for e in errors["starts_at"]] == [
        (2, "overlap"),
        (4, "past"),
        (5, "overlap"),
    ]
    assert [(e.params["row"], e.code) for e in errors["ends_at"]] == [(3, "order")]
    assert exc.value.message_dict["starts_at"][0] == "第 2 个时段与第 1 个时段重叠。"
    assert exc.value.message_dict["ends_at"] == ["第 3 个时段：结束时间必须晚于开始时间。"]
    assert exc.value.message_dict["starts_at"][2] == f"第 5 个时段与已有时段 {existing} 重叠。"
    assert list(Slot.objects.all()) == [existing]


def test_who_keeps_a_contractors_slots(trades, personas):
    # The contractor themselves and officers of an area the contractor serves (the subdistrict here);
    # a community officer inside it does not keep a subdistrict-wide contractor.
    s.add_slots(trades.electrician, [_period(1)], actor=trades.electrician_user)
    s.add_slots(trades.electrician, [_period(2)], actor=personas.subdistrict_officer)
    actors = (trades.mason_user, personas.community_officer, personas.grid_worker, personas.landlord)
    for actor in (*actors, personas.commander):
        with pytest.raises(PermissionDenied):
            s.add_slots(trades.electrician, [_period(3)], actor=actor)
    officer_s2 = t.make_user("fushi", Role.SUBDISTRICT_OFFICER, [trades.mason.areas.get()])
    with pytest.raises(PermissionDenied):
        s.add_slots(trades.electrician, [_period(3)], actor=officer_s2)


def test_a_booked_slot_cannot_be_deleted(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    booking = book(slot, plan_a, personas.landlord)
    with pytest.raises(ValidationError, match="请先取消预约"):
        s.delete_slot(slot, actor=trades.electrician_user)
    s.cancel_booking(booking, actor=personas.landlord, reason="不需要了")
    with pytest.raises(ValidationError, match="有过预约记录"):
        s.delete_slot(slot, actor=trades.electrician_user)
    free = make_slot(trades.electrician, days=4)
    s.delete_slot(free, actor=trades.electrician_user)
    assert not Slot.objects.filter(pk=free.pk).exists()


# --- the directory ------------------------------------------------------------------------------------------


def test_an_officer_lists_a_contractor_for_their_own_areas_only(district, personas):
    data = {"name": "钱师傅", "trade": Trade.GAS_FITTER, "mobile": "13700000001"}
    with pytest.raises(ValidationError) as exc:
        s.create_contractor(data, areas=[district.c1, district.s2], actor=personas.community_officer)
    assert exc.value.message_dict == {"areas": ["服务区域超出您的管辖范围：浮石街道。"]}
    with pytest.raises(ValidationError) as exc:
        s.create_contractor(data, areas=[], actor=personas.community_officer)
    assert exc.value.message_dict == {"areas": ["请至少选择一个服务区域。"]}
    with pytest.raises(PermissionDenied):
        s.create_contractor(data, areas=[district.grid_a], actor=personas.grid_worker)
    contractor = s.create_contractor(data, areas=[district.c1], actor=personas.community_officer)
    entry = AuditEntry.objects.for_object(contractor).get()
    # The mobile is personal data: masked in the audit trail.
    assert entry.after["mobile"] == "137****0001" and entry.after["areas"] == "樟树潭社区"


def test_editing_keeps_the_areas_another_officer_set(district, personas, trades):
    trades.electrician.areas.add(district.s2)  # set by the district
    current = s.update_contractor(
        trades.electrician,
        {"company": "新公司"},
        areas=[district.c1],
        actor=personas.subdistrict_officer,
        expected_version=trades.electrician.version,
    )
    assert set(current.areas.all()) == {district.c1, district.s2}
    assert current.version == 2 and current.company == "新公司"
    with pytest.raises(ConcurrentEditError):
        s.update_contractor(
            trades.electrician, {"company": "旧"}, actor=personas.subdistrict_officer, expected_version=1
        )
    # Nothing changed: no new version, no entry.
    same = s.update_contractor(
        current,
        {"company": "新公司"},
        areas=[district.c1],
        actor=personas.subdistrict_officer,
        expected_version=2,
    )
    assert same.version == 2 and AuditEntry.objects.for_object(current).count() == 1


def test_an_officer_outside_the_contractors_areas_cannot_edit_it(trades, personas):
    with pytest.raises(PermissionDenied):
        s.update_contractor(
            trades.mason, {"company": "x"}, actor=personas.community_officer, expected_version=1
        )
