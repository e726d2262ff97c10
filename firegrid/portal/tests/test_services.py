"""Sign-in codes: sending, checking, expiry, one use, the lock after wrong codes, rate limits, accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from firegrid import testing as t
from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core import sms
from firegrid.core.models import AuditAction, AuditEntry, LoginRecord
from firegrid.portal import services
from firegrid.portal.models import MobileLock, OneTimeCode
from firegrid.portal.services import find_portal_account, normalise_mobile, request_code, verify_code

from .helpers import error_codes, last_code, message, wrong

pytestmark = pytest.mark.django_db

IP = "10.20.30.40"


@pytest.fixture
def mobile(district):
    return district.landlord_a.mobile


def sign_in(mobile: str, ip: str = IP):
    request_code(mobile, ip=ip)
    return verify_code(mobile, last_code(mobile), ip=ip)


# --- the happy path ---------------------------------------------------------------------------------------


def test_code_is_sent_by_sms_and_signs_the_landlord_in(district, mobile, clock):
    sent = request_code(mobile, ip=IP)
    [text] = sms.outbox
    assert text.mobile == mobile and "验证码" in text.text and "5 分钟" in text.text
    assert sent.mobile == mobile and sent.expires_at - sent.resend_at == dt.timedelta(minutes=4)

    user = verify_code(mobile, last_code(mobile), ip=IP)

    assert (user.role, user.landlord, user.mobile) == (Role.LANDLORD, district.landlord_a, mobile)
    assert user.username == f"landlord-{district.landlord_a.pk}"
    assert user.full_name == "张建国"
    assert not user.has_usable_password()
    [record] = LoginRecord.objects.all()
    assert (record.success, record.user, record.ip) == (True, user, IP)
    created = AuditEntry.objects.for_object(user).get()
    assert created.action == AuditAction.CREATE and "首次" in created.reason
    assert mobile not in str(created.after)  # personal data masked in the audit trail


def test_a_second_sign_in_uses_the_same_account(district, mobile, clock):
    first = sign_in(mobile)
    clock.shift(61)
    assert sign_in(mobile) == first
    assert User.objects.filter(landlord=district.landlord_a).count() == 1


def test_the_code_is_stored_hashed_never_in_clear(mobile, clock):
    request_code(mobile, ip=IP)
    code = last_code(mobile)
    row = OneTimeCode.objects.get()
    stored = [str(getattr(row, f.attname)) for f in OneTimeCode._meta.concrete_fields]
    assert not any(code in value for value in stored)
    assert len(row.code_hash) == 64 and row.sent_at is not None


def test_an_existing_landlord_user_is_found_through_the_landlord_record(district, personas, mobile, clock):
    assert personas.landlord.mobile == ""  # the persona's own mobile is not filled in
    assert sign_in(mobile) == personas.landlord
    assert User.objects.filter(role=Role.LANDLORD).count() == 1


def test_a_landlord_user_is_found_through_the_users_own_mobile(district, clock):
    user = t.make_user("lxy", Role.LANDLORD, landlord=district.landlord_b, mobile="13912345678")
    assert district.landlord_b.mobile != "13912345678"
    assert sign_in("13912345678") == user


def test_a_switched_off_landlord_account_gets_no_code(district, personas, mobile, clock):
    personas.landlord.is_active = False
    personas.landlord.save()
    request_code(mobile, ip=IP)
    assert sms.outbox == []
    assert find_portal_account(mobile) is None


def test_staff_with_that_mobile_are_not_portal_accounts(district, clock):
    t.make_user("grid", Role.GRID_WORKER, [district.grid_a], mobile="13700000001")
    request_code("13700000001", ip=IP)
    assert sms.outbox == []


# --- expiry, single use, newer codes ------------------------------------------------------------------------


def test_an_expired_code_is_refused(mobile, clock):
    request_code(mobile, ip=IP)
    code = last_code(mobile)
    clock.shift(5 * 60)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, code, ip=IP)
    assert error_codes(caught.value) == {"code": ["expired"]}
    assert "过期" in message(caught.value, "code")


def test_a_code_is_still_good_just_before_it_expires(mobile, clock):
    request_code(mobile, ip=IP)
    clock.shift(5 * 60 - 1)
    assert verify_code(mobile, last_code(mobile), ip=IP).role == Role.LANDLORD


def test_the_code_lifetime_is_a_setting(settings, mobile, clock):
    settings.FIREGRID_PORTAL_CODE_TTL = 120
    request_code(mobile, ip=IP)
    assert "2 分钟" in sms.outbox[-1].text
    clock.shift(121)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, last_code(mobile), ip=IP)
    assert error_codes(caught.value) == {"code": ["expired"]}


def test_a_code_works_once(mobile, clock):
    request_code(mobile, ip=IP)
    code = last_code(mobile)
    verify_code(mobile, code, ip=IP)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, code, ip=IP)
    assert error_codes(caught.value) == {"code": ["used"]}
    assert OneTimeCode.objects.get().used_at is not None


def test_a_new_code_voids_the_older_one(mobile, clock, monkeypatch):
    drawn = iter([111111, 222222])
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: next(drawn))
    request_code(mobile, ip=IP)
    clock.shift(61)
    request_code(mobile, ip=IP)
    assert [last_code(mobile), sms.outbox[0].text.count("111111")] == ["222222", 1]
    assert OneTimeCode.objects.order_by("created_at").first().superseded_at is not None
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, "111111", ip=IP)
    assert error_codes(caught.value) == {"code": ["wrong"]}
    assert verify_code(mobile, "222222", ip=IP).role == Role.LANDLORD


def test_verifying_without_asking_first_says_so(mobile, clock):
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, "123456", ip=IP)
    assert error_codes(caught.value) == {"code": ["no_code"]}


# --- wrong codes and the lock --------------------------------------------------------------------------------


def test_six_wrong_codes_lock_the_mobile_and_even_the_right_code_is_refused(mobile, clock):
    request_code(mobile, ip=IP)
    code = last_code(mobile)
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as caught:
            verify_code(mobile, wrong(code), ip=IP)
        assert error_codes(caught.value) == {"code": ["wrong"]}
        assert f"还可以再试 {left} 次" in message(caught.value, "code")
    for _ in range(2):  # the fifth wrong code locks; the sixth is refused as locked
        with pytest.raises(ValidationError) as caught:
            verify_code(mobile, wrong(code), ip=IP)
        assert error_codes(caught.value) == {"code": ["locked"]}
    assert "09:30" in message(caught.value, "code")  # T0 is 09:00 in Shanghai; locked for 30 minutes

    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, code, ip=IP)
    assert error_codes(caught.value) == {"code": ["locked"]}
    assert "锁定" in message(caught.value, "code") and "09:30" in message(caught.value, "code")
    assert OneTimeCode.objects.get().used_at is None
    assert MobileLock.objects.get(mobile=mobile).locked_until is not None

    # No new code while locked either.
    clock.shift(10 * 60)
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["locked"]}

    # Thirty minutes after the fifth wrong code the mobile may try again.
    clock.shift(20 * 60)
    assert sign_in(mobile).role == Role.LANDLORD
    assert LoginRecord.objects.filter(success=False).count() == 7  # every refusal is in the login log


def test_a_right_code_clears_earlier_mistakes(mobile, clock):
    request_code(mobile, ip=IP)
    code = last_code(mobile)
    for _ in range(4):
        with pytest.raises(ValidationError):
            verify_code(mobile, wrong(code), ip=IP)
    verify_code(mobile, code, ip=IP)
    clock.shift(61)
    request_code(mobile, ip=IP)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, wrong(last_code(mobile)), ip=IP)
    assert "还可以再试 4 次" in message(caught.value, "code")


def test_mistakes_older_than_the_lock_period_are_forgotten(mobile, clock):
    request_code(mobile, ip=IP)
    for _ in range(4):
        with pytest.raises(ValidationError):
            verify_code(mobile, wrong(last_code(mobile)), ip=IP)
    clock.shift(31 * 60)
    request_code(mobile, ip=IP)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, wrong(last_code(mobile)), ip=IP)
    assert error_codes(caught.value) == {"code": ["wrong"]}


def test_a_failed_attempt_is_in_the_login_log_with_a_masked_mobile(mobile, clock):
    request_code(mobile, ip=IP)
    with pytest.raises(ValidationError):
        verify_code(mobile, wrong(last_code(mobile)), ip=IP)
    [record] = LoginRecord.objects.all()
    assert (record.success, record.ip, record.user) == (False, IP, None)
    assert record.username == mobile[:3] + "****" + mobile[-4:]


# --- rate limits -------------------------------------------------------------------------------------------


def test_one_code_a_minute_per_mobile(mobile, clock):
    request_code(mobile, ip=IP)
    clock.shift(20)
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip="10.9.9.9")
    assert error_codes(caught.value) == {"mobile": ["too_soon"]}
    assert "40 秒" in message(caught.value, "mobile")
    assert len(sms.outbox) == 1
    assert services.resend_wait(mobile) == 40
    clock.shift(40)
    request_code(mobile, ip=IP)
    assert len(sms.outbox) == 2


def test_five_codes_an_hour_per_mobile(mobile, clock):
    for _ in range(5):
        request_code(mobile, ip=IP)
        clock.shift(5 * 60)  # 09:00, 09:05 … 09:20
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["mobile_hourly_limit"]}
    assert "10:00" in message(caught.value, "mobile")  # when the 09:00 request leaves the hour
    assert len(sms.outbox) == 5
    clock.move_to(
        OneTimeCode.objects.order_by("created_at").first().created_at + dt.timedelta(hours=1, seconds=1)
    )
    request_code(mobile, ip=IP)
    assert len(sms.outbox) == 6


def test_twenty_codes_an_hour_per_ip_address(mobile, clock):
    for n in range(20):
        request_code(f"1390000{n:04d}", ip=IP)
        clock.shift(60)
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["ip_hourly_limit"]}
    assert "10:00" in message(caught.value, "mobile") and "网络" in message(caught.value, "mobile")
    assert sms.outbox == []
    request_code(mobile, ip="10.20.30.41")  # another address is not held up
    assert len(sms.outbox) == 1


# --- not revealing who is registered --------------------------------------------------------------------------


def test_an_unknown_mobile_gets_the_same_answer_and_no_sms(mobile, clock):
    unknown = "13600000000"
    answer = request_code(unknown, ip=IP)
    known = request_code(mobile, ip="10.0.0.2")
    assert (answer.expires_at, answer.resend_at) == (known.expires_at, known.resend_at)
    assert [m.mobile for m in sms.outbox] == [mobile]
    assert OneTimeCode.objects.get(mobile=unknown).sent_at is None
    # The limits and the answers to a guessed code are the same as for a registered mobile.
    with pytest.raises(ValidationError) as caught:
        request_code(unknown, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["too_soon"]}
    with pytest.raises(ValidationError) as caught:
        verify_code(unknown, "123456", ip=IP)
    assert error_codes(caught.value) == {"code": ["wrong"]}
    assert "还可以再试 4 次" in message(caught.value, "code")
    assert not User.objects.filter(mobile=unknown).exists()


def test_landlords_sharing_a_mobile_are_refused_with_a_pointer_to_the_community(district, mobile, clock):
    t.make_landlord("张建军", area=district.grid_a, mobile=mobile)
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["ambiguous"]}
    assert "社区" in message(caught.value, "mobile")
    assert sms.outbox == []


def test_a_landlord_user_and_another_landlord_record_with_one_mobile_are_ambiguous(district, clock):
    t.make_user("lxy", Role.LANDLORD, landlord=district.landlord_b, mobile=district.landlord_a.mobile)
    with pytest.raises(ValidationError) as caught:
        find_portal_account(district.landlord_a.mobile)
    assert error_codes(caught.value) == {"mobile": ["ambiguous"]}


def test_a_mobile_that_became_shared_after_the_code_was_sent_is_refused(district, mobile, clock):
    request_code(mobile, ip=IP)
    t.make_landlord("张建军", area=district.grid_a, mobile=mobile)
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, last_code(mobile), ip=IP)
    assert error_codes(caught.value) == {"mobile": ["ambiguous"]}
    assert not User.objects.filter(role=Role.LANDLORD).exists()
    assert OneTimeCode.objects.get().used_at is None


# --- input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "１３８００１３８０００",
        "138 0013 8000",
        "138\u30000013\u30008000",
        "+86 138-0013-8000",
        "＋８６１３８００１３８０００",
        "0086 13800138000",
        "8613800138000",
        " (138) 0013-8000 ",
    ],
)
def test_mobile_normalisation(typed):
    assert normalise_mobile(typed) == "13800138000"


def test_a_full_width_mobile_reaches_the_landlord(district, clock):
    full_width = district.landlord_a.mobile.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    request_code(f"＋８６ {full_width}", ip=IP)
    assert sms.outbox[-1].mobile == district.landlord_a.mobile
    code = last_code(district.landlord_a.mobile).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert verify_code(full_width, code, ip=IP).landlord == district.landlord_a


@pytest.mark.parametrize(
    ("typed", "code"), [("", "required"), ("1380013800", "mobile_format"), ("23800138000", "mobile_format")]
)
def test_a_bad_mobile_is_named(typed, code, db):
    with pytest.raises(ValidationError) as caught:
        request_code(typed, ip=IP)
    assert error_codes(caught.value) == {"mobile": [code]}
    assert OneTimeCode.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "code"), [("", "required"), ("12345", "code_format"), ("12a456", "code_format")]
)
def test_a_bad_code_is_named(mobile, typed, code):
    with pytest.raises(ValidationError) as caught:
        verify_code(mobile, typed, ip=IP)
    assert error_codes(caught.value) == {"code": [code]}


def test_a_failing_gateway_is_a_clear_error(settings, mobile, clock):
    settings.FIREGRID_SMS_BACKEND = "firegrid.portal.tests.test_services.BrokenGateway"
    with pytest.raises(ValidationError) as caught:
        request_code(mobile, ip=IP)
    assert error_codes(caught.value) == {"mobile": ["sms_failed"]}
    assert OneTimeCode.objects.get().sent_at is None


class BrokenGateway(sms.BaseSmsBackend):
    def send(self, mobile: str, text: str) -> None:
        raise sms.SmsError("gateway timed out")
