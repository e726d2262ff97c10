"""The home page (figures that each equal the count of their list) and 我的."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# A landlord has no staff home: firegrid/portal/tests/test_no_back_office.py.
@pytest.mark.parametrize("who", ["admin", "subdistrict_officer", "grid_worker", "liaison", "outsider"])
def test_every_home_figure_equals_the_count_of_its_list(login, district, personas, who):
    client = login(getattr(personas, who))
    figures = client.get(reverse("pages:home")).context["figures"]
    assert figures
    for figure in figures:
        listed = client.get(figure.url).context["paginator"].count
        assert listed == figure.value, f"{figure.label}: figure {figure.value}, list {listed}"


def test_home_figures_follow_scope(login, district, personas):
    by_label = {
        f.label: f.value for f in login(personas.grid_worker).get(reverse("pages:home")).context["figures"]
    }
    assert by_label["出租房"] == 1 and by_label["出租商铺"] == 1 and by_label["四类人员房东"] == 1
    by_label = {f.label: f.value for f in login(personas.admin).get(reverse("pages:home")).context["figures"]}
    assert by_label["出租房"] == 2


def test_area_breakdown_links_count_the_same(login, district, personas):
    client = login(personas.admin)
    rows = client.get(reverse("pages:home")).context["area_rows"]
    assert [r.area.name for r in rows] == ["樟潭街道", "浮石街道"]
    for row in rows:
        assert client.get(row.links["total"]).context["paginator"].count == row.counts.get("total", 0)


def test_liaison_home_has_no_tenant_figure(login, district, personas):
    labels = [f.label for f in login(personas.liaison).get(reverse("pages:home")).context["figures"]]
    assert "在住租户" not in labels


def test_home_title_names_the_liaisons_unit_and_the_officers_area(login, district, personas):
    # A unit liaison has no area: the title named nothing ("我的辖区" alone, issue 14).
    liaison = login(personas.liaison).get(reverse("pages:home")).content.decode()
    assert '<h1 id="home-title">我的单位：衢江区住建局</h1>' in liaison
    officer = login(personas.community_officer).get(reverse("pages:home")).content.decode()
    assert '<h1 id="home-title">我的辖区：樟树潭社区</h1>' in officer


def test_me_page_shows_scope(login, district, personas):
    page = login(personas.grid_worker).get(reverse("pages:me")).content.decode()
    assert "樟树潭一网格" in page


def test_a_contractors_home_is_their_bookings(login, personas, district):
    from firegrid import testing as t
    from firegrid.areas.choices import Role

    contractor = t.make_user("contractor_a", Role.CONTRACTOR)
    response = login(contractor).get(reverse("pages:home"))
    assert response.status_code == 302 and response["Location"] == reverse("outreach:my_bookings")


@pytest.mark.parametrize("who", ["admin", "subdistrict_officer", "grid_worker", "liaison", "outsider"])
def test_every_menu_link_opens_for_the_reader(login, district, personas, who):
    """The menu offers only what the role may open: no link answers 403."""
    import re

    client = login(getattr(personas, who))
    menu = client.get(reverse("pages:me")).content.decode()
    navs = [
        menu[start : menu.index("</nav>", start)]
        for start in (menu.index('id="sidebar"'), menu.index("tabbar"))
    ]
    links = {
        h
        for nav in navs
        for h in re.findall(r'href="(/[^"]*)"', nav)
        if not h.startswith(("/admin/", "/api/"))
    }
    assert len(links) >= 3
    for link in links:
        if link == reverse("campaigns:my_unit"):
            continue  # 本单位认领 leads to the running campaign's page; this district has no campaign (404 says so)
        assert client.get(link).status_code == 200, f"{who}: {link}"
