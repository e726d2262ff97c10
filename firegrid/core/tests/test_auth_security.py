"""Sign-in hardening: lockout on the three password doors, password rules, the change page and the forced
change, API tokens that expire and end at sign-out or a new password, the session's length.

Lockout counts live in the database (axes.AccessAttempt), so each test starts with none: the test's
transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel, DepartmentKind, Role
from firegrid.areas.models import User
from firegrid.conftest import assert_status
from firegrid.core.models import LoginRecord
from firegrid.demo import data as demo_data
from firegrid.demo import loader
from firegrid.outreach.choices import Trade
from firegrid.outreach.models import Contractor

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"
GOOD_PASSWORD = "Hx7#qLm2vRp9"


@pytest.fixture
def worker(db):
    return t.make_user("wanggy", Role.GRID_WORKER, full_name="王国勇", mobile="13812345678")


@pytest.fixture
def admin_user(db):
    return t.make_user("sysadmin", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)


def web_login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def token_login(client: APIClient, username: str, password: str):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def fail(sign_in, client, username: str, times: int) -> list[int]:
    return [sign_in(client, username, "wrong-password").status_code for _ in range(times)]


# --- lockout ------------------------------------------------------------------------------------------


def test_web_login_locks_after_five_wrong_passwords(worker):
    client = Client(REMOTE_ADDR="10.1.1.1")
    assert fail(web_login, client, "wanggy", 5) == [200, 200, 200, 200, 429]
    response = web_login(client, "wanggy", t.PASSWORD)  # even the right password, while locked
    assert_status(response, 429)
    assert LOCKED in response.content.decode()
    assert "15 分钟" in response.content.decode()
    # Every try is in the login log, the refused right password included.
    assert LoginRecord.objects.filter(username="wanggy", success=False).count() == 6
    assert not LoginRecord.objects.filter(success=True).exists()


def test_lockout_page_is_in_english_after_the_switch(worker):
    client = Client(REMOTE_ADDR="10.1.1.2")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(web_login, client, "wanggy", 5)
    response = web_login(client, "wanggy", t.PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()


def test_lock_holds_the_username_on_that_address_only(worker):
    fail(web_login, Client(REMOTE_ADDR="10.1.1.3"), "wanggy", 5)
    # The same person from another address signs in: typing a colleague's name cannot lock them out.
    assert_status(web_login(Client(REMOTE_ADDR="10.9.9.9"), "wanggy", t.PASSWORD), 302)


def test_lock_lifts_after_the_cool_off(worker):
    client = Client(REMOTE_ADDR="10.1.1.4")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(web_login, client, "wanggy", 5)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert_status(web_login(client, "wanggy", t.PASSWORD), 429)
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert_status(web_login(client, "wanggy", t.PASSWORD), 302)


def test_a_successful_sign_in_resets_the_count(worker):
    client = Client(REMOTE_ADDR="10.1.1.5")
    assert fail(web_login, client, "wanggy", 4) == [200] * 4
    assert_status(web_login(client, "wanggy", t.PASSWORD), 302)
    client.post("/logout/")
    assert fail(web_login, client, "wanggy", 4) == [200] * 4
    assert_status(web_login(client, "wanggy", t.PASSWORD), 302)


def test_an_address_guessing_many_usernames_is_locked_for_everyone(worker, settings):
    settings.FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    client = Client(REMOTE_ADDR="10.1.1.6")
    statuses = [web_login(client, f"guess{i}", "123456").status_code for i in range(8)]
    assert statuses == [200] * 7 + [429]
    assert_status(web_login(client, "wanggy", t.PASSWORD), 429)
    # Signing in elsewhere is unaffected.
    assert_status(web_login(Client(REMOTE_ADDR="10.1.1.7"), "wanggy", t.PASSWORD), 302)


def test_the_address_count_survives_a_success_on_it(worker, settings):
    settings.FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    client = Client(REMOTE_ADDR="10.1.1.8")
    for i in range(5):
        web_login(client, f"guess{i}", "123456")
    # The attacker's own valid account does not wipe the guesses at other accounts.
    assert_status(web_login(client, "wanggy", t.PASSWORD), 302)
    assert AccessAttempt.objects.filter(ip_address="10.1.1.8").count() == 5
    client.post("/logout/")
    assert_status(web_login(client, "guess9", "123456"), 429)


def test_api_token_endpoint_locks_after_five_wrong_passwords(worker):
    client = APIClient(REMOTE_ADDR="10.2.2.1")
    assert fail(token_login, client, "wanggy", 5) == [400, 400, 400, 400, 429]
    response = token_login(client, "wanggy", t.PASSWORD)
    assert_status(response, 429)
    assert response["Content-Type"] == "application/json"
    assert LOCKED in response.json()["detail"]
    assert LoginRecord.objects.filter(username="wanggy", success=False, ip="10.2.2.1").count() == 6


def test_api_token_wrong_password_message_is_unchanged(worker):
    response = token_login(APIClient(REMOTE_ADDR="10.2.2.2"), "wanggy", "wrong")
    assert_status(response, 400)
    assert response.data["non_field_errors"] == ["无法使用提供的认证信息登录。"]


def test_admin_login_locks_after_five_wrong_passwords(admin_user):
    client = Client(REMOTE_ADDR="10.3.3.1")
    assert fail(admin_login, client, "sysadmin", 5) == [200, 200, 200, 200, 429]
    response = admin_login(client, "sysadmin", t.PASSWORD)
    assert_status(response, 429)
    assert LOCKED in response.content.decode()


def test_the_three_doors_share_one_count(worker):
    client, api = Client(REMOTE_ADDR="10.4.4.1"), APIClient(REMOTE_ADDR="10.4.4.1")
    fail(web_login, client, "wanggy", 2)
    fail(token_login, api, "wanggy", 2)
    fail(admin_login, client, "wanggy", 1)
    assert_status(token_login(api, "wanggy", t.PASSWORD), 429)


def test_test_client_login_without_a_request_still_works(worker):
    # Client.login() authenticates without a request: no address to count, the password decides.
    assert Client().login(username="wanggy", password=t.PASSWORD)
    assert not Client().login(username="wanggy", password="wrong")


# --- password rules -----------------------------------------------------------------------------------


def refusal(password: str, user=None) -> tuple[set[str], str]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return {e.code for e in caught.value.error_list}, " ".join(caught.value.messages)


def test_password_with_the_users_mobile_is_refused_naming_the_mobile(worker):
    codes, text = refusal("13812345678", worker)
    assert "手机号码" in text
    codes, text = refusal("Xq!13812345678-long-passphrase", worker)
    assert codes == {"password_contains_personal_data"}
    assert "密码不能包含您的手机号码。" in text


def test_password_with_the_users_name_is_refused_naming_the_name(worker):
    codes, text = refusal("王国勇的密码Abc#9876", worker)
    assert "password_contains_personal_data" in codes
    assert "姓名" in text


def test_username_plus_digits_is_refused_naming_the_username(worker):
    for password in ("wanggy12", "wanggy2019!Qx7", "Wanggy123456"):
        _codes, text = refusal(password, worker)
        assert "用户名" in text, password


@pytest.mark.parametrize("password", ["password123", "woaini1314", "1qaz2wsx3edc", "woaini520520"])
def test_common_passwords_are_refused(worker, password):
    codes, _text = refusal(password, worker)
    assert codes & {"password_too_common", "password_contains_forbidden_word"}


@pytest.mark.parametrize("password", ["firegrid", "firegrid2019", "FireGrid-Ops-88"])
def test_project_words_are_refused_naming_the_word(worker, password):
    codes, text = refusal(password, worker)
    assert "password_contains_forbidden_word" in codes
    assert "firegrid" in text


def test_short_and_all_digit_passwords_are_refused(worker):
    codes, text = refusal("Ab3$xyz9", worker)
    assert "password_too_short" in codes
    assert "密码太短，至少需要 10 个字符。" in text
    codes, _text = refusal("7305918264", worker)
    assert "password_entirely_numeric" in codes


def test_a_good_password_passes(worker):
    validate_password(GOOD_PASSWORD, worker)


def test_password_rule_messages_in_english(worker):
    from django.utils import translation

    with translation.override("en"):
        _codes, text = refusal("Xq!13812345678-long-passphrase", worker)
        assert "The password must not contain your Mobile number." in text
        _codes, text = refusal("firegrid2019", worker)
        assert "common word or the system’s name: firegrid" in text


# --- the change page and the forced change ------------------------------------------------------------


def change(client: Client, new: str, old: str = t.PASSWORD, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": new, **extra}
    return client.post("/me/password/", data)


def test_me_page_links_to_the_change_page(login, worker):
    response = login(worker).get("/me/")
    assert 'href="/me/password/"' in response.content.decode()


def test_change_page_changes_the_password(login, worker):
    client = login(worker)
    assert_status(client.get("/me/password/"), 200)
    response = change(client, GOOD_PASSWORD)
    assert_status(response, 302)
    assert response["Location"] == "/me/"
    worker.refresh_from_db()
    assert worker.check_password(GOOD_PASSWORD)
    # The session that changed it stays signed in.
    assert_status(client.get("/me/"), 200)


def test_change_page_refuses_a_weak_password_and_names_why(login, worker):
    response = change(login(worker), "firegrid2019")
    assert_status(response, 200)
    assert "firegrid" in " ".join(response.context["form"].errors["new_password2"])
    worker.refresh_from_db()
    assert worker.check_password(t.PASSWORD)


def test_change_page_needs_the_old_password(login, worker):
    response = change(login(worker), GOOD_PASSWORD, old="not-it")
    assert_status(response, 200)
    assert "old_password" in response.context["form"].errors


def test_forced_change_sends_every_page_to_the_change_page(login, worker):
    worker.must_change_password = True
    worker.save()
    client = login(worker)
    response = client.get("/registry/premises/")
    assert_status(response, 302)
    assert response["Location"] == "/me/password/?next=%2Fregistry%2Fpremises%2F"
    assert_status(client.get("/"), 302)
    htmx = client.get("/registry/premises/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == "/me/password/"
    api = client.get("/api/v1/me/")
    assert_status(api, 403)
    assert api.json()["detail"] == "请先修改密码。"
    page = client.get("/me/password/")
    assert_status(page, 200)
    assert "请先修改密码" in page.content.decode()


def test_forced_change_clears_the_flag_and_goes_on_to_the_page_asked_for(login, worker):
    worker.must_change_password = True
    worker.save()
    client = login(worker)
    response = change(client, GOOD_PASSWORD, next="/registry/premises/")
    assert_status(response, 302)
    assert response["Location"] == "/registry/premises/"
    worker.refresh_from_db()
    assert worker.must_change_password is False
    assert_status(client.get("/registry/premises/"), 200)


def test_forced_change_keeps_sign_out_reachable(login, worker):
    worker.must_change_password = True
    worker.save()
    client = login(worker)
    assert_status(client.post("/logout/"), 302)
    assert "_auth_user_id" not in client.session


def test_forced_change_user_gets_no_api_token(worker):
    worker.must_change_password = True
    worker.save()
    response = token_login(APIClient(), "wanggy", t.PASSWORD)
    assert_status(response, 403)
    assert not Token.objects.exists()


def test_change_page_next_cannot_leave_the_site(login, worker):
    response = change(login(worker), GOOD_PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == "/me/"


# --- API tokens ---------------------------------------------------------------------------------------


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_answer_says_when_it_expires(worker):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        response = token_login(APIClient(), "wanggy", t.PASSWORD)
    assert_status(response, 200)
    assert set(response.data) == {"token", "expires"}
    assert response.data["expires"] == Token.objects.get().created + dt.timedelta(hours=24)


def test_expired_token_is_refused_with_401(worker):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = token_login(APIClient(), "wanggy", t.PASSWORD).data["token"]
    with time_machine.travel(start + dt.timedelta(hours=23, minutes=59), tick=False):
        assert_status(api_with(key).get("/api/v1/me/"), 200)
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=1), tick=False):
        response = api_with(key).get("/api/v1/me/")
        assert_status(response, 401)
        assert response.data["detail"] == "令牌已过期，请重新获取。"
        assert response["WWW-Authenticate"] == "Token"
        assert not Token.objects.filter(key=key).exists()
        # Signing in again gives a new token.
        fresh = token_login(APIClient(), "wanggy", t.PASSWORD).data["token"]
        assert fresh != key
        assert_status(api_with(fresh).get("/api/v1/me/"), 200)


def test_token_hours_is_a_setting(worker, settings):
    settings.FIREGRID_API_TOKEN_HOURS = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = token_login(APIClient(), "wanggy", t.PASSWORD).data["token"]
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert_status(api_with(key).get("/api/v1/me/"), 401)


def test_web_sign_out_revokes_the_users_tokens(login, worker):
    key = token_login(APIClient(), "wanggy", t.PASSWORD).data["token"]
    other = t.make_user("other", Role.GRID_WORKER)
    other_key = token_login(APIClient(), "other", t.PASSWORD).data["token"]
    login(worker).post("/logout/")
    assert_status(api_with(key).get("/api/v1/me/"), 401)
    assert Token.objects.filter(user=other, key=other_key).exists()


def test_password_change_page_revokes_the_users_tokens(login, worker):
    key = token_login(APIClient(), "wanggy", t.PASSWORD).data["token"]
    assert_status(change(login(worker), GOOD_PASSWORD), 302)
    assert_status(api_with(key).get("/api/v1/me/"), 401)


def test_any_password_change_revokes_the_tokens(worker):
    # Django admin and `changepassword` set the password the same way.
    token_login(APIClient(), "wanggy", t.PASSWORD)
    worker.set_password(GOOD_PASSWORD)
    worker.save()
    assert not Token.objects.filter(user=worker).exists()


def test_saving_a_user_without_a_new_password_keeps_the_tokens(worker):
    token_login(APIClient(), "wanggy", t.PASSWORD)
    worker.full_name = "王国勇（网格员）"
    worker.save()
    assert Token.objects.filter(user=worker).exists()


# --- sessions -----------------------------------------------------------------------------------------


def test_session_lasts_eight_hours_of_inactivity_by_default():
    assert settings.FIREGRID_SESSION_HOURS == 8
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    # Not a write on every request: SessionRefreshMiddleware moves the expiry on every few minutes.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.FIREGRID_SESSION_REFRESH_MINUTES == 5


def test_each_request_moves_the_session_expiry_on(login, worker):
    client = login(worker)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(hours=7), tick=False):
        assert_status(client.get("/me/"), 200)
    with time_machine.travel(start + dt.timedelta(hours=14), tick=False):
        assert_status(client.get("/me/"), 200)
    with time_machine.travel(start + dt.timedelta(hours=22, minutes=1), tick=False):
        assert_status(client.get("/me/"), 302)  # eight idle hours: signed out


def test_a_request_soon_after_the_last_refresh_does_not_write_the_session(login, worker):
    from django.contrib.sessions.models import Session

    client = login(worker)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert_status(client.get("/me/"), 200)
    expiry = Session.objects.get().expire_date
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert_status(client.get("/me/"), 200)
    assert Session.objects.get().expire_date == expiry  # within the refresh interval: not saved
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        assert_status(client.get("/me/"), 200)
    assert Session.objects.get().expire_date > expiry


# --- the demo users -----------------------------------------------------------------------------------


@pytest.fixture
def demo_users(db, monkeypatch):
    """create_demo_users() -> the users the demo loader writes, on a minimal district."""

    def create_demo_users():
        district = t.make_area(AreaLevel.DISTRICT, "衢江区", code=demo_data.DISTRICT_CODE)
        zhangtan = t.make_area(
            AreaLevel.SUBDISTRICT, "樟潭街道", district, code=demo_data.DISTRICT_CODE + "001"
        )
        community = t.make_area(AreaLevel.COMMUNITY, loader.WANGGY_COMMUNITY, zhangtan)
        grid = t.make_area(AreaLevel.GRID, "樟树潭社区第一网格", community)
        landlord = t.make_landlord("张建国", area=grid)
        contractor = Contractor.objects.create(name="李师傅", trade=Trade.ELECTRICIAN, mobile="13900000001")
        # The registry and the contractors are the loader's other business: only the users are under test.
        monkeypatch.setattr(loader, "_liaison_unit_and_landlord", lambda grid: (t.make_unit(), landlord))
        monkeypatch.setattr(loader, "create_contractors", lambda areas, seed: contractor)
        areas = {a.code: a for a in (district, zhangtan, community, grid)}
        loader._create_users(areas, {DepartmentKind.FIRE: t.make_department()}, seed=2019)
        return User.objects.all()

    return create_demo_users


def test_demo_users_may_keep_the_demo_password_in_development(demo_users):
    users = demo_users()
    assert users.count() == len(loader.DEMO_USERS)
    assert not users.filter(must_change_password=True).exists()


def test_demo_users_must_change_the_demo_password_outside_development(demo_users, settings):
    settings.DEV_DEFAULTS = False
    users = demo_users()
    assert users.count() == len(loader.DEMO_USERS)
    assert not users.filter(must_change_password=False).exists()
    # Signed in with the published password, the demo grid worker can only change it.
    client = Client()
    assert client.login(username="wanggy", password=demo_data.DEMO_PASSWORD)
    assert client.get("/").headers["Location"].startswith("/me/password/")
