"""Web pages: anonymous → sign-in, outsider 404, a role without the right 403, allowed 200; the case page's
moves, refused out of scope, and a concurrent move reported to the second mover."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firegrid.conftest import PORTAL, assert_status
from firegrid.monitoring.choices import CaseState
from firegrid.monitoring.models import AlertCase

pytestmark = pytest.mark.django_db


def pages(s):
    return [
        reverse("monitoring:device_list"),
        reverse("monitoring:device_detail", args=[s.device_a.pk]),
        reverse("monitoring:device_history", args=[s.device_a.pk]),
        reverse("monitoring:alertcase_list"),
        reverse("monitoring:alertcase_detail", args=[s.case_a.pk]),
        reverse("monitoring:alertcase_history", args=[s.case_a.pk]),
        reverse("monitoring:figures"),
    ]


def test_anonymous_is_sent_to_sign_in(client, monitoring_scene):
    for url in pages(monitoring_scene):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_staff_in_scope_see_every_page(login, monitoring_scene, personas):
    for user in (personas.grid_worker, personas.fire_officer, personas.commander):
        client = login(user)
        for url in pages(monitoring_scene):
            assert_status(client.get(url), 200)


def test_outsider_gets_404_and_does_not_see_the_rows(login, monitoring_scene, personas):
    s = monitoring_scene
    client = login(personas.outsider)
    for url in pages(s)[1:3] + pages(s)[4:6]:
        assert_status(client.get(url), 404)
    listing = client.get(reverse("monitoring:alertcase_list")).content.decode()
    assert s.case_b.premises.unit_label in listing and "樟树潭村12号" not in listing


def test_a_landlord_is_sent_to_the_portal(login, monitoring_scene, personas):
    assert_status(login(personas.landlord).get(reverse("monitoring:alertcase_list")), PORTAL)


def test_the_case_page_offers_the_moves_as_big_buttons(login, monitoring_scene, personas):
    s = monitoring_scene
    page = login(personas.grid_worker).get(reverse("monitoring:alertcase_detail", args=[s.case_a.pk]))
    html = page.content.decode()
    assert 'data-move="acknowledge"' in html and 'data-move="visit"' in html and "btn primary block" in html
    reader = login(personas.fire_officer).get(reverse("monitoring:alertcase_detail", args=[s.case_a.pk]))
    assert "data-move" not in reader.content.decode()


def test_moves_on_the_web(login, monitoring_scene, personas):
    s = monitoring_scene
    worker = login(personas.grid_worker)
    move = lambda m: reverse("monitoring:alertcase_move", args=[s.case_a.pk, m])  # noqa: E731
    assert_status(worker.post(move("acknowledge"), {"version": 1}), 302)
    assert_status(worker.post(move("visit"), {"version": 2}), 302)
    response = worker.post(
        move("close"), {"version": 3, "outcome": "real_fire", "note": "厨房起火已扑灭"}, follow=True
    )
    assert "已办结" in response.content.decode()
    case = AlertCase.objects.get(pk=s.case_a.pk)
    assert (case.state, case.outcome, case.closed_by) == (CaseState.CLOSED, "real_fire", personas.grid_worker)


def test_moves_refused_out_of_scope_and_without_the_right(login, monitoring_scene, personas):
    s = monitoring_scene
    url = reverse("monitoring:alertcase_move", args=[s.case_a.pk, "acknowledge"])
    assert_status(login(personas.outsider).post(url, {"version": 1}), 404)
    assert_status(login(personas.fire_officer).post(url, {"version": 1}), 403)
    assert AlertCase.objects.get(pk=s.case_a.pk).state == CaseState.OPEN


def test_a_concurrent_move_is_reported_to_the_second_mover(login, monitoring_scene, personas):
    s = monitoring_scene
    url = reverse("monitoring:alertcase_move", args=[s.case_a.pk, "acknowledge"])
    assert_status(login(personas.grid_worker).post(url, {"version": 1}), 302)
    response = login(personas.community_officer).post(url, {"version": 1}, follow=True)
    assert "已被他人处理" in response.content.decode()
    case = AlertCase.objects.get(pk=s.case_a.pk)
    assert (case.acknowledged_by, case.version) == (personas.grid_worker, 2)


def test_the_device_page_shows_recent_events_and_cases(login, monitoring_scene, personas):
    from django.utils import timezone

    s = monitoring_scene
    now = timezone.now()
    s.device_a.events.create(kind="alarm", ts=now, received_at=now, seq=41)
    html = (
        login(personas.grid_worker)
        .get(reverse("monitoring:device_detail", args=[s.device_a.pk]))
        .content.decode()
    )
    assert "最近事件" in html and ">41<" in html
    assert reverse("monitoring:alertcase_detail", args=[s.case_a.pk]) in html


def test_the_device_list_exports(login, monitoring_scene, personas):
    response = login(personas.grid_worker).get(reverse("monitoring:device_list") + "?export=xlsx")
    assert_status(response, 200)
    assert "spreadsheet" in response["Content-Type"]


def test_the_menu_links_follow_the_role_table(login, monitoring_scene, personas):
    cases, devices = reverse("monitoring:alertcase_list"), reverse("monitoring:device_list")
    menu = login(personas.grid_worker).get(reverse("longterm:queue")).content.decode()
    assert f'href="{cases}"' in menu and f'href="{devices}"' in menu
    menu = login(personas.liaison).get(cases).content.decode()
    assert f'href="{cases}"' in menu  # a unit liaison sees the cases of the unit's landlords
