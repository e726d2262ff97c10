"""帮助: the user guide per role, for staff at /help/ and for landlords inside the portal."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from firegrid.core import guide

pytestmark = pytest.mark.django_db


def in_english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def images(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


@pytest.mark.parametrize("slug", guide.GUIDES)
@pytest.mark.parametrize(("language", "heading"), [("zh", "使用指南"), ("en", "Guide for")])
def test_every_guide_renders_in_both_languages_with_its_screenshots(
    login, personas, settings, slug, language, heading
):
    client = login(personas.community_officer)
    if language == "en":
        in_english(client)
    response = client.get(f"/help/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<article class="guide" id="guide"><h1>[^<]*{heading}', html)
    shown = images(html)
    assert shown
    for src in shown:
        assert src.startswith(f"{settings.STATIC_URL}guide/")
        assert finders.find(src.removeprefix(settings.STATIC_URL)), src


@pytest.mark.parametrize(
    ("who", "own"),
    [
        ("grid_worker", "grid-worker"),
        ("community_officer", "officer"),
        ("subdistrict_officer", "officer"),
        ("commander", "commander"),
        ("liaison", "liaison"),
    ],
)
def test_the_help_link_opens_the_readers_own_guide_first(login, personas, who, own):
    client = login(getattr(personas, who))
    home = client.get("/").content.decode()
    assert f'href="/help/{own}/"' in home
    index = client.get("/help/")
    assert index.status_code == 200
    assert index.context["guides"][0][0] == own
    assert [mine for _, _, mine in index.context["guides"]] == [True, False, False, False, False]


def test_signed_out_help_asks_to_sign_in():
    for path in ("/help/", "/help/officer/", "/portal/help/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "login/" in response["Location"]
    assert Client().get("/portal/help/")["Location"].startswith("/portal/login/")


def test_an_unknown_guide_is_not_found(login, personas):
    assert login(personas.commander).get("/help/nobody/").status_code == 404


def test_a_landlord_gets_the_guide_inside_the_portal(login, personas):
    client = login(personas.landlord)
    assert client.get("/help/")["Location"] == "/portal/help/"
    assert client.get("/help/commander/")["Location"] == "/portal/help/"
    home = client.get("/portal/").content.decode()
    assert 'href="/portal/help/"' in home
    response = client.get("/portal/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>房东使用指南</h1>" in html and images(html)
    # The portal frame, never the staff one.
    assert 'class="sidebar"' not in html
    english = in_english(client).get("/portal/help/").content.decode()
    assert "<h1>Guide for landlords</h1>" in english


def test_staff_cannot_open_the_portal_help(login, personas):
    assert login(personas.grid_worker).get("/portal/help/").status_code == 403
