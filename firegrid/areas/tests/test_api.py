"""The organisation API (areas, departments, units), `me`, and signing in by token or session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from firegrid import testing as t
from firegrid.api_testing import API, ApiScopeMatrix, api_client, list_ids
from firegrid.areas import services as area_services
from firegrid.areas.choices import AreaLevel, DepartmentKind
from firegrid.areas.models import Area
from firegrid.conftest import assert_status
from firegrid.core.models import AuditAction, LoginRecord
from firegrid.registry.models import Premises

pytestmark = pytest.mark.django_db


class TestDepartmentApi(ApiScopeMatrix):
    prefix = "departments"
    outsider = None  # every role that sees departments sees them all
    reader = "commander"
    writer = "admin"
    non_deleter = "commander"
    deleter = "admin"
    lister = "commander"

    def target(self, district):
        return district.fire

    def deletable(self, district):
        return t.make_department("衢江区应急管理局", DepartmentKind.EMERGENCY)

    def create_payload(self, district):
        return {"name": "衢江区住房和城乡建设局", "kind": DepartmentKind.HOUSING}

    def change_payload(self, district):
        return {"name": "衢江区消防救援大队（樟潭中队）"}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_department()


class TestUnitApi(ApiScopeMatrix):
    prefix = "units"
    outsider = "other_liaison"  # a unit liaison sees their own unit only
    reader = "liaison"
    writer = "admin"
    non_deleter = "commander"
    deleter = "admin"
    lister = "commander"

    def target(self, district):
        return district.unit

    def deletable(self, district):
        return t.make_unit("衢江区文化馆")

    def create_payload(self, district):
        return {"name": "衢江区卫生健康局", "kind": "government", "contact_mobile": "13811112222"}

    def change_payload(self, district):
        return {"contact_name": "周明"}

    def add_rows(self, district, n):
        for _ in range(n):
            t.make_unit()


def test_liaison_gets_403_on_departments_and_areas(district, personas):
    client = api_client(personas.liaison)
    assert_status(client.get(f"{API}/departments/"), 403)
    assert_status(client.get(f"{API}/areas/"), 403)
    assert_status(client.get(f"{API}/areas/{district.grid_a.pk}/"), 403)


def test_unit_fields_are_validated_by_the_model(district, personas):
    response = api_client(personas.admin).post(
        f"{API}/units/", {"name": "某公司", "credit_code": "123", "contact_mobile": "12345"}, format="json"
    )
    assert_status(response, 400)
    assert response.data["credit_code"] == ["统一社会信用代码应为18位。"]
    assert response.data["contact_mobile"] == ["手机号码应为以1开头的11位数字。"]


def test_a_department_with_users_cannot_be_deleted(district, personas):
    response = api_client(personas.admin).delete(f"{API}/departments/{district.fire.pk}/")
    assert_status(response, 400)
    assert "不能删除" in response.data["non_field_errors"][0]


# --- areas: read-only in the API ---


class TestAreaApi(ApiScopeMatrix):
    prefix = "areas"
    reader = None
    writer = None  # the area tree is written by firegrid.areas.services only
    non_deleter = None
    deleter = None
    lister = "subdistrict_officer"

    def target(self, district):
        return district.grid_a

    def add_rows(self, district, n):
        for i in range(n):
            t.make_area(AreaLevel.GRID, f"樟树潭网格{i + 3}", district.c1)


def test_areas_are_read_only_even_for_admin(district, personas):
    client = api_client(personas.admin)
    url = f"{API}/areas/{district.grid_a.pk}/"
    assert_status(client.post(f"{API}/areas/", {"name": "新网格", "level": "grid"}, format="json"), 405)
    assert_status(client.patch(url, {"name": "改名"}, format="json"), 405)
    assert_status(client.delete(url), 405)
    assert Area.objects.get(pk=district.grid_a.pk).name == "樟树潭一网格"


def test_area_scope_is_the_users_subtree(district, personas):
    d = district
    assert list_ids(api_client(personas.subdistrict_officer).get(f"{API}/areas/")) == {
        d.s1.pk,
        d.c1.pk,
        d.grid_a.pk,
        d.grid_a2.pk,
    }
    assert list_ids(api_client(personas.grid_worker).get(f"{API}/areas/")) == {d.grid_a.pk}
    assert len(list_ids(api_client(personas.commander).get(f"{API}/areas/"))) == 8


def test_area_detail_has_the_outline_and_the_list_does_not(district, personas):
    Area.objects.filter(pk=district.grid_a.pk).update(outline={"type": "Polygon", "coordinates": []})
    client = api_client(personas.grid_worker)
    detail = client.get(f"{API}/areas/{district.grid_a.pk}/").data
    assert detail["outline"] == {"type": "Polygon", "coordinates": []}
    assert (detail["level"], detail["level_display"], detail["parent"], detail["parent_name"]) == (
        "grid",
        "网格",
        district.c1.pk,
        "樟树潭社区",
    )
    (row,) = client.get(f"{API}/areas/").data["results"]
    assert "outline" not in row


def test_area_filters(district, personas):
    client = api_client(personas.commander)
    d = district
    assert list_ids(client.get(f"{API}/areas/", {"level": "grid"})) == {
        d.grid_a.pk,
        d.grid_a2.pk,
        d.grid_b.pk,
    }
    assert list_ids(client.get(f"{API}/areas/", {"area": d.s2.pk})) == {d.s2.pk, d.c2.pk, d.grid_b.pk}
    assert list_ids(client.get(f"{API}/areas/", {"q": "浮石"})) == {d.s2.pk, d.c2.pk, d.grid_b.pk}
    assert list_ids(client.get(f"{API}/areas/", {"parent": d.c1.pk})) == {d.grid_a.pk, d.grid_a2.pk}


def test_area_history_shows_its_creation(district, personas):
    area = area_services.create_area(
        actor=personas.admin,
        level=AreaLevel.GRID,
        name="樟树潭三网格",
        code="330803001001003",
        parent=district.c1,
    )
    rows = api_client(personas.community_officer).get(f"{API}/areas/{area.pk}/history/").data["results"]
    assert [(r["action"], r["actor_name"]) for r in rows] == [(AuditAction.CREATE, "admin")]


# --- me ---


def test_me_answers_who_i_am_and_my_scope(district, personas):
    data = api_client(personas.grid_worker).get(f"{API}/me/").data
    assert {k: data[k] for k in ("username", "full_name", "role", "role_display", "scope_area_ids")} == {
        "username": "wanggy",
        "full_name": "wanggy",
        "role": "grid_worker",
        "role_display": "网格员",
        "scope_area_ids": [district.grid_a.pk],
    }
    assert (data["unit"], data["department"], data["landlord"]) == (None, None, None)
    assert data["permissions"]["registry.premises"] == ["add", "change", "export", "reveal", "view"]
    assert "registry.tenanthousehold" in data["permissions"]


def test_me_for_other_roles(district, personas):
    assert api_client(personas.commander).get(f"{API}/me/").data["scope_area_ids"] == [district.d.pk]
    liaison = api_client(personas.liaison).get(f"{API}/me/").data
    assert (liaison["unit"], liaison["scope_area_ids"]) == (district.unit.pk, [])
    assert api_client(personas.landlord).get(f"{API}/me/").data["landlord"] == district.landlord_a.pk
    assert api_client(personas.fire_officer).get(f"{API}/me/").data["department"] == district.fire.pk
    assert (
        "registry.tenanthousehold" not in api_client(personas.liaison).get(f"{API}/me/").data["permissions"]
    )


def test_me_for_anonymous_is_401(db):
    response = APIClient().get(f"{API}/me/")
    assert_status(response, 401)
    assert response["WWW-Authenticate"] == "Token"


# --- token and session authentication ---


def token_for(username: str, password: str = t.PASSWORD):
    return APIClient().post(f"{API}/auth/token/", {"username": username, "password": password}, format="json")


def test_token_sign_in_then_token_requests(district, personas):
    response = token_for("wanggy")
    assert_status(response, 200)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert client.get(f"{API}/me/").data["username"] == "wanggy"
    assert list_ids(client.get(f"{API}/premises/")) == {district.premises_a.pk, district.shop_a.pk}
    # Token requests need no CSRF token.
    payload = {"name": "东幢", "version": 1}
    assert_status(client.patch(f"{API}/buildings/{district.building_a.pk}/", payload, format="json"), 200)
    assert token_for("wanggy").data["token"] == response.data["token"]
    assert LoginRecord.objects.filter(username="wanggy", success=True).count() == 2


def test_token_sign_in_with_a_wrong_password_is_refused_and_logged(district, personas):
    response = token_for("wanggy", "wrong-password")
    assert_status(response, 400)
    assert response.data["non_field_errors"] == ["无法使用提供的认证信息登录。"]
    assert LoginRecord.objects.filter(username="wanggy", success=False).exists()


def test_a_wrong_token_is_401(district, personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert_status(client.get(f"{API}/premises/"), 401)


def test_token_of_an_inactive_user_is_refused(district, personas):
    key = token_for("wanggy").data["token"]
    personas.grid_worker.is_active = False
    personas.grid_worker.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_status(client.get(f"{API}/me/"), 401)


def test_session_sign_in_reads_and_writes_with_the_csrf_token(district, personas):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="wanggy", password=t.PASSWORD)
    assert list_ids(client.get(f"{API}/premises/")) == {district.premises_a.pk, district.shop_a.pk}
    url = f"{API}/buildings/{district.building_a.pk}/"
    assert_status(client.patch(url, {"name": "东幢", "version": 1}, format="json"), 403)
    client.get("/login/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.patch(url, {"name": "东幢", "version": 1}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert_status(response, 200)


def test_query_count_holds_for_token_requests_too(district, personas):
    key = token_for("wanggy").data["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/premises/")
    for _ in range(10):
        t.make_premises(district.building_a, district.landlord_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/premises/").data["count"] == 12
    assert len(many) == len(few)
    assert Premises.objects.count() == 13
