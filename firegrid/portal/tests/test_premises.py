"""The premises page of the portal (the home card opens it): address and kind, grade and points, the open
plans with their countdown, the documents, the tenants and the self-inspection — the landlord's own
premises only; and the files and pages it leads to (certificates, bookings, the patrol moves) under the
portal's URLs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.outreach.choices import BookingStatus
from firegrid.outreach.models import Booking
from firegrid.patrols.choices import PatrolStatus
from firegrid.points.services import landlord_points
from firegrid.portal.views import plan_url
from firegrid.rectification.choices import DocumentKind

pytestmark = pytest.mark.django_db


def url(premises) -> str:
    return f"/portal/premises/{premises.pk}/"


@pytest.fixture
def other_landlord(district):
    """李秀英, landlord of premises_b, signed in."""
    client = Client()
    client.force_login(t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b))
    return client


def section(page: str, id_: str) -> str:
    start = page.index(f'id="{id_}"')
    return page[start : page.index("</section>", start)]


def test_the_premises_page_shows_what_the_landlord_may_see(scene, personas, login):
    s, d = scene, scene.d
    response = login(personas.landlord).get(url(d.premises_a))
    assert_status(response, 200)
    page = response.content.decode()
    assert "樟潭街道樟树潭村12号 整幢" in page and "出租房" in page and "在租" in page
    total = landlord_points(d.landlord_a, timezone.localdate().year)
    assert f"{total} 分" in page and 'href="/portal/points/"' in page
    plans = section(page, "plans")
    assert f'href="{plan_url(s.plan)}"' in plans and "整改期限" in plans
    assert f'href="{plan_url(s.shop_plan)}"' not in plans  # the shop's plan is the shop's
    documents = section(page, "documents")
    for kind in (DocumentKind.NOTICE, DocumentKind.PLEDGE):
        document = s.plan.documents.get(kind=kind)
        assert f'href="/portal/documents/{document.pk}.pdf"' in documents and document.serial in documents
    tenants = section(page, "tenants")
    assert "王小明" in tenants and f'href="/portal/premises/{d.premises_a.pk}/move-in/"' in tenants
    assert "赵大海" not in page
    # premises_a's self-inspection is due this month; the shop's was submitted.
    assert f'href="/portal/self-inspection/{d.premises_a.pk}/"' in section(page, "self-inspection")
    shop = login(personas.landlord).get(url(d.shop_a)).content.decode()
    assert "已提交" in section(shop, "self-inspection") and "已撤销" in section(shop, "plans")
    assert "sidebar" not in page


def test_the_grade_is_shown_with_its_reasons(scene, personas, login):
    page = login(personas.landlord).get(url(scene.d.premises_a)).content.decode()
    grade = scene.d.premises_a.risk_grade
    box = page[page.index('id="premises-grade"') :][:400]
    assert grade.get_grade_display() in box and grade.level in box
    for reason in grade.reason_texts():
        assert reason in page


def test_another_landlords_premises_is_not_found(scene, other_landlord, district):
    assert other_landlord.get(url(district.premises_a)).status_code == 404
    assert_status(other_landlord.get(url(district.premises_b)), 200)
    assert other_landlord.get("/portal/premises/999999/").status_code == 404


def test_staff_and_anonymous_visitors_are_kept_out(district, personas, login):
    assert login(personas.grid_worker).get(url(district.premises_a)).status_code == 403
    response = Client().get(url(district.premises_a))
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


# --- files and pages the portal serves for other apps -----------------------------------------------------


def test_the_certificate_is_served_by_the_portal_to_its_owner_only(scene, personas, login, other_landlord):
    points = login(personas.landlord).get("/portal/points/").content.decode()
    certificate = f"/portal/certificates/{scene.nomination.pk}.pdf"
    assert f'href="{certificate}"' in points and "/points/nominations/" not in points
    response = login(personas.landlord).get(certificate)
    assert_status(response, 200)
    assert response["Content-Type"] == "application/pdf"
    assert other_landlord.get(certificate).status_code == 404


def test_booking_a_contractor_and_cancelling_in_the_portal(scene, personas, login, other_landlord):
    s = scene
    client = login(personas.landlord)
    book = f"{plan_url(s.plan)}book/"
    page = client.get(book).content.decode()
    assert "王师傅电工队" in page and f'value="{s.free_slot.pk}"' in page
    assert f'action="/portal/bookings/{s.booking.pk}/cancel/"' in page
    response = client.post(book, {"slot": s.free_slot.pk, "item": s.item.pk, "note": "换插座"})
    assert response.status_code == 302 and response["Location"] == book
    booking = Booking.objects.get(slot=s.free_slot)
    assert booking.plan == s.plan and booking.booked_by == personas.landlord
    # The slot is taken now: refused on the page, in words.
    again = client.post(book, {"slot": s.free_slot.pk})
    assert_status(again, 400)
    assert "该时段已被预约" in again.content.decode()
    # Cancelling needs a reason; with one the slot is free again.
    client.post(f"/portal/bookings/{booking.pk}/cancel/", {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    response = client.post(f"/portal/bookings/{booking.pk}/cancel/", {"reason": "自己修好了"})
    assert response["Location"] == book
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    # Another landlord reaches neither the page nor the booking.
    assert other_landlord.get(book).status_code == 404
    assert other_landlord.post(f"/portal/bookings/{s.booking.pk}/cancel/", {"reason": "x"}).status_code == 404
    s.booking.refresh_from_db()
    assert s.booking.status == BookingStatus.BOOKED


def test_a_volunteer_finishes_the_patrol_from_the_portal(scene, personas, login):
    s = scene
    client = login(personas.landlord)
    run = f"/portal/patrols/{s.patrol.pk}/"
    page = client.get(run).content.decode()
    finish = f"/portal/patrols/{s.patrol.pk}/move/finish/"
    assert f'action="{finish}"' in page and "/patrols/" not in page.replace("/portal/patrols/", "")
    response = client.post(finish, {"version": s.patrol.version})
    assert response.status_code == 302 and response["Location"] == run
    s.patrol.refresh_from_db()
    assert s.patrol.status == PatrolStatus.FINISHED
    # Someone else's patrol is not found.
    outsider = t.make_user("qian", Role.LANDLORD, landlord=t.make_landlord("钱多", area=s.d.grid_a))
    assert login(outsider).post(finish, {"version": s.patrol.version}).status_code == 404
