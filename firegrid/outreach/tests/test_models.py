"""Rules the database itself enforces: one active booking per slot, slots that end after they start."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.outreach.choices import BookingStatus, Trade
from firegrid.outreach.models import Booking, Slot

from .conftest import make_contractor, make_slot

pytestmark = pytest.mark.django_db


def test_two_active_bookings_of_one_slot_are_refused_by_the_database(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    Booking.objects.create(slot=slot, plan=plan_a, booked_by=personas.landlord)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, plan=plan_a, booked_by=personas.grid_worker)
    assert Booking.objects.filter(slot=slot).count() == 1


def test_a_done_booking_still_holds_its_slot(trades, plan_a, personas):
    from django.utils import timezone

    slot = make_slot(trades.electrician)
    Booking.objects.create(
        slot=slot, plan=plan_a, booked_by=personas.landlord, status=BookingStatus.DONE, done_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, plan=plan_a, booked_by=personas.landlord)


def test_a_cancelled_booking_frees_its_slot_in_the_database(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    Booking.objects.create(
        slot=slot, plan=plan_a, booked_by=personas.landlord, status=BookingStatus.CANCELLED
    )
    Booking.objects.create(
        slot=slot, plan=plan_a, booked_by=personas.landlord, status=BookingStatus.CANCELLED
    )
    Booking.objects.create(slot=slot, plan=plan_a, booked_by=personas.landlord)
    assert Slot.objects.free().filter(pk=slot.pk).exists() is False
    assert Booking.objects.filter(slot=slot).active().count() == 1


def test_a_done_booking_needs_its_time(trades, plan_a, personas):
    slot = make_slot(trades.electrician)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, plan=plan_a, booked_by=personas.landlord, status=BookingStatus.DONE)


def test_a_slot_must_end_after_it_starts(trades):
    slot = make_slot(trades.electrician)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(contractor=trades.electrician, starts_at=slot.starts_at, ends_at=slot.starts_at)
    bad = Slot(
        contractor=trades.electrician, starts_at=slot.ends_at, ends_at=slot.ends_at - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert exc.value.message_dict["ends_at"] == ["结束时间必须晚于开始时间。"]


def test_a_contractor_cannot_have_the_same_slot_twice(trades):
    slot = make_slot(trades.electrician)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(contractor=trades.electrician, starts_at=slot.starts_at, ends_at=slot.ends_at)
    # Another contractor may be free at the same time.
    Slot.objects.create(contractor=trades.mason, starts_at=slot.starts_at, ends_at=slot.ends_at)


def test_two_active_contractors_cannot_share_a_mobile(trades):
    trades.mason.mobile = trades.electrician.mobile
    with pytest.raises(ValidationError) as exc:
        trades.mason.full_clean()
    assert exc.value.message_dict["mobile"] == ["该手机号码已登记为其他在册施工单位。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        trades.mason.save()
    # A retired contractor's number may be reused.
    trades.mason.is_active = False
    trades.mason.full_clean()
    trades.mason.save()


def test_a_contractor_account_needs_its_contractor_record(district):
    with pytest.raises(ValidationError) as exc:
        User(username="x", role=Role.CONTRACTOR).full_clean(exclude=["password"])
    assert exc.value.message_dict == {"contractor": ["施工人员账号必须关联施工单位档案。"]}
    carpenter = make_contractor("赵木匠", Trade.CARPENTER, [district.c1], "13900000009")
    User(username="y", role=Role.CONTRACTOR, contractor=carpenter).full_clean(exclude=["password"])


def test_serving_a_subdistrict_means_serving_its_grids(district, trades):
    assert trades.electrician.serves(district.grid_a)
    assert trades.electrician.serves(district.grid_a2)
    assert not trades.electrician.serves(district.grid_b)
    from firegrid.outreach.models import Contractor

    assert list(Contractor.objects.serving(district.grid_a)) == [trades.electrician]
    # The directory's area filter also finds those serving part of the area.
    assert set(Contractor.objects.overlapping(district.d)) == {trades.electrician, trades.mason}
