"""报警处置 in the portal: the landlord's alert cases (open first, newest first, local times, the outcome once
closed) with their sensors, and a case page (timeline with who handled it — role, name, mobile masked —
the outcome and note, a safety hint while open), read-only; another landlord's case is not found and not
listed; the staff case pages and the landlord's alarm notification lead here; the home links here with
the count of cases being handled."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import PORTAL, assert_status
from firegrid.core.models import Notification
from firegrid.monitoring import services
from firegrid.monitoring.choices import CaseOutcome, DeviceKind, DeviceState
from firegrid.monitoring.models import Device
from firegrid.monitoring.tests.scene import make_case, make_device
from firegrid.portal.alerts import SAFETY_HINTS
from firegrid.portal.tests.test_no_back_office import crawl, outside

pytestmark = pytest.mark.django_db

# 00:30 in Shanghai on 8 December, 16:30 UTC the day before: the pages show the local time.
OPENED = dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC)
WORKER_MOBILE = "13912345678"


def case_url(case) -> str:
    return reverse("portal:alert_case", args=[case.pk])


LIST_URL = "/portal/alerts/"


@pytest.fixture
def alerts(district, personas):
    """Landlord 张建国 (premises_a, shop_a): an older smoke case closed by the grid worker and a newer-opened
    gas case in the shop still open … and the open one is older than the closed one, so "open first" is
    not "newest first". Landlord 李秀英 (premises_b): an open smoke case."""
    d = district
    personas.grid_worker.mobile = WORKER_MOBILE
    personas.grid_worker.full_name = "王工"
    personas.grid_worker.save(update_fields=["mobile", "full_name"])
    smoke_a = make_device(d.premises_a, serial="SD-PA-1", room=d.room_a)
    gas_shop = make_device(d.shop_a, kind=DeviceKind.GAS, serial="GD-SA-1")
    smoke_b = make_device(d.premises_b, serial="SD-PB-1")
    Device.objects.filter(pk=smoke_a.pk).update(
        state=DeviceState.ONLINE, last_heartbeat_at=dt.datetime(2026, 12, 7, 17, 5, tzinfo=dt.UTC)
    )
    open_case = make_case(gas_shop, OPENED - dt.timedelta(days=3))
    closed_case = make_case(smoke_a, OPENED)
    services.visit_case(closed_case, actor=personas.grid_worker)
    closed_case = services.close_case(
        closed_case,
        outcome=CaseOutcome.COOKING_SMOKE,
        note="厨房炒菜油烟，已提醒租户开窗",
        actor=personas.grid_worker,
    )
    other = make_case(smoke_b, OPENED)
    return SimpleNamespace(d=d, open=open_case, closed=closed_case, other=other, smoke_a=smoke_a)


@pytest.fixture
def other_landlord(district) -> Client:
    """李秀英, landlord of premises_b, signed in."""
    client = Client()
    client.force_login(t.make_user("landlord_b", Role.LANDLORD, landlord=district.landlord_b))
    return client


def test_the_list_shows_the_landlords_cases_open_first(alerts, personas, login):
    response = login(personas.landlord).get(LIST_URL)
    assert_status(response, 200)
    page = response.content.decode()
    cases = page[page.index('id="cases"') : page.index("</section>", page.index('id="cases"'))]
    # Open first although it is older; each links to its portal page.
    assert cases.index(case_url(alerts.open)) < cases.index(case_url(alerts.closed))
    assert "燃气报警 · 2026-12-05 00:30" in cases and "待响应" in cases and "1楼店面" in cases
    # The closed one: its local alarm time, room, state and outcome.
    assert "2026-12-08 00:30" in cases and "2026-12-07 16:30" not in cases
    assert "樟潭街道樟树潭村12号 整幢 · 201" in cases
    assert "已办结" in cases and "核查结论：油烟" in cases
    assert "1 起报警正在处置中" in page
    # The landlord's sensors: kind, state, last heartbeat in local time; one never heard from.
    devices = page[page.index('id="devices"') :]
    assert "烟感" in devices and "在线" in devices and "最后心跳 2026-12-08 01:05" in devices
    assert "燃气报警" in devices and "从未上报" in devices
    assert case_url(alerts.other) not in page and "2楼" not in page and "sidebar" not in page


def test_the_case_page_shows_the_timeline_outcome_and_who_handled_it_masked(alerts, personas, login):
    client = login(personas.landlord)
    response = client.get(case_url(alerts.closed))
    assert_status(response, 200)
    page = response.content.decode()
    history = page[page.index('id="history"') :]
    for step in ("传感器报警", "已响应", "已到场", "已办结"):
        assert step in history, step
    assert "2026-12-08 00:30" in history
    assert "办理人：网格员 王工（139****5678）" in history and WORKER_MOBILE not in page
    assert "核查结论" in page and "油烟" in page and "处置说明：厨房炒菜油烟，已提醒租户开窗" in page
    assert 'id="advice"' not in page  # closed: no safety hint
    # Read-only: no move offered, nothing to post.
    assert "data-move" not in page and "/move/" not in page
    assert client.post(case_url(alerts.closed), {"outcome": "real_fire"}).status_code == 405


def test_an_open_case_tells_the_landlord_what_to_do_meanwhile(alerts, personas, login):
    page = login(personas.landlord).get(case_url(alerts.open)).content.decode()
    advice = page[page.index('id="advice"') :]
    assert str(SAFETY_HINTS[DeviceKind.GAS]) in advice and 'href="tel:119"' in advice
    assert 'id="outcome"' not in page and "待响应" in page


def test_another_landlords_case_is_not_found_nor_listed(alerts, personas, login, other_landlord):
    assert other_landlord.get(case_url(alerts.closed)).status_code == 404
    assert other_landlord.get(case_url(alerts.open)).status_code == 404
    listing = other_landlord.get(LIST_URL).content.decode()
    assert case_url(alerts.open) not in listing and case_url(alerts.closed) not in listing
    assert case_url(alerts.other) in listing
    # And the other way round; an unknown case likewise.
    assert login(personas.landlord).get(case_url(alerts.other)).status_code == 404
    assert login(personas.landlord).get("/portal/alerts/999999/").status_code == 404


def test_staff_use_their_own_pages(alerts, personas, login):
    for url in (LIST_URL, case_url(alerts.closed)):
        assert_status(login(personas.grid_worker).get(url), 403)
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/portal/login/")


def test_the_staff_case_pages_send_a_landlord_to_the_portal_page_of_the_same_case(
    alerts, personas, login, other_landlord
):
    client = login(personas.landlord)
    staff = reverse("monitoring:alertcase_detail", args=[alerts.closed.pk])
    assert client.get(staff)["Location"] == case_url(alerts.closed)
    assert_status(client.get(staff, follow=True), 200)
    listing = client.get(reverse("monitoring:alertcase_list") + "?state=open")
    assert_status(listing, PORTAL)
    assert listing["Location"] == LIST_URL
    # Another landlord's case: the portal looks it up again and does not find it.
    assert other_landlord.get(staff, follow=True).status_code == 404
    # Staff keep their page.
    assert_status(login(personas.grid_worker).get(staff), 200)


def test_the_landlords_alarm_notification_leads_to_the_portal_case_page(alerts, personas, login):
    mine = Notification.objects.get(key=f"case:{alerts.open.pk}:landlord")
    assert mine.recipient == personas.landlord and mine.link == case_url(alerts.open)
    assert_status(login(personas.landlord).get(mine.link), 200)
    # The grid workers' still lead to the staff page.
    worker = Notification.objects.get(key=f"case:{alerts.closed.pk}:user:{personas.grid_worker.pk}")
    assert worker.link == reverse("monitoring:alertcase_detail", args=[alerts.closed.pk])


def test_the_home_links_to_the_cases_with_the_count_being_handled(alerts, personas, login, district):
    client = login(personas.landlord)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{LIST_URL}"' in home and "报警处置 · 1 起处置中" in home
    services.visit_case(alerts.open, actor=personas.grid_worker)  # still being handled
    assert "报警处置 · 1 起处置中" in client.get(reverse("portal:home")).content.decode()
    services.close_case(alerts.open, outcome=CaseOutcome.FALSE_ALARM, note="误报", actor=personas.grid_worker)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{LIST_URL}"' in home and "起处置中" not in home
    # A landlord with neither sensors nor cases is not offered the page.
    landlord = t.make_landlord("钱多多", area=district.grid_a)
    bare = login(t.make_user("landlord_c", Role.LANDLORD, landlord=landlord))
    assert_status(bare.get(LIST_URL), 200)
    assert LIST_URL not in bare.get(reverse("portal:home")).content.decode()


def test_the_alert_pages_stay_in_the_portal(checklist, alerts, personas, login):
    pages = crawl(login(personas.landlord), [reverse("portal:home")])
    for expected in (LIST_URL, case_url(alerts.open), case_url(alerts.closed)):
        assert expected in pages, expected
    leaks = [leak for path, html in pages.items() for leak in outside(path, html)]
    assert leaks == [], "\n".join(leaks)
