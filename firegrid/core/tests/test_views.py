"""The operation and login logs, sign-in, language switch, the list machinery (area tree, filters)."""

import pytest
from django.urls import reverse

from firegrid.conftest import assert_status

pytestmark = pytest.mark.django_db


def test_operation_log_is_for_the_system_admin(login, district, personas):
    assert_status(login(personas.admin).get(reverse("core:auditentry_list")), 200)
    assert_status(login(personas.commander).get(reverse("core:auditentry_list")), 403)
    assert_status(login(personas.grid_worker).get(reverse("core:loginrecord_list")), 403)


def test_login_log_records_a_form_login(client, district, personas):
    from firegrid.testing import PASSWORD

    client.post(reverse("login"), {"username": "wanggy", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "wanggy", "password": PASSWORD})
    assert_status(response, 302)
    admin = client.__class__()
    admin.force_login(personas.admin)
    rows = admin.get(reverse("core:loginrecord_list"), {"q": "wanggy"}).context["object_list"]
    assert [(r.username, r.success, r.ip) for r in rows] == [
        ("wanggy", True, "127.0.0.1"),
        ("wanggy", False, "127.0.0.1"),
    ]


def test_failed_login_keeps_username_and_says_why(client, district, personas):
    response = client.post(reverse("login"), {"username": "wanggy", "password": "wrong"})
    assert_status(response, 200)
    page = response.content.decode()
    assert 'value="wanggy"' in page and "errors" in page


def test_english_is_one_click_away(login, district, personas):
    client = login(personas.grid_worker)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert_status(response, 302)
    page = client.get(reverse("pages:home")).content.decode()
    assert '<html lang="en">' in page


def test_chinese_whatever_the_browser_says(login, district, personas):
    page = login(personas.grid_worker).get(reverse("pages:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_area_tree_lists_siblings_by_code(login, district, personas):
    from firegrid import testing as t

    t.make_area("subdistrict", "新城街道", district.d, code="330803000")  # created last, lowest code
    tree = login(personas.admin).get(reverse("registry:premises_list")).context["area_tree"]
    assert [n["name"] for n in tree[0]["children"]] == ["新城街道", "樟潭街道", "浮石街道"]


@pytest.mark.parametrize(
    "url,field", [("inspections:hazard_list", "bucket"), ("registry:landlord_list", "category")]
)
def test_single_choice_filters_offer_all(login, district, personas, url, field):
    form = login(personas.admin).get(reverse(url)).context["filterset"].form
    assert next(iter(form.fields[field].choices)) == ("", "全部")
