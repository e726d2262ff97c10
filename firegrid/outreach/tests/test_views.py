"""The pages: anonymous → outsider 404 → in scope without the right 403 → allowed, for the directory,
the contact cards, the booking page reached from a plan, the contractor's phone pages."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import AuditAction, AuditEntry
from firegrid.outreach.choices import BookingStatus, Trade
from firegrid.outreach.models import Booking, Contractor, Slot
from firegrid.outreach.services import book_slot, cancel_booking, mark_done

from .conftest import jpeg, make_slot

pytestmark = pytest.mark.django_db


def url(name, *args, **query):
    from urllib.parse import urlencode

    return reverse(f"outreach:{name}", args=args) + (f"?{urlencode(query)}" if query else "")


def test_anonymous_is_sent_to_sign_in(client, trades, plan_a, personas):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    for target in (
        url("contractor_list"),
        url("contractor_detail", trades.electrician.pk),
        url("contractor_card", trades.electrician.pk),
        url("book", plan=plan_a.pk),
        url("booking_detail", booking.pk),
        url("my_bookings"),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/login/" in response["Location"], target


# --- the directory ----------------------------------------------------------------------------------------


def test_the_directory_masks_mobiles_and_its_area_filter_includes_parent_areas(
    login, district, trades, personas
):
    client = login(personas.grid_worker)
    page = client.get(url("contractor_list", area=district.grid_a.pk)).content.decode()
    # The electrician serves the parent subdistrict, so grid A; the mason serves S2 only.
    assert "王师傅电工队" in page and "李师傅" not in page
    assert "139****0001" in page and "13900000001" not in page
    # A landlord picks a contractor's time on their plan's booking page in the portal, not in the directory.
    assert_status(login(personas.landlord).get(url("contractor_list")), PORTAL)
    both = client.get(url("contractor_list", area=district.d.pk)).content.decode()
    assert "王师傅电工队" in both and "李师傅" in both
    masons = client.get(url("contractor_list", trade=Trade.MASON)).content.decode()
    assert "李师傅" in masons and "王师傅电工队" not in masons
    assert "李师傅" in client.get(url("contractor_list", q="李")).content.decode()


def test_the_directory_exports_its_rows(login, district, trades, personas):
    make_slot(trades.electrician)
    response = login(personas.grid_worker).get(url("contractor_list", area=district.s1.pk, export="xlsx"))
    assert_status(response, 200)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("名称", "工种", "所属公司", "手机号码", "服务区域")
    assert rows[1:] == [("王师傅电工队", "电工", "衢江电力安装", "139****0001", "樟潭街道", None, 1, "是")]


def test_the_contractor_page_shows_slots_and_the_bookings_the_user_may_see(login, trades, plan_a, personas):
    free, taken = make_slot(trades.electrician, days=2), make_slot(trades.electrician, days=1)
    book_slot(taken, plan_a, actor=personas.landlord)
    page = login(personas.outsider).get(url("contractor_detail", trades.electrician.pk))
    assert_status(page, 200)
    text = page.content.decode()
    assert str(free) in text and str(taken) in text
    assert url("contractor_edit", trades.electrician.pk) not in text  # not theirs to keep
    assert plan_a.premises.building.address not in text  # the booking is outside the outsider's scope
    officer = (
        login(personas.subdistrict_officer)
        .get(url("contractor_detail", trades.electrician.pk))
        .content.decode()
    )
    assert (
        url("contractor_edit", trades.electrician.pk) in officer
        and plan_a.premises.building.address in officer
    )


def test_an_officer_edits_the_contractors_of_their_areas(login, district, trades, personas):
    edit = url("contractor_edit", trades.electrician.pk)
    assert_status(login(personas.grid_worker).get(edit), 403)  # the role may not
    assert_status(login(personas.community_officer).get(edit), 403)  # serves the subdistrict, not theirs
    client = login(personas.subdistrict_officer)
    form = client.get(edit)
    assert_status(form, 200)
    assert "13900000001" not in form.content.decode()  # personal data is not sent back to the browser
    data = {
        "name": "王师傅电工队",
        "trade": Trade.ELECTRICIAN,
        "company": "衢江电力安装有限公司",
        "mobile": "",  # blank keeps the stored number
        "areas": [district.s1.pk],
        "qualification": "电工证 T330803",
        "is_active": "on",
        "version": 1,
    }
    response = client.post(edit, data)
    assert response.status_code == 302
    trades.electrician.refresh_from_db()
    assert (trades.electrician.company, trades.electrician.mobile, trades.electrician.version) == (
        "衢江电力安装有限公司",
        "13900000001",
        2,
    )
    stale = client.post(edit, {**data, "company": "别的", "version": 1})
    assert_status(stale, 200)
    assert "此记录已被" in stale.content.decode()


def test_an_officer_adds_a_contractor_for_their_areas(login, district, personas):
    client = login(personas.community_officer)
    data = {"name": "赵木匠", "trade": Trade.CARPENTER, "mobile": "13600000001", "is_active": "on"}
    outside = client.post(url("contractor_add"), {**data, "areas": [district.s2.pk]})
    assert_status(outside, 200)
    assert "areas" in outside.context["form"].errors  # not among the choices offered
    response = client.post(url("contractor_add"), {**data, "areas": [district.c1.pk]})
    contractor = Contractor.objects.get(name="赵木匠")
    assert response.status_code == 302 and response["Location"] == contractor.get_absolute_url()
    assert list(contractor.areas.all()) == [district.c1]


# --- contact cards ----------------------------------------------------------------------------------------


def test_the_contact_card_has_a_qr_code_and_its_print_is_recorded(login, trades, personas):
    response = login(personas.grid_worker).get(url("contractor_card", trades.electrician.pk))
    assert_status(response, 200)
    page = response.content.decode()
    assert "<svg" in page and "</svg>" in page and "firegrid/cards.css" in page  # its print layout
    assert "13900000001" in page  # a card is for calling
    entry = AuditEntry.objects.for_object(trades.electrician).get()
    assert entry.action == AuditAction.REVEAL and entry.actor == personas.grid_worker
    # The unit liaison reads the directory but may not print full numbers.
    assert_status(login(personas.liaison).get(url("contractor_card", trades.electrician.pk)), 403)


def test_cards_print_for_the_filtered_directory(login, district, trades, personas):
    page = login(personas.grid_worker).get(url("contractor_cards", area=district.grid_b.pk)).content.decode()
    assert page.count('class="contact-card"') == 1 and "李师傅" in page and "王师傅电工队" not in page
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 1


# --- booking from a plan ----------------------------------------------------------------------------------


def test_the_landlord_books_from_their_plan_and_a_taken_slot_comes_back_with_a_message(
    login, trades, plan_a, personas
):
    near, serving_elsewhere = make_slot(trades.electrician), make_slot(trades.mason)
    make_slot(trades.electrician, days=-1)  # past: not offered
    # The landlord's link to the staff booking page leads to the plan's booking page in the portal.
    sent = login(personas.landlord).get(url("book", plan=plan_a.pk))
    assert sent["Location"] == reverse("portal:plan_book", args=[plan_a.public_key])
    client = login(personas.grid_worker)
    page = client.get(url("book", plan=plan_a.pk))
    assert_status(page, 200)
    assert list(page.context["slots"]) == [near]
    assert serving_elsewhere not in page.context["slots"]
    response = client.post(url("book"), {"plan": plan_a.pk, "slot": near.pk, "note": "厨房插座"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    assert (booking.booked_by, booking.note) == (personas.grid_worker, "厨房插座")
    # Someone still on the old page picks the same slot.
    taken = login(personas.grid_worker).post(url("book"), {"plan": plan_a.pk, "slot": near.pk})
    assert_status(taken, 400)
    assert "该时段已被预约，请选择其他时段。" in taken.content.decode()
    assert Booking.objects.count() == 1
    assert near not in taken.context["slots"]


def test_the_booking_page_scope(login, trades, plan_a, personas, other_landlord):
    target = url("book", plan=plan_a.pk)
    assert_status(login(personas.outsider).get(target), 404)
    assert_status(login(other_landlord).get(target, follow=True), 404)  # not theirs in the portal either
    assert_status(login(trades.electrician_user).get(target), 404)  # contractors do not see plans
    assert_status(login(personas.liaison).get(target), 403)  # sees the plan, may not book
    assert_status(login(personas.grid_worker).get(url("book")), 404)


# --- bookings ---------------------------------------------------------------------------------------------


def test_booking_page_scope(login, trades, plan_a, personas, other_landlord):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    target = url("booking_detail", booking.pk)
    for user in (personas.outsider, trades.mason_user):
        assert_status(login(user).get(target), 404)
    assert_status(login(other_landlord).get(target, follow=True), 404)
    for user in (personas.grid_worker, trades.electrician_user, personas.liaison):
        assert_status(login(user).get(target), 200)
    # The landlord reads their booking on the plan's page in the portal.
    assert login(personas.landlord).get(target)["Location"] == reverse(
        "portal:plan", args=[plan_a.public_key]
    )
    listing = login(personas.outsider).get(url("booking_list")).content.decode()
    assert plan_a.premises.building.address not in listing


def test_the_landlord_cancels_with_a_reason(login, trades, plan_a, personas, other_landlord):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    assert_status(login(personas.liaison).post(url("booking_cancel", booking.pk), {"reason": "x"}), 403)
    # The landlord cancels in the portal (the staff form sends them there and changes nothing).
    assert_status(login(personas.landlord).post(url("booking_cancel", booking.pk), {"reason": "x"}), PORTAL)
    cancel = reverse("portal:booking_cancel", args=[booking.pk])
    assert_status(login(other_landlord).post(cancel, {"reason": "x"}), 404)
    client = login(personas.landlord)
    client.post(cancel, {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    client.post(cancel, {"reason": "已自行修好"})
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "已自行修好")


def test_the_contractor_marks_work_done_from_their_phone(login, trades, plan_a, personas):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord, note="换插座")
    client = login(trades.electrician_user)
    mine = client.get(url("my_bookings"))
    assert_status(mine, 200)
    assert list(mine.context["upcoming"]) == [booking]
    assert url("booking_done", booking.pk) in mine.content.decode()
    assert_status(client.get(url("booking_done", booking.pk)), 200)
    missing = client.post(url("booking_done", booking.pk), {"note": "好了"})
    assert_status(missing, 400)
    assert "请上传至少一张完工照片。" in missing.content.decode()
    response = client.post(
        url("booking_done", booking.pk), {"note": "已更换", "photos": [jpeg(), jpeg("2.jpg")]}
    )
    assert response.status_code == 302 and response["Location"] == url("my_bookings")
    booking.refresh_from_db()
    assert (booking.status, booking.done_note, booking.photos.count()) == (BookingStatus.DONE, "已更换", 2)
    photo = booking.photos.first()
    for user, status in ((personas.grid_worker, 200), (trades.mason_user, 404), (personas.outsider, 404)):
        assert_status(login(user).get(url("photo_file", photo.pk, "thumbnail")), status)


def test_another_contractor_or_the_landlord_cannot_mark_it_done(login, trades, plan_a, personas):
    booking = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    done = url("booking_done", booking.pk)
    assert_status(login(trades.mason_user).get(done), 404)
    assert_status(login(trades.mason_user).post(done, {"photos": [jpeg()]}), 404)
    assert_status(login(personas.landlord).get(done), PORTAL)
    assert_status(login(personas.outsider).get(done), 404)
    assert_status(login(personas.grid_worker).get(url("my_bookings")), 403)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_contractor_adds_slots_row_by_row(login, trades, personas):
    client = login(trades.electrician_user)
    target = url("contractor_slots", trades.electrician.pk)
    assert_status(client.get(target), 200)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    management = {
        "form-TOTAL_FORMS": 3,
        "form-INITIAL_FORMS": 0,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 20,
    }
    bad = client.post(
        target,
        {
            **management,
            "form-0-date": tomorrow,
            "form-0-start": "09:00",
            "form-0-end": "11:00",
            "form-1-date": tomorrow,
            "form-1-start": "10:00",
            "form-1-end": "12:00",
        },
    )
    assert_status(bad, 400)
    rows = bad.context["formset"].forms
    assert rows[1].errors == {"start": ["第 2 个时段与第 1 个时段重叠。"]} and not rows[0].errors
    assert not Slot.objects.exists()
    good = client.post(
        target,
        {
            **management,
            "form-0-date": tomorrow,
            "form-0-start": "09:00",
            "form-0-end": "11:00",
            "form-2-date": tomorrow,
            "form-2-start": "14:00",
            "form-2-end": "16:00",
        },
    )
    assert good.status_code == 302
    assert Slot.objects.filter(contractor=trades.electrician).count() == 2
    assert_status(login(trades.mason_user).get(target), 403)
    assert_status(login(personas.community_officer).get(target), 403)
    assert_status(login(personas.subdistrict_officer).get(target), 200)


# --- the premises file -------------------------------------------------------------------------------------


def test_bookings_appear_in_the_premises_file(trades, plan_a, personas, district):
    from firegrid.rectification.premises_file import timeline

    kept = book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord, note="换插座")
    mark_done(kept, actor=trades.electrician_user, note="已换好", photos=[jpeg()])
    dropped = book_slot(make_slot(trades.electrician, days=2), plan_a, actor=personas.landlord)
    cancel_booking(dropped, actor=personas.landlord, reason="时间不合适")
    entries = [
        e for e in timeline(district.premises_a, personas.landlord, per_page=200) if e.kind == "booking"
    ]
    titles = [e.title for e in entries]
    assert titles.count("预约施工：王师傅电工队（电工）") == 2
    done = next(e for e in entries if e.title.startswith("施工完工"))
    assert done.text == "已换好" and len(done.photos) == 1 and done.actor == str(trades.electrician_user)
    # The cancellation is told once, by its audit entry; the creation and the completion are not repeated.
    audit = [e for e in entries if e.source == "audit"]
    assert len(audit) == 1 and "时间不合适" in str(audit[0].changes)
    assert not [
        e for e in timeline(district.premises_b, personas.outsider, per_page=200) if e.kind == "booking"
    ]


def test_lists_take_as_many_queries_for_many_rows_as_for_few(login, district, trades, plan_a, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_contractor

    client = login(personas.subdistrict_officer)

    def queries(target):
        with CaptureQueriesContext(connection) as captured:
            assert_status(client.get(target), 200)
        return len(captured)

    book_slot(make_slot(trades.electrician), plan_a, actor=personas.landlord)
    few = queries(url("contractor_list")), queries(url("booking_list"))
    for n in range(5):
        contractor = make_contractor(
            f"师傅{n}", Trade.CARPENTER, [district.s1, district.c1], f"1370000000{n}"
        )
        book_slot(make_slot(contractor), plan_a, actor=personas.landlord, item=plan_a.items.first())
    many = queries(url("contractor_list")), queries(url("booking_list"))
    assert many == few
