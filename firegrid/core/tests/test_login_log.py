"""The login log (登录日志): every sign-in attempt, successful or not, with where it came from."""

import pytest
from django.contrib.auth import authenticate, login
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.core.models import LoginRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(db):
    return t.make_user("wanggy", Role.GRID_WORKER)


def request_from(ip: str, agent: str = "Mozilla/5.0 (Linux; Android 13) DingTalk/7.0"):
    request = RequestFactory().post("/login/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    request.session = SessionStore()
    return request


def test_client_login_records_a_successful_sign_in(worker):
    assert Client().login(username="wanggy", password=t.PASSWORD)
    [record] = LoginRecord.objects.all()
    assert record.success is True
    assert record.user == worker
    assert record.username == "wanggy"


def test_client_login_with_a_wrong_password_records_a_failure(worker):
    assert not Client().login(username="wanggy", password="wrong-password")
    [record] = LoginRecord.objects.all()
    assert record.success is False
    assert record.username == "wanggy"
    assert record.user is None


def test_successful_sign_in_records_ip_and_browser(worker):
    request = request_from("10.23.4.5")
    user = authenticate(request, username="wanggy", password=t.PASSWORD)
    login(request, user)
    [record] = LoginRecord.objects.all()
    assert (record.success, record.user, record.ip) == (True, worker, "10.23.4.5")
    assert "DingTalk" in record.user_agent


def test_failed_sign_in_records_ip_and_the_username_tried(worker):
    request = request_from("192.168.1.20")
    assert authenticate(request, username="nobody", password="guess") is None
    [record] = LoginRecord.objects.all()
    assert (record.success, record.username, record.ip, record.user) == (
        False,
        "nobody",
        "192.168.1.20",
        None,
    )


def test_password_is_never_logged(worker):
    authenticate(request_from("10.0.0.1"), username="wanggy", password="secret-typo")
    record = LoginRecord.objects.get()
    assert "secret-typo" not in f"{record.username}{record.user_agent}"


def test_very_long_user_agent_is_cut_to_fit(worker):
    request = request_from("10.0.0.2", agent="x" * 1000)
    login(request, authenticate(request, username="wanggy", password=t.PASSWORD))
    assert len(LoginRecord.objects.get().user_agent) == 300


def test_ipv6_address_is_recorded(worker):
    request = request_from("2001:db8::1")
    authenticate(request, username="wanggy", password="wrong")
    assert LoginRecord.objects.get().ip == "2001:db8::1"


def test_each_attempt_is_one_record(worker):
    client = Client()
    client.login(username="wanggy", password="wrong")
    client.login(username="wanggy", password="wrong")
    client.login(username="wanggy", password=t.PASSWORD)
    assert list(LoginRecord.objects.order_by("id").values_list("success", flat=True)) == [False, False, True]


def test_login_records_are_visible_only_to_the_admin(worker):
    admin = t.make_user("admin", Role.SYSTEM_ADMIN)
    Client().login(username="wanggy", password=t.PASSWORD)
    assert LoginRecord.objects.visible_to(admin).count() == 1
    assert not LoginRecord.objects.visible_to(worker).exists()


def test_login_page_post_records_success_with_the_client_ip(worker):
    response = Client(REMOTE_ADDR="10.8.8.8").post("/login/", {"username": "wanggy", "password": t.PASSWORD})
    assert response.status_code == 302
    [record] = LoginRecord.objects.all()
    assert (record.success, record.user, record.ip) == (True, worker, "10.8.8.8")


def test_login_page_post_with_a_wrong_password_records_failure(worker):
    response = Client(REMOTE_ADDR="10.8.8.9").post("/login/", {"username": "wanggy", "password": "nope"})
    assert response.status_code == 200  # the form again, with its error
    [record] = LoginRecord.objects.all()
    assert (record.success, record.username, record.ip) == (False, "wanggy", "10.8.8.9")
