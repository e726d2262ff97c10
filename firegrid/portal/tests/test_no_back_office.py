"""The portal is the landlord's own site: no page of it links, posts, loads or redirects into the back
office. Every portal page a landlord like the demo's can reach is rendered — by following every portal
link from the home page, plus the pages a form answers with — and every href, action, src, formaction and
hx-* URL on it must stay under /portal/ (or be a static file, the language switch, an anchor or a query on
the same page).

The one exception is named: the sign-in page, shown to visitors not signed in, keeps a 工作人员登录 link to
the staff sign-in (an officer who scanned a notice's QR code lands on the landlord's door)."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from firegrid.patrols.choices import PatrolStatus
from firegrid.portal.views import plan_url

pytestmark = pytest.mark.django_db

ALLOWED = ("/portal/", "/static/", "/i18n/", "#", "?", "tel:")
URL_ATTRIBUTES = {"href", "action", "src", "formaction", "hx-get", "hx-post", "hx-put", "hx-delete"}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))


def urls_of(html: str) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def outside(path: str, html: str) -> list[str]:
    """The URLs on the page at `path` that leave the portal."""
    found = []
    for tag, attribute, url in urls_of(html):
        # The staff sign-in, linked from the landlord sign-in page only (see the module's docstring).
        staff_door = path.startswith("/portal/login/") and url == "/login/"
        if url == "" or url.startswith(ALLOWED) or staff_door:
            continue
        found.append(f'{path}: <{tag} {attribute}="{url}">')
    return found


def crawl(client: Client, seeds: list[str], limit: int = 200) -> dict[str, str]:
    """Every portal page reachable by GET from `seeds` through portal links and redirects: path → HTML."""
    pages: dict[str, str] = {}
    queue, seen = deque(seeds), set(seeds)
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code in (200, 302), f"{path}: {response.status_code}"
        if response.status_code == 302:
            targets = [response["Location"]]
        elif response["Content-Type"].startswith("text/html"):
            pages[path] = html = response.content.decode()
            targets = [url for tag, attr, url in urls_of(html) if tag == "a" and attr == "href"]
        else:
            continue  # a PDF or a photo
        for target in targets:
            parts = urlsplit(target)
            if not parts.path.startswith("/portal/") or parts.path == "/portal/logout/":
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def test_no_portal_page_points_into_the_back_office(scene, personas, login):
    s, d = scene, scene.d
    client = login(personas.landlord)
    pages = crawl(
        client,
        [
            "/portal/",
            f"/portal/patrols/b/{d.building_a.pk}/",
            f"/portal/patrols/{s.patrol.pk}/findings/new/?building={d.building_a.pk}",
        ],
    )
    # What the crawl must have reached: each kind of portal page.
    for expected in (
        "/portal/",
        f"/portal/premises/{d.premises_a.pk}/",
        f"/portal/premises/{d.shop_a.pk}/",
        f"/portal/premises/{d.premises_a.pk}/file/",
        plan_url(s.plan),
        plan_url(s.shop_plan),
        f"{plan_url(s.plan)}book/",
        "/portal/points/",
        "/portal/help/",
        "/portal/self-inspection/",
        f"/portal/self-inspection/{d.premises_a.pk}/",
        "/portal/tenants/",
        f"/portal/premises/{d.premises_a.pk}/move-in/",
        f"/portal/tenants/{d.tenant_a.pk}/move-out/",
        "/portal/declare/",
        "/portal/patrols/",
        f"/portal/patrols/{s.patrol.pk}/",
    ):
        assert expected in pages, f"the crawl did not reach {expected}"

    # Pages a form answers with: its errors shown again.
    answered = {
        "pledge refused": client.post(f"{plan_url(s.plan)}pledge/", {"signed_name": "别人"}),
        "photo missing": client.post(f"{plan_url(s.plan)}items/{s.item.pk}/photos/"),
        "no slot chosen": client.post(f"{plan_url(s.plan)}book/", {"slot": ""}),
        "move-in refused": client.post(f"/portal/premises/{d.premises_a.pk}/move-in/", {}),
    }
    for name, response in answered.items():
        assert response.status_code in (200, 400), name
        pages[f"POST {name}"] = response.content.decode()

    # The building plate once no patrol is under way: the building with its premises.
    s.patrol.status = PatrolStatus.FINISHED
    s.patrol.save(update_fields=["status"])
    pages.update(crawl(client, [f"/portal/patrols/b/{d.building_a.pk}/"]))
    assert f'href="/portal/premises/{d.premises_a.pk}/"' in pages[f"/portal/patrols/b/{d.building_a.pk}/"]

    # Signed out: the sign-in page, also with an error on it.
    anonymous = Client()
    pages["/portal/login/"] = anonymous.get("/portal/login/").content.decode()
    pages["/portal/login/ (refused)"] = anonymous.post(
        "/portal/login/", {"action": "login", "mobile": "1380013"}
    ).content.decode()

    leaks = [leak for path, html in pages.items() for leak in outside(path, html)]
    assert leaks == [], "\n".join(leaks)
    # The check reads the attributes it should: a back-office link would be caught.
    assert outside("/portal/", '<a href="/registry/premises/1/">x</a><form action="/patrols/1/move/">')


def test_the_staff_premises_page_sends_a_landlord_to_the_portal(district, personas, login):
    client = login(personas.landlord)
    response = client.get(f"/registry/premises/{district.premises_a.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/premises/{district.premises_a.pk}/"
    # Another landlord's premises: the portal does not find it.
    response = client.get(f"/registry/premises/{district.premises_b.pk}/", follow=True)
    assert response.status_code == 404
    # Staff keep the back-office page.
    assert login(personas.grid_worker).get(f"/registry/premises/{district.premises_a.pk}/").status_code == 200


def staff_urls(args: dict[str, object]) -> list[str]:
    """Every URL of the site outside the portal, the API, the admin and the open few (sign-out, the language
    switch), each with `args` for its parameters by converter ("int", "str", "slug", "uuid", "path")."""
    found: list[str] = []

    def walk(patterns: list, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace) if n)
                walk(entry.url_patterns, inner)
            elif entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                converters = entry.pattern.converters
                if any(type(c).__name__ not in args for c in converters.values()):
                    continue  # the REST framework's format suffixes: the API, left open
                kwargs = {key: args[type(c).__name__] for key, c in converters.items()}
                try:
                    found.append(reverse(name, kwargs=kwargs))
                except NoReverseMatch:  # a pattern with a regex of its own (the admin's)
                    continue

    walk(get_resolver().url_patterns, "")
    open_names = ("/portal/", "/api/", "/admin/", "/static/", "/i18n/", "/logout/")
    return sorted({url for url in found if not url.startswith(open_names)})


def test_a_landlord_never_gets_a_staff_page_whatever_the_url(scene, personas, login):
    """Bookmarks, old notices, a forwarded link, a typed URL: every staff URL sends a landlord into the
    portal (the page of the same thing where there is one), and none runs its staff view."""
    d = scene.d
    args = {
        "IntConverter": d.premises_a.pk,
        "StringConverter": "thumbnail",
        "SlugConverter": "landlord",
        "UUIDConverter": scene.plan.public_key,
        "PathConverter": "x",
    }
    urls = staff_urls(args)
    assert len(urls) > 150 and "/registry/premises/" in urls and "/" in urls
    client = login(personas.landlord)
    not_found = []
    for url in urls:
        for response in (client.get(url), client.post(url, {"text": "x", "reason": "x"})):
            if response.status_code == 404:
                # A staff page of a record the portal looks up again and does not find for this landlord.
                assert 'class="sidebar"' not in response.content.decode(), url
                not_found.append(url)
                continue
            location = response.get("Location", "")
            assert response.status_code == 302 and location.startswith("/portal/"), (
                f"{url}: {response.status_code}"
            )
    assert len(not_found) < len(urls) / 10, not_found
    # An htmx fragment request moves the whole page instead of swapping the portal into a staff table.
    fragment = client.get("/registry/premises/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 204 and fragment["HX-Redirect"] == "/portal/"
    # The pages of the same thing, with the same record.
    assert (
        client.get(f"/registry/premises/{d.premises_a.pk}/")["Location"]
        == f"/portal/premises/{d.premises_a.pk}/"
    )
    assert client.get(f"/rectification/plans/{scene.plan.pk}/")["Location"] == plan_url(scene.plan)
    assert client.get("/help/")["Location"] == "/portal/help/"
    # Signing in at the staff door lands in the portal, with a word why.
    home = client.get("/", follow=True)
    assert home.redirect_chain == [("/portal/", 302)]
    assert "房东的事项都在房东服务页办理。" in home.content.decode()


def test_staff_are_not_redirected(scene, personas, login):
    assert login(personas.grid_worker).get("/registry/premises/").status_code == 200
    assert login(personas.grid_worker).get("/").status_code == 200
