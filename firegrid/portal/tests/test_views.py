"""The portal's pages: sign-in form (both buttons, errors named and kept), home, sign-out, scope."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.core import sms
from firegrid.core.models import LoginRecord
from firegrid.portal.models import OneTimeCode

from .helpers import last_code, wrong

pytestmark = pytest.mark.django_db

LOGIN = "/portal/login/"
IP = "10.8.8.8"


@pytest.fixture
def client():
    return Client(REMOTE_ADDR=IP)


def send(client, mobile):
    return client.post(LOGIN, {"action": "send", "mobile": mobile})


def sign_in(client, mobile, code=None, **extra):
    return client.post(
        LOGIN, {"action": "login", "mobile": mobile, "code": code or last_code(mobile), **extra}
    )


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_the_login_page_has_both_steps_and_a_link_to_the_staff_login(client):
    page = client.get(LOGIN).content.decode()
    for snippet in (
        'name="mobile"',
        'type="tel"',
        'name="code"',
        'autocomplete="one-time-code"',
        "获取验证码",
        "登录",
    ):
        assert snippet in page
    assert 'href="/login/"' in page


def test_the_staff_login_page_links_to_the_landlord_login(client):
    page = client.get("/login/").content.decode()
    assert 'href="/portal/login/"' in page and "房东登录" in page


def test_sending_a_code_says_the_same_for_a_registered_and_an_unknown_mobile(client, district):
    known = send(client, district.landlord_a.mobile)
    unknown = Client(REMOTE_ADDR="10.8.8.9").post(LOGIN, {"action": "send", "mobile": "13600000000"})
    assert [m.mobile for m in sms.outbox] == [district.landlord_a.mobile]

    def answer(response):
        page = response.content.decode()
        return re.search(r'id="sent-message">(.*?)</div>', page).group(1), re.search(
            r'data-wait="(\d+)"', page
        ).group(1)

    assert answer(known) == answer(unknown)
    assert answer(known)[1] == "60"
    assert district.landlord_a.mobile in known.content.decode()  # the typed mobile stays in the form


def test_a_bad_mobile_is_shown_on_its_field_and_kept(client, district):
    response = send(client, "1380013")
    assert_status(response, 200)
    assert field_errors(response, "mobile") == ["手机号码应为以1开头的11位数字。"]
    page = response.content.decode()
    assert 'value="1380013"' in page and "has-error" in page and 'aria-invalid="true"' in page
    assert OneTimeCode.objects.count() == 0


def test_asking_again_too_soon_names_the_seconds_and_keeps_the_countdown(client, district):
    send(client, district.landlord_a.mobile)
    response = send(client, district.landlord_a.mobile)
    [error] = field_errors(response, "mobile")
    assert "秒后再重新获取" in error
    assert re.search(r'data-wait="(5\d|60)"', response.content.decode())
    assert len(sms.outbox) == 1


def test_signing_in_with_the_code(client, district):
    send(client, district.landlord_a.mobile)
    response = sign_in(client, district.landlord_a.mobile)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    user = response.wsgi_request.user
    assert (user.role, user.landlord) == (Role.LANDLORD, district.landlord_a)
    [record] = LoginRecord.objects.all()  # once: the login signal, not the service as well
    assert (record.success, record.user, record.ip) == (True, user, IP)
    assert client.get("/portal/").status_code == 200


def test_pressing_enter_signs_in_rather_than_sending_another_code(client):
    page = client.get(LOGIN).content.decode()
    first_submit = re.search(r'<button type="submit" name="action" value="(\w+)"', page).group(1)
    assert first_submit == "login"


def test_a_wrong_code_is_named_on_the_code_field_and_the_mobile_kept(client, district):
    mobile = district.landlord_a.mobile
    send(client, mobile)
    response = sign_in(client, mobile, wrong(last_code(mobile)))
    assert_status(response, 200)
    assert field_errors(response, "code") == ["验证码不正确，还可以再试 4 次。"]
    assert f'value="{mobile}"' in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_missing_code_is_named(client, district):
    response = sign_in(client, district.landlord_a.mobile, code=" ")
    assert field_errors(response, "code") == ["请输入短信验证码。"]


def test_a_safe_next_is_followed_and_an_outside_one_ignored(client, district, clock):
    mobile = district.landlord_a.mobile
    send(client, mobile)
    assert sign_in(client, mobile, next="https://evil.example/")["Location"] == "/portal/"
    client.post("/portal/logout/")
    clock.shift(61)
    send(client, mobile)
    target = f"/registry/premises/{district.premises_a.pk}/"
    assert sign_in(client, mobile, next=target)["Location"] == target


def test_a_signed_in_landlord_sees_only_their_own_premises(client, district):
    send(client, district.landlord_a.mobile)
    sign_in(client, district.landlord_a.mobile)
    response = client.get("/portal/")
    page = response.content.decode()
    assert list(response.context["premises"]) == sorted(
        [district.premises_a, district.shop_a], key=lambda p: (p.building.address, p.unit_label, p.pk)
    )
    assert f'href="/portal/premises/{district.premises_a.pk}/"' in page
    assert f'href="/portal/premises/{district.shop_a.pk}/"' in page
    assert "/registry/" not in page
    assert district.building_b.address not in page
    assert client.get(f"/portal/premises/{district.premises_a.pk}/").status_code == 200
    assert client.get(f"/portal/premises/{district.premises_b.pk}/").status_code == 404


def test_the_home_page_has_a_block_for_plans_and_elder_mode(client, district):
    send(client, district.landlord_a.mobile)
    sign_in(client, district.landlord_a.mobile)
    response = client.get("/portal/")
    assert "portal/home.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'id="elder-toggle"' in page and "张建国" in page


def test_a_landlord_without_premises_is_told_whom_to_ask(client, district):
    from firegrid import testing as t

    t.make_landlord("钱多多", mobile="13711112222")
    send(client, "13711112222")
    sign_in(client, "13711112222")
    assert "请联系所在社区" in client.get("/portal/").content.decode()


def test_anonymous_visitors_are_sent_to_the_landlord_login(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/?next=/portal/"


def test_staff_are_refused_the_portal_home(login, personas):
    assert login(personas.grid_worker).get("/portal/").status_code == 403


def test_a_signed_in_landlord_opening_the_login_page_goes_home(login, personas):
    response = login(personas.landlord).get(LOGIN)
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_signing_out(client, district):
    send(client, district.landlord_a.mobile)
    sign_in(client, district.landlord_a.mobile)
    response = client.post("/portal/logout/")
    assert response.status_code == 302 and response["Location"] == "/portal/login/"
    assert client.get("/portal/").status_code == 302
