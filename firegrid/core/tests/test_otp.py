"""两步验证: the optional TOTP second factor of the district roles (core/otp.py).

Codes are computed as an authenticator app would, with django_otp.oath.totp and the device's key. A device
takes each time step's code once and waits after a wrong one (1, 2, 4 … s), so tests that try several codes
move the clock on between tries (time_machine) or take the next step's code (drift=1, within tolerance).
"""

from __future__ import annotations

import datetime as dt
import re
from binascii import unhexlify

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.conftest import assert_status
from firegrid.core.models import AuditEntry, LoginRecord
from firegrid.core.otp import PENDING_KEY_SESSION_KEY

pytestmark = pytest.mark.django_db

SETUP = "/me/two-factor/"
VERIFY = "/login/verify/"
LOCKED = "登录失败次数过多"


@pytest.fixture
def commander(db):
    return t.make_user("zhangzh", Role.DISTRICT_COMMANDER)


@pytest.fixture
def worker(db):
    return t.make_user("wanggy", Role.GRID_WORKER)


def code_for(key: str, drift: int = 0) -> str:
    """The code an authenticator app shows now for the hex key (drift=1: the next step's code)."""
    return f"{totp(unhexlify(key.encode()), drift=drift):06d}"


def wrong_code(key: str) -> str:
    right = {code_for(key, drift) for drift in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def web_login(client: Client, username: str, password: str = t.PASSWORD, next: str = "/"):
    return client.post("/login/", {"username": username, "password": password, "next": next})


def verify(client: Client, code: str, next: str = "/"):
    return client.post(VERIFY, {"code": code, "next": next})


def token_login(client: APIClient, username: str, **extra):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": t.PASSWORD, **extra}, format="json"
    )


class Clock:
    """Moves time on between tries: past the device's wait after a wrong code, within the lockout's cool-off."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def step(self, seconds: int = 40) -> time_machine.travel:
        self.now += dt.timedelta(seconds=seconds)
        return time_machine.travel(self.now, tick=False)


# --- who sees it --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISTRICT_COMMANDER, Role.DEPARTMENT_OFFICER, Role.SYSTEM_ADMIN])
def test_me_page_offers_it_to_the_district_roles(login, role):
    page = login(t.make_user("district", role)).get("/me/").content.decode()
    assert "两步验证" in page and SETUP in page and "未开启" in page


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.SUBDISTRICT_OFFICER, Role.UNIT_LIAISON])
def test_other_roles_do_not_see_it(login, role):
    client = login(t.make_user("other", role))
    page = client.get("/me/").content.decode()
    assert "两步验证" not in page and SETUP not in page
    assert_status(client.get(SETUP), 404)
    assert_status(client.post(SETUP, {"action": "enrol", "code": "123456"}), 404)


def test_setup_page_needs_a_sign_in(client):
    response = client.get(SETUP)
    assert_status(response, 302)
    assert response["Location"].startswith("/login/")


# --- enrolment ----------------------------------------------------------------------------------------


def test_enrol_saves_the_device_only_after_a_good_code(login, commander):
    client = login(commander)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "开启两步验证" in page
    key = client.session[PENDING_KEY_SESSION_KEY]
    # The secret is shown as text too (base32, in groups of four) for apps that cannot scan.
    assert re.search(r"<code>([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>", page)

    response = client.post(SETUP, {"action": "enrol", "code": wrong_code(key)})
    assert_status(response, 200)
    assert response.context["form"].errors["code"] == ["验证码不正确或已过期。"]
    assert not TOTPDevice.objects.exists()
    assert client.session[PENDING_KEY_SESSION_KEY] == key  # the same QR code still works

    response = client.post(SETUP, {"action": "enrol", "code": code_for(key)})
    assert_status(response, 302)
    assert response["Location"] == "/me/"
    device = TOTPDevice.objects.get(user=commander)
    assert device.confirmed and device.key == key
    assert PENDING_KEY_SESSION_KEY not in client.session
    # This session has shown it holds the device: it goes on without being asked again.
    page = client.get("/me/").content.decode()
    assert "两步验证已开启。" in page and "已开启" in page
    assert_status(client.get("/"), 200)
    # Audited, never with the key.
    entry = AuditEntry.objects.get(object_id=str(device.pk), content_type__model="totpdevice")
    assert entry.actor == commander and entry.after == {"name": "authenticator"}
    assert key not in str(entry.after)


def test_enrolling_ends_api_tokens_issued_on_the_password_alone(login, commander):
    api = APIClient()
    key = token_login(api, "zhangzh").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert_status(api.get("/api/v1/premises/"), 200)
    client = login(commander)
    client.get(SETUP)
    code = code_for(client.session[PENDING_KEY_SESSION_KEY])
    assert_status(client.post(SETUP, {"action": "enrol", "code": code}), 302)
    assert_status(api.get("/api/v1/premises/"), 401)


def test_enrol_refuses_what_is_not_six_digits(login, commander):
    client = login(commander)
    client.get(SETUP)
    response = client.post(SETUP, {"action": "enrol", "code": "12ab56"})
    assert response.context["form"].errors["code"] == ["请输入验证器上显示的 6 位数字。"]


def test_enrolment_code_cannot_sign_in_again(commander):
    client = Client()
    client.force_login(commander)
    client.get(SETUP)
    code = code_for(client.session[PENDING_KEY_SESSION_KEY])
    assert_status(client.post(SETUP, {"action": "enrol", "code": code}), 302)
    client.post("/logout/")
    web_login(client, "zhangzh")
    response = verify(client, code)
    assert_status(response, 200)
    assert response.context["form"].errors["code"] == ["验证码不正确或已过期。"]


def test_setup_page_in_english(login, commander):
    client = login(commander)
    assert_status(client.post(reverse("set_language"), {"language": "en", "next": "/"}), 302)
    page = client.get(SETUP).content.decode()
    assert "Two-step verification" in page and "Turn on two-step verification" in page
    # No Chinese left outside the QR code's title and the menu's data.
    assert "开启" not in page and "验证码" not in page


# --- signing in ---------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_before_any_page(commander):
    device = device_for(commander)
    client = Client()
    response = web_login(client, "zhangzh", next="/registry/premises/")
    assert_status(response, 302)
    # Signed in with the password, but no page until the code.
    response = client.get("/registry/premises/")
    assert_status(response, 302)
    assert response["Location"] == f"{VERIFY}?next=%2Fregistry%2Fpremises%2F"
    assert_status(client.get("/me/password/"), 302)
    api = client.get("/api/v1/premises/")
    assert_status(api, 403)
    assert api.json() == {"detail": "请先完成两步验证。"}
    htmx = client.get("/registry/premises/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == VERIFY
    page = client.get(VERIFY, {"next": "/registry/premises/"})
    assert_status(page, 200)
    assert "两步验证" in page.content.decode()

    response = verify(client, code_for(device.key), next="/registry/premises/")
    assert_status(response, 302)
    assert response["Location"] == "/registry/premises/"
    assert_status(client.get("/registry/premises/"), 200)
    assert_status(client.get("/api/v1/premises/"), 200)
    # Once verified, the code page sends the user on.
    assert_status(client.get(VERIFY), 302)


def test_sign_in_without_a_device_needs_no_code(commander):
    client = Client()
    assert_status(web_login(client, "zhangzh"), 302)
    assert_status(client.get("/"), 200)
    assert_status(client.get(VERIFY), 302)


def test_sign_out_stays_reachable_before_the_code(commander):
    device_for(commander)
    client = Client()
    web_login(client, "zhangzh")
    assert_status(client.post("/logout/"), 302)
    response = client.get("/")
    assert response["Location"].startswith("/login/")


def test_wrong_code_is_refused_and_logged(commander):
    device = device_for(commander)
    client = Client(REMOTE_ADDR="10.2.0.1")
    web_login(client, "zhangzh")
    response = verify(client, wrong_code(device.key))
    assert_status(response, 200)
    assert response.context["form"].errors["code"] == ["验证码不正确或已过期。"]
    assert_status(client.get("/"), 302)
    assert LoginRecord.objects.filter(username="zhangzh", success=False).count() == 1
    assert AccessAttempt.objects.get(username="zhangzh").failures_since_start == 1


def test_the_device_waits_after_a_wrong_code(commander):
    device = device_for(commander)
    client = Client(REMOTE_ADDR="10.2.0.2")
    clock = Clock()
    with clock.step():
        web_login(client, "zhangzh")
        verify(client, wrong_code(device.key))
        # Right away, even the right code is not looked at.
        response = verify(client, code_for(device.key))
        assert "尝试过于频繁" in response.context["form"].errors["code"][0]
    with clock.step(2):
        assert_status(verify(client, code_for(device.key)), 302)


def test_wrong_codes_count_toward_the_lockout(commander):
    device = device_for(commander)
    client = Client(REMOTE_ADDR="10.2.0.3")
    clock = Clock()
    with clock.step():
        web_login(client, "zhangzh")
    statuses = []
    for _ in range(5):
        with clock.step():
            statuses.append(verify(client, wrong_code(device.key)).status_code)
    assert statuses == [200, 200, 200, 200, 429]
    with clock.step():
        # The lock ended the session, and the password is refused while it holds.
        assert client.get("/")["Location"].startswith("/login/")
        response = web_login(client, "zhangzh")
        assert_status(response, 429)
        assert LOCKED in response.content.decode()


def test_the_password_alone_does_not_clear_wrong_codes(commander):
    device = device_for(commander)
    client = Client(REMOTE_ADDR="10.2.0.4")
    clock = Clock()
    for _ in range(3):
        with clock.step():
            web_login(client, "zhangzh")
            verify(client, wrong_code(device.key))
    with clock.step():
        web_login(client, "zhangzh")
        assert_status(verify(client, wrong_code(device.key)), 200)
    with clock.step():
        assert_status(verify(client, wrong_code(device.key)), 429)


def test_the_right_code_clears_the_count(commander):
    device = device_for(commander)
    client = Client(REMOTE_ADDR="10.2.0.5")
    clock = Clock()
    with clock.step():
        web_login(client, "zhangzh")
    for _ in range(4):
        with clock.step():
            verify(client, wrong_code(device.key))
    with clock.step():
        assert_status(verify(client, code_for(device.key)), 302)
    assert not AccessAttempt.objects.filter(username="zhangzh").exists()
    assert LoginRecord.objects.filter(username="zhangzh", success=False).count() == 4


def test_admin_sign_in_asks_for_the_code_too(db):
    admin = t.make_user("sysadmin", Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)
    device = device_for(admin)
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "sysadmin", "password": t.PASSWORD, "next": "/admin/"}
    )
    assert_status(response, 302)
    response = client.get("/admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert verify(client, code_for(device.key), next="/admin/")["Location"] == "/admin/"
    assert_status(client.get("/admin/"), 200)


def test_a_device_turned_on_elsewhere_asks_this_session_for_the_code(login, commander):
    client = login(commander)
    assert_status(client.get("/"), 200)
    device_for(commander)
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_the_code_page_sends_elsewhere_who_has_nothing_to_verify(client, login, worker):
    assert client.get(VERIFY)["Location"] == "/login/"
    assert client.get(VERIFY, {"next": "https://evil.example/"}).status_code == 302
    response = login(worker).get(VERIFY, {"next": "https://evil.example/"})
    assert response["Location"] == "/"


# --- API tokens ---------------------------------------------------------------------------------------


def test_token_needs_the_code_of_a_user_with_a_device(commander):
    device = device_for(commander)
    client = APIClient(REMOTE_ADDR="10.3.0.1")
    clock = Clock()
    with clock.step():
        missing = token_login(client, "zhangzh")
        assert_status(missing, 400)
        assert list(missing.data) == ["otp"] and "otp" in str(missing.data["otp"][0])
        wrong = token_login(client, "zhangzh", otp=wrong_code(device.key))
        assert_status(wrong, 400)
        assert wrong.data["otp"] == ["验证码不正确或已过期。"]
    with clock.step():
        good = token_login(client, "zhangzh", otp=code_for(device.key))
        assert_status(good, 200)
    assert set(good.data) == {"token", "expires"}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {good.data['token']}")
    assert_status(api.get("/api/v1/premises/"), 200)


def test_token_wrong_codes_lock_like_wrong_passwords(commander):
    device = device_for(commander)
    client = APIClient(REMOTE_ADDR="10.3.0.2")
    clock = Clock()
    statuses = []
    for _ in range(5):
        with clock.step():
            statuses.append(token_login(client, "zhangzh", otp=wrong_code(device.key)).status_code)
    assert statuses == [400, 400, 400, 400, 429]
    with clock.step():
        assert_status(token_login(client, "zhangzh", otp=code_for(device.key)), 429)


def test_token_without_a_device_takes_no_code(commander):
    assert_status(token_login(APIClient(), "zhangzh"), 200)


# --- removing it --------------------------------------------------------------------------------------


def verified_client(user, device: TOTPDevice) -> Client:
    client = Client()
    web_login(client, user.username)
    assert_status(verify(client, code_for(device.key)), 302)
    return client


def test_removing_the_device_needs_a_current_code(commander):
    device = device_for(commander)
    clock = Clock()
    with clock.step():
        client = verified_client(commander, device)
    with clock.step():
        response = client.post(SETUP, {"action": "remove", "code": wrong_code(device.key)})
        assert_status(response, 200)
        assert response.context["form"].errors["code"] == ["验证码不正确或已过期。"]
        assert TOTPDevice.objects.filter(user=commander).exists()
    with clock.step():
        response = client.post(SETUP, {"action": "remove", "code": code_for(device.key)})
        assert response["Location"] == "/me/"
    assert not TOTPDevice.objects.filter(user=commander).exists()
    assert AuditEntry.objects.filter(content_type__model="totpdevice", action="delete").count() == 1
    page = client.get("/me/").content.decode()
    assert "两步验证已关闭。" in page and "未开启" in page
    # The next sign-in takes the password alone.
    client.post("/logout/")
    web_login(client, "zhangzh")
    assert_status(client.get("/"), 200)


# --- mandatory for some roles -------------------------------------------------------------------------


def test_a_required_role_must_enrol_before_any_page(settings, commander):
    settings.FIREGRID_OTP_REQUIRED_ROLES = [Role.DISTRICT_COMMANDER]
    client = Client()
    web_login(client, "zhangzh")
    response = client.get("/registry/premises/")
    assert response["Location"] == f"{SETUP}?next=%2Fregistry%2Fpremises%2F"
    assert_status(token_login(APIClient(), "zhangzh"), 403)
    page = client.get(SETUP).content.decode()
    assert "您的角色必须使用两步验证" in page
    key = client.session[PENDING_KEY_SESSION_KEY]
    assert_status(client.post(SETUP, {"action": "enrol", "code": code_for(key)}), 302)
    assert_status(client.get("/registry/premises/"), 200)
    # …and cannot turn it off.
    device = TOTPDevice.objects.get(user=commander)
    response = client.post(SETUP, {"action": "remove", "code": code_for(device.key, drift=1)})
    assert response.context["form"].non_field_errors() == ["您的角色必须使用两步验证，不能关闭。"]
    assert TOTPDevice.objects.filter(user=commander).exists()


def test_a_required_role_is_offered_it_whatever_the_role(settings, login, worker):
    settings.FIREGRID_OTP_REQUIRED_ROLES = [Role.GRID_WORKER]
    client = login(worker)
    assert client.get("/")["Location"] == f"{SETUP}?next=%2F"
    assert_status(client.get(SETUP), 200)


def test_a_token_issued_before_the_role_required_a_second_factor_stops_working(settings, commander):
    api = APIClient()
    response = token_login(api, "zhangzh")
    assert_status(response, 200)
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert_status(api.get("/api/v1/areas/"), 200)
    settings.FIREGRID_OTP_REQUIRED_ROLES = [Role.DISTRICT_COMMANDER]
    refused = api.get("/api/v1/areas/")
    assert_status(refused, 401)
    assert refused.data["detail"] == "请先开启两步验证。"


def test_the_setting_defaults_to_optional():
    assert settings.FIREGRID_OTP_REQUIRED_ROLES == []


def test_a_device_left_from_an_earlier_role_is_ignored(worker):
    device_for(worker)  # e.g. a district officer moved to a grid
    client = Client()
    web_login(client, "wanggy")
    assert_status(client.get("/"), 200)
    assert_status(token_login(APIClient(), "wanggy"), 200)
