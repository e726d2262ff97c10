"""The contractor API: the directory (public to read, kept by the officers of the contractor's areas),
slots added several at once with errors per period, bookings (scoped like their plan), cancelling,
marking done with photos, and the photo files — walked anonymous → outsider → 403 → allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client, audit_actions, list_ids
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.outreach.choices import BookingStatus, Trade
from firegrid.outreach.models import Booking, Contractor, Slot, WorkPhoto
from firegrid.outreach.services import book_slot, mark_done

from .conftest import jpeg, make_contractor, make_slot

pytestmark = pytest.mark.django_db


def url(prefix, obj=None, suffix="") -> str:
    return f"{API}/{prefix}/" + (f"{obj.pk}/{suffix}" if obj is not None else suffix)


def at(days: float, hour: int = 9) -> dt.datetime:
    """A local time `days` from today at `hour` o'clock."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def period(days: float, start: int, end: int) -> dict[str, str]:
    return {"starts_at": at(days, start).isoformat(), "ends_at": at(days, end).isoformat()}


def book(client, slot, plan, **body):
    return client.post(url("bookings"), {"slot": slot.pk, "plan": plan.pk, **body}, format="json")


# --- the directory: the walk ---------------------------------------------------------------------------------


class TestContractorApi(ApiScopeMatrix):
    prefix = "contractors"
    outsider = "outsider"  # a grid worker of grid B: reads the public directory, keeps none of it
    reader = "fire_officer"  # reads the directory, may change none of it
    writer = "subdistrict_officer"  # keeps the contractors serving S1
    non_deleter = "grid_worker"  # reads it, may not delete
    deleter = "subdistrict_officer"
    lister = "grid_worker"

    @pytest.fixture(autouse=True)
    def _trades(self, trades):
        self.trades = trades

    def target(self, district):
        return self.trades.electrician

    def deletable(self, district):
        return make_contractor("赵师傅", Trade.CARPENTER, [district.s1], "13900000077")

    def create_payload(self, district):
        return {
            "name": "钱师傅",
            "trade": Trade.GAS_FITTER,
            "mobile": "13900000088",
            "areas": [district.s1.pk],
        }

    def change_payload(self, district):
        return {"company": "樟潭水电安装"}

    def add_rows(self, district, n):
        for i in range(n):
            make_contractor(f"师傅{i}", Trade.OTHER, [district.s1, district.c1], f"1370000{i:04d}")

    def test_outsider_gets_404_and_does_not_see_it_in_the_list(self, district, personas):
        # The directory is public: the outsider reads it. Keeping it follows the contractor's areas: an
        # officer of S2 gets 403 on a change or a deletion of S1's electrician, and nothing changes.
        electrician = self.target(district)
        client = api_client(personas.outsider)
        assert electrician.pk in list_ids(client.get(url("contractors")))
        assert_status(client.get(url("contractors", electrician)), 200)
        fushi = api_client(t.make_user("fushi", Role.SUBDISTRICT_OFFICER, [district.s2]))
        before = AuditEntry.objects.count()
        payload = {"company": "x", "version": electrician.version}
        assert_status(fushi.patch(url("contractors", electrician), payload, format="json"), 403)
        assert_status(fushi.delete(url("contractors", electrician)), 403)
        response = fushi.post(
            url("contractors", electrician, "slots/"), {"slots": [period(2, 9, 11)]}, format="json"
        )
        assert_status(response, 403)
        assert Contractor.objects.get(pk=electrician.pk).company == electrician.company
        assert not Slot.objects.filter(contractor=electrician).exists()
        assert AuditEntry.objects.count() == before


# --- the directory: reading, filters, masking, reveal, conflicts ----------------------------------------------


def test_the_area_filter_takes_ancestors_and_descendants_like_the_web_list(district, personas, trades):
    client = api_client(personas.landlord)
    # The electrician serves S1, so the whole of grid A; the mason serves S2 only.
    assert list_ids(client.get(url("contractors"), {"area": district.grid_a.pk})) == {trades.electrician.pk}
    assert list_ids(client.get(url("contractors"), {"area": district.d.pk})) == {
        trades.electrician.pk,
        trades.mason.pk,
    }
    assert list_ids(client.get(url("contractors"), {"trade": Trade.MASON})) == {trades.mason.pk}
    assert list_ids(client.get(url("contractors"), {"q": "电力"})) == {trades.electrician.pk}


def test_mobiles_are_masked_and_a_reveal_is_audited(district, personas, trades):
    client = api_client(personas.grid_worker)
    row = next(r for r in client.get(url("contractors")).data["results"] if r["id"] == trades.electrician.pk)
    assert row["mobile"] == "139****0001"
    detail = client.get(url("contractors", trades.electrician)).data
    assert detail["mobile"] == "139****0001" and detail["area_names"] == ["樟潭街道"]
    assert detail["trade_display"] == "电工"
    response = client.post(
        url("contractors", trades.electrician, "reveal/"), {"field": "mobile"}, format="json"
    )
    assert_status(response, 200)
    assert response.data == {"field": "mobile", "value": "13900000001"}
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.for_object(trades.electrician).get()
    assert (entry.action, entry.actor) == (AuditAction.REVEAL, personas.grid_worker)
    # A unit liaison reads the directory without the right to reveal.
    liaison = api_client(personas.liaison)
    assert_status(liaison.get(url("contractors", trades.electrician)), 200)
    assert_status(
        liaison.post(url("contractors", trades.electrician, "reveal/"), {"field": "mobile"}, format="json"),
        403,
    )
    assert AuditEntry.objects.for_object(trades.electrician).count() == 1


def test_create_answers_masked_and_keeps_the_full_mobile(district, personas):
    payload = {
        "name": "钱师傅",
        "trade": Trade.GAS_FITTER,
        "mobile": "13900000088",
        "areas": [district.s1.pk],
    }
    response = api_client(personas.subdistrict_officer).post(url("contractors"), payload, format="json")
    assert_status(response, 201)
    assert response.data["mobile"] == "139****0088" and response.data["areas"] == [district.s1.pk]
    assert response.data["area_names"] == ["樟潭街道"] and response.data["free_slots"] == 0
    assert Contractor.objects.get(pk=response.data["id"]).mobile == "13900000088"


def test_create_refuses_a_taken_mobile_and_areas_outside_scope_per_field(district, personas, trades):
    client = api_client(personas.subdistrict_officer)
    taken = {"name": "钱师傅", "trade": Trade.MASON, "mobile": "13900000001", "areas": [district.s1.pk]}
    response = client.post(url("contractors"), taken, format="json")
    assert_status(response, 400)
    assert response.data == {"mobile": ["该手机号码已登记为其他在册施工单位。"]}
    outside = {**taken, "mobile": "13900000066", "areas": [district.s2.pk]}
    response = client.post(url("contractors"), outside, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"areas"}
    assert Contractor.objects.count() == 2


def test_a_stale_version_is_409_and_changes_nothing(district, personas, trades):
    client = api_client(personas.subdistrict_officer)
    read = client.get(url("contractors", trades.electrician)).data
    first = {"company": "第一次", "version": read["version"]}
    assert_status(client.patch(url("contractors", trades.electrician), first, format="json"), 200)
    stale = {"company": "第二次", "version": read["version"]}
    response = client.patch(url("contractors", trades.electrician), stale, format="json")
    assert_status(response, 409)
    assert set(response.data) == {"version"}
    assert Contractor.objects.get(pk=trades.electrician.pk).company == "第一次"
    assert audit_actions(trades.electrician) == [AuditAction.UPDATE]
    # The version is required on every update, PATCH included.
    response = client.patch(url("contractors", trades.electrician), {"company": "x"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"version"}


def test_sending_back_the_masked_mobile_keeps_it_and_areas_replace_those_in_scope(district, personas, trades):
    client = api_client(personas.subdistrict_officer)
    read = client.get(url("contractors", trades.electrician)).data
    payload = {"mobile": read["mobile"], "areas": [district.c1.pk], "version": read["version"]}
    response = client.patch(url("contractors", trades.electrician), payload, format="json")
    assert_status(response, 200)
    assert response.data["areas"] == [district.c1.pk] and response.data["mobile"] == "139****0001"
    assert response.data["area_names"] == ["樟树潭社区"] and response.data["version"] == read["version"] + 1
    electrician = Contractor.objects.get(pk=trades.electrician.pk)
    assert electrician.mobile == "13900000001"
    assert list(electrician.areas.all()) == [district.c1]


def test_a_contractor_with_bookings_cannot_be_deleted(district, personas, trades, plan_a):
    book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    response = api_client(personas.subdistrict_officer).delete(url("contractors", trades.electrician))
    assert_status(response, 400)
    assert Contractor.objects.filter(pk=trades.electrician.pk).exists()


# --- slots ---------------------------------------------------------------------------------------------------


def test_slots_list_the_upcoming_ones_with_whether_they_are_taken(district, personas, trades, plan_a):
    make_slot(trades.electrician, days=-1)
    free, taken = make_slot(trades.electrician, days=2), make_slot(trades.electrician, days=1)
    book_slot(taken, plan_a, actor=personas.landlord)
    client = api_client(personas.landlord)
    rows = client.get(url("contractors", trades.electrician, "slots/")).data["results"]
    assert [(r["id"], r["taken"]) for r in rows] == [(taken.pk, True), (free.pk, False)]
    free_only = client.get(url("contractors", trades.electrician, "slots/"), {"free": "true"}).data["results"]
    assert [r["id"] for r in free_only] == [free.pk]


def test_officer_adds_several_slots_at_once_each_audited(district, personas, trades):
    client = api_client(personas.subdistrict_officer)
    body = {"slots": [period(2, 9, 11), period(2, 14, 17)]}
    response = client.post(url("contractors", trades.electrician, "slots/"), body, format="json")
    assert_status(response, 201)
    assert [r["starts_at"] for r in response.data] == [at(2, 9).isoformat(), at(2, 14).isoformat()]
    assert all(r["taken"] is False and r["contractor"] == trades.electrician.pk for r in response.data)
    for slot in Slot.objects.filter(contractor=trades.electrician):
        assert audit_actions(slot) == [AuditAction.CREATE]


def test_slot_errors_come_back_beside_their_period_and_nothing_is_saved(district, personas, trades):
    make_slot(trades.electrician, days=5, hours=1)
    existing = Slot.objects.get(contractor=trades.electrician)
    clash_start = timezone.localtime(existing.starts_at)
    clash = {
        "starts_at": clash_start.isoformat(),
        "ends_at": (clash_start + dt.timedelta(minutes=30)).isoformat(),
    }
    body = {"slots": [period(2, 9, 11), period(-1, 9, 11), period(2, 10, 12), period(3, 12, 10), clash]}
    client = api_client(trades.electrician_user)
    response = client.post(url("contractors", trades.electrician, "slots/"), body, format="json")
    assert_status(response, 400)
    # Keyed by the period's index in the request, as DRF keys a list's own errors; wrong periods only.
    rows = response.json()["slots"]
    assert set(rows) == {"1", "2", "3", "4"}
    assert rows["1"] == {"starts_at": ["第 2 个时段：只能添加将来的时段。"]}
    assert rows["2"] == {"starts_at": ["第 3 个时段与第 1 个时段重叠。"]}
    assert rows["3"] == {"ends_at": ["第 4 个时段：结束时间必须晚于开始时间。"]}
    assert list(rows["4"]) == ["starts_at"] and "已有时段" in rows["4"]["starts_at"][0]
    assert Slot.objects.filter(contractor=trades.electrician).count() == 1
    # A malformed period is refused by the request's own check, at its place.
    response = client.post(
        url("contractors", trades.electrician, "slots/"),
        {"slots": [period(2, 9, 11), {"starts_at": "明天"}]},
        format="json",
    )
    assert_status(response, 400)
    rows = response.json()["slots"]
    assert list(rows) == ["1"] and set(rows["1"]) == {"starts_at", "ends_at"}
    response = client.post(url("contractors", trades.electrician, "slots/"), {"slots": []}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"slots"}


def test_a_contractor_keeps_their_own_slots_only(district, personas, trades):
    own = api_client(trades.electrician_user)
    body = {"slots": [period(2, 9, 11)]}
    assert_status(own.post(url("contractors", trades.electrician, "slots/"), body, format="json"), 201)
    assert_status(own.post(url("contractors", trades.mason, "slots/"), body, format="json"), 403)
    # A grid worker reads slots but keeps none.
    worker = api_client(personas.grid_worker)
    assert_status(worker.get(url("contractors", trades.mason, "slots/")), 200)
    assert_status(worker.post(url("contractors", trades.mason, "slots/"), body, format="json"), 403)
    assert not Slot.objects.filter(contractor=trades.mason).exists()


def test_deleting_a_slot_nobody_booked_and_refusing_a_booked_one(district, personas, trades, plan_a):
    free, taken = make_slot(trades.electrician, days=2), make_slot(trades.electrician, days=1)
    book_slot(taken, plan_a, actor=personas.landlord)
    client = api_client(trades.electrician_user)
    assert_status(client.delete(url("contractors", trades.electrician, f"slots/{free.pk}/")), 204)
    assert not Slot.objects.filter(pk=free.pk).exists()
    response = client.delete(url("contractors", trades.electrician, f"slots/{taken.pk}/"))
    assert_status(response, 400)
    assert set(response.data) == {"slot"}
    # A slot of another contractor is not found under this one.
    other = make_slot(trades.mason)
    assert_status(client.delete(url("contractors", trades.electrician, f"slots/{other.pk}/")), 404)
    assert_status(
        api_client(trades.mason_user).delete(url("contractors", trades.electrician, f"slots/{taken.pk}/")),
        403,
    )
    assert Slot.objects.filter(pk__in=[taken.pk, other.pk]).count() == 2


# --- bookings: the walk --------------------------------------------------------------------------------------


class TestBookingApi(ApiScopeMatrix):
    prefix = "bookings"
    outsider = "outsider"  # a grid worker of grid B; the booking is for premises A's plan
    reader = None  # bookings change only through their actions: walked below
    writer = None
    non_deleter = None
    deleter = None
    lister = "grid_worker"

    @pytest.fixture(autouse=True)
    def _scene(self, trades, plan_a):
        self.trades, self.plan = trades, plan_a
        self.booking = None

    def target(self, district):
        # Written directly, as a builder: the scene is not a user action.
        if self.booking is None:
            self.booking = Booking.objects.create(
                slot=make_slot(self.trades.electrician), plan=self.plan, booked_by=self.plan.officer
            )
        return self.booking

    def add_rows(self, district, n):
        for i in range(n):
            booking = Booking.objects.create(
                slot=make_slot(self.trades.electrician, days=i + 3),
                plan=self.plan,
                booked_by=self.plan.officer,
            )
            WorkPhoto.objects.create(
                booking=booking,
                image="work/x.jpg",
                thumbnail="work/x-thumb.jpg",
                original_format="JPEG",
                sha256="0" * 64,
                uploaded_by=self.plan.officer,
                uploaded_at=timezone.now(),
            )

    def test_list_query_count_does_not_grow_with_rows(self, district, personas):
        self.target(district)  # the prefetches run once there is a row
        super().test_list_query_count_does_not_grow_with_rows(district, personas)

    def test_outsider_gets_404_on_every_action(self, district, personas):
        booking = self.target(district)
        client = api_client(personas.outsider)
        assert_status(client.post(url("bookings", booking, "cancel/"), {"reason": "x"}, format="json"), 404)
        assert_status(client.post(url("bookings", booking, "done/"), {"note": "x"}), 404)
        # Booking for a plan out of scope: the plan id is refused as unknown.
        response = book(client, make_slot(self.trades.electrician, days=4), self.plan)
        assert_status(response, 400)
        assert set(response.data) == {"plan"}
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED

    def test_reader_sees_it_but_gets_403_on_every_write(self, district, personas):
        booking = self.target(district)
        client = api_client(personas.commander)
        assert_status(client.get(url("bookings", booking)), 200)
        before = AuditEntry.objects.count()
        assert_status(book(client, make_slot(self.trades.electrician, days=4), self.plan), 403)
        assert_status(client.post(url("bookings", booking, "cancel/"), {"reason": "x"}, format="json"), 403)
        assert_status(client.post(url("bookings", booking, "done/"), {"photos": [jpeg()]}), 403)
        assert Booking.objects.count() == 1 and AuditEntry.objects.count() == before
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED

    def test_there_is_no_generic_write(self, district, personas):
        booking = self.target(district)
        client = api_client(personas.admin)
        payload = {"note": "x", "version": booking.version}
        assert_status(client.patch(url("bookings", booking), payload, format="json"), 405)
        assert_status(client.put(url("bookings", booking), payload, format="json"), 405)
        assert_status(client.delete(url("bookings", booking)), 405)
        assert Booking.objects.filter(pk=booking.pk, version=booking.version).exists()


# --- booking -------------------------------------------------------------------------------------------------


def test_the_landlord_of_the_plan_books_and_it_is_audited(district, personas, trades, plan_a):
    slot = make_slot(trades.electrician)
    item = plan_a.items.first()
    response = book(api_client(personas.landlord), slot, plan_a, item=item.pk, note="换电线")
    assert_status(response, 201)
    data = response.data
    assert (data["slot"], data["plan"], data["item"], data["status"]) == (
        slot.pk,
        plan_a.pk,
        item.pk,
        BookingStatus.BOOKED,
    )
    assert data["contractor"] == trades.electrician.pk and data["premises"] == district.premises_a.pk
    assert data["note"] == "换电线" and data["photos"] == []
    booking = Booking.objects.get(pk=data["id"])
    assert booking.booked_by == personas.landlord
    entry = AuditEntry.objects.for_object(booking).get()
    assert entry.action == AuditAction.CREATE and entry.premises_id == district.premises_a.pk


def test_booking_a_taken_slot_is_400_naming_the_slot(district, personas, trades, plan_a):
    slot = make_slot(trades.electrician)
    assert_status(book(api_client(personas.landlord), slot, plan_a), 201)
    response = book(api_client(personas.grid_worker), slot, plan_a)
    assert_status(response, 400)
    assert response.data == {"slot": ["该时段已被预约，请选择其他时段。"]}
    assert Booking.objects.filter(slot=slot).count() == 1


def test_booking_a_past_slot_is_400_naming_the_slot(district, personas, trades, plan_a):
    response = book(api_client(personas.landlord), make_slot(trades.electrician, days=-1), plan_a)
    assert_status(response, 400)
    assert response.data == {"slot": ["该时段已开始或已过去，请选择将来的时段。"]}
    assert not Booking.objects.exists()


def test_booking_a_contractor_who_does_not_serve_the_area_is_400_on_slot(district, personas, trades, plan_a):
    response = book(api_client(personas.landlord), make_slot(trades.mason), plan_a)
    assert_status(response, 400)
    assert set(response.data) == {"slot"}


def test_an_item_of_another_plan_is_refused(district, personas, trades, plan_a):
    from firegrid.rectification.testing import plan_with_hazards

    plan_b = plan_with_hazards(district.premises_b, actor=personas.outsider)
    item_b = plan_b.items.first()
    slot = make_slot(trades.electrician)
    response = book(api_client(personas.grid_worker), slot, plan_a, item=item_b.pk)
    assert_status(response, 400)
    assert set(response.data) == {"item"}  # out of the grid worker's sight: unknown
    response = book(api_client(personas.admin), slot, plan_a, item=item_b.pk)
    assert_status(response, 400)
    assert response.data == {"item": ["该整改事项不属于此方案。"]}
    assert not Booking.objects.exists()


def test_another_landlord_gets_404_on_the_plans_bookings(district, personas, trades, plan_a, other_landlord):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    client = api_client(other_landlord)
    assert booking.pk not in list_ids(client.get(url("bookings")))
    # The shared FilterSet offers only plans the caller sees: another's plan is not a valid choice.
    assert_status(client.get(url("bookings"), {"plan": plan_a.pk}), 400)
    assert_status(client.get(url("bookings", booking)), 404)
    assert_status(client.get(url("bookings", booking, "history/")), 404)
    assert_status(client.post(url("bookings", booking, "cancel/"), {"reason": "不要了"}, format="json"), 404)
    response = book(client, make_slot(trades.electrician, days=2), plan_a)
    assert_status(response, 400)
    assert set(response.data) == {"plan"}
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    # The plan's own landlord sees it in their list, filtered by the plan.
    assert list_ids(api_client(personas.landlord).get(url("bookings"), {"plan": plan_a.pk})) == {booking.pk}


def test_a_contractor_sees_the_bookings_made_with_them_and_may_not_book(district, personas, trades, plan_a):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    assert list_ids(api_client(trades.electrician_user).get(url("bookings"))) == {booking.pk}
    assert list_ids(api_client(trades.mason_user).get(url("bookings"))) == set()
    assert_status(
        book(api_client(trades.electrician_user), make_slot(trades.electrician, days=2), plan_a), 403
    )


# --- cancelling ----------------------------------------------------------------------------------------------


def test_cancelling_frees_the_slot(district, personas, trades, plan_a):
    slot = make_slot(trades.electrician)
    client = api_client(personas.landlord)
    booking_id = book(client, slot, plan_a).data["id"]
    response = client.post(
        f"{API}/bookings/{booking_id}/cancel/", {"reason": "房东自己找了电工"}, format="json"
    )
    assert_status(response, 200)
    assert response.data["status"] == BookingStatus.CANCELLED
    assert response.data["cancel_reason"] == "房东自己找了电工" and response.data["version"] == 2
    free = client.get(url("contractors", trades.electrician, "slots/"), {"free": "true"}).data["results"]
    assert [r["id"] for r in free] == [slot.pk]
    assert_status(book(client, slot, plan_a), 201)
    assert Booking.objects.filter(slot=slot).active().count() == 1
    assert audit_actions(Booking.objects.get(pk=booking_id)) == [AuditAction.UPDATE, AuditAction.CREATE]


def test_cancelling_needs_a_reason_and_a_booked_booking(district, personas, trades, plan_a):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    client = api_client(personas.grid_worker)
    response = client.post(url("bookings", booking, "cancel/"), {"reason": ""}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"reason"}
    mark_done(booking, actor=trades.electrician_user, photos=[jpeg()])
    response = client.post(url("bookings", booking, "cancel/"), {"reason": "不需要了"}, format="json")
    assert_status(response, 400)
    assert set(response.data) == {"status"}
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.DONE


# --- marking done --------------------------------------------------------------------------------------------


def test_the_contractor_marks_their_own_booking_done_with_a_photo(district, personas, trades, plan_a):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    client = api_client(trades.electrician_user)
    response = client.post(url("bookings", booking, "done/"), {"note": "已更换电线", "photos": [jpeg()]})
    assert_status(response, 200)
    data = response.data
    assert data["status"] == BookingStatus.DONE and data["done_note"] == "已更换电线"
    assert data["done_at"] and data["done_by_name"] == str(trades.electrician_user)
    assert len(data["photos"]) == 1
    photo = WorkPhoto.objects.get(booking=booking)
    assert data["photos"][0]["image"].endswith(f"/api/v1/bookings/{booking.pk}/photos/{photo.pk}/image/")
    # The file, through the scoped endpoint: the contractor, the landlord and the grid worker see it.
    for user in (trades.electrician_user, personas.landlord, personas.grid_worker):
        for variant in ("image", "thumbnail"):
            file = api_client(user).get(url("bookings", booking, f"photos/{photo.pk}/{variant}/"))
            assert_status(file, 200)
            assert file["Content-Type"] == "image/jpeg"
            assert b"".join(file.streaming_content)[:2] == b"\xff\xd8"
    assert audit_actions(booking) == [AuditAction.UPDATE, AuditAction.CREATE]  # newest first


def test_another_contractor_gets_404_on_done_and_on_the_photos(
    district, personas, trades, plan_a, other_landlord
):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    mason = api_client(trades.mason_user)
    assert_status(mason.post(url("bookings", booking, "done/"), {"photos": [jpeg()]}), 404)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    mark_done(booking, actor=trades.electrician_user, photos=[jpeg()])
    photo = WorkPhoto.objects.get(booking=booking)
    for user in (trades.mason_user, other_landlord, personas.outsider):
        assert_status(api_client(user).get(url("bookings", booking, f"photos/{photo.pk}/image/")), 404)
    # A photo of another booking is not found under this one.
    other = book_slot(make_slot(trades.electrician, days=2), plan_a, actor=personas.landlord)
    assert_status(
        api_client(personas.grid_worker).get(url("bookings", other, f"photos/{photo.pk}/image/")), 404
    )


def test_the_landlord_may_not_mark_done_and_a_report_needs_a_photo(district, personas, trades, plan_a):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    response = api_client(personas.landlord).post(url("bookings", booking, "done/"), {"photos": [jpeg()]})
    assert_status(response, 403)
    client = api_client(personas.grid_worker)  # an officer in scope may record it
    response = client.post(url("bookings", booking, "done/"), {"note": "已完工"})
    assert_status(response, 400)
    assert response.data == {"photos": ["请上传至少一张完工照片。"]}
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(url("bookings", booking, "done/"), {"photos": [jpeg(), fake]})
    assert_status(response, 400)
    assert set(response.data) == {"photos"} and response.data["photos"][0].startswith("fake.jpg：")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert not WorkPhoto.objects.exists()
    assert_status(client.post(url("bookings", booking, "done/"), {"photos": [jpeg()]}), 200)


def test_booking_lists_filter_by_status_and_contractor(district, personas, trades, plan_a):
    first = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    second = book_slot(make_slot(trades.electrician, days=2), plan_a, actor=personas.landlord)
    mark_done(second, actor=trades.electrician_user, photos=[jpeg()])
    client = api_client(personas.grid_worker)
    assert list_ids(client.get(url("bookings"), {"status": BookingStatus.DONE})) == {second.pk}
    assert list_ids(client.get(url("bookings"), {"status": BookingStatus.BOOKED})) == {first.pk}
    assert list_ids(client.get(url("bookings"), {"contractor": trades.mason.pk})) == set()
    commander = api_client(personas.commander)
    assert list_ids(commander.get(url("bookings"), {"area": district.s1.pk})) == {first.pk, second.pk}
    assert list_ids(commander.get(url("bookings"), {"area": district.s2.pk})) == set()
