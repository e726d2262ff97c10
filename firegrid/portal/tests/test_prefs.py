"""The portal's two per-device switches on every page, signed in or not: the language (Django's
set_language, remembered in the language cookie) and 长辈模式 (a cookie the server reads, so the page
comes with <html class="elder"> from the first paint)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from firegrid.portal.prefs import ELDER_COOKIE

pytestmark = pytest.mark.django_db


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group()


def test_every_portal_page_has_both_switches(scene, personas, login):
    client = login(personas.landlord)
    for path in (
        "/portal/",
        f"/portal/premises/{scene.d.premises_a.pk}/",
        f"/portal/plans/{scene.plan.public_key}/",
        "/portal/points/",
        "/portal/tenants/",
        f"/portal/patrols/{scene.patrol.pk}/",
    ):
        page = client.get(path).content.decode()
        assert 'action="/portal/elder-mode/"' in page and 'id="elder-toggle"' in page, path
        assert 'action="/i18n/setlang/"' in page and 'name="language" value="en"' in page, path
        assert f'name="next" value="{path}"' in page, path
    login_page = Client().get("/portal/login/").content.decode()
    assert 'id="elder-toggle"' in login_page and 'value="en"' in login_page


def test_a_signed_in_landlord_switches_to_english_and_it_stays(district, personas, login):
    client = login(personas.landlord)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/portal/tenants/"})
    assert response.status_code == 302 and response["Location"] == "/portal/tenants/"
    home = client.get("/portal/").content.decode()
    assert '<html lang="en"' in home
    assert "My rental properties" in home and "我的出租房屋" not in home
    assert "Landlord portal" in home
    # The switch now offers Chinese back.
    assert 'name="language" value="zh-hans"' in home
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/portal/"})
    assert "我的出租房屋" in client.get("/portal/").content.decode()


def test_the_sign_in_page_switches_language_too():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/login/"})
    page = client.get("/portal/login/").content.decode()
    assert '<html lang="en"' in page and "获取验证码" not in page


def test_elder_mode_is_set_by_the_toggle_and_carried_by_the_next_page(district, personas, login):
    client = login(personas.landlord)
    assert "elder" not in html_tag(client.get("/portal/").content.decode())
    response = client.post("/portal/elder-mode/", {"elder": "1", "next": "/portal/tenants/"})
    assert response.status_code == 302 and response["Location"] == "/portal/tenants/"
    cookie = response.cookies[ELDER_COOKIE]
    assert cookie.value == "1" and cookie["max-age"] >= 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    page = client.get("/portal/tenants/").content.decode()
    assert 'class="elder"' in html_tag(page)
    assert 'name="elder" value="0" aria-pressed="true"' in page
    # Off again: the cookie is gone and the page is as before.
    response = client.post("/portal/elder-mode/", {"elder": "0", "next": "/portal/"})
    assert response.cookies[ELDER_COOKIE].value == ""
    page = client.get("/portal/").content.decode()
    assert "elder" not in html_tag(page) and 'name="elder" value="1" aria-pressed="false"' in page


def test_elder_mode_works_before_signing_in_and_never_leaves_the_site():
    client = Client()
    response = client.post("/portal/elder-mode/", {"elder": "1", "next": "/portal/login/"})
    assert response["Location"] == "/portal/login/"
    assert 'class="elder"' in html_tag(client.get("/portal/login/").content.decode())
    # Another site as `next` is not followed.
    response = client.post("/portal/elder-mode/", {"elder": "1", "next": "https://example.com/"})
    assert response["Location"] == "/portal/"
    assert client.get("/portal/elder-mode/").status_code == 405


def test_a_page_answering_a_post_switches_back_to_home(scene, personas, login):
    response = login(personas.landlord).post(f"/portal/plans/{scene.plan.public_key}/book/", {"slot": ""})
    assert response.status_code == 400
    assert 'name="next" value="/portal/"' in response.content.decode()
