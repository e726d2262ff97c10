"""Landlord portal sign-in: a one-time code sent by SMS to the mobile registered with the community.

`request_code` and `verify_code` answer the same way whether or not a mobile belongs to an account
(a code row is written and counted either way; only the SMS depends on it), so the sign-in page cannot
be used to find out who is registered. Limits (settings, with their defaults):

- a code is valid `FIREGRID_PORTAL_CODE_TTL` seconds (300) and works once; a new code voids older ones;
- per mobile one code per `FIREGRID_PORTAL_RESEND_SECONDS` (60) and `FIREGRID_PORTAL_CODES_PER_HOUR`
  (5) an hour; per IP address `FIREGRID_PORTAL_CODES_PER_IP_HOUR` (20) an hour;
- `FIREGRID_PORTAL_MAX_FAILURES` (5) wrong codes lock the mobile for `FIREGRID_PORTAL_LOCK_MINUTES`
  (30) minutes; while locked even the right code is refused.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.core.masking import mask_mobile
from firegrid.core.models import AuditAction, LoginRecord
from firegrid.core.services import record_change, snapshot
from firegrid.core.sms import send_sms
from firegrid.core.validators import validate_mobile
from firegrid.registry.models import Landlord

from .choices import CodePurpose
from .models import MobileLock, OneTimeCode

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
HOUR = dt.timedelta(hours=1)
_HASH_SALT = "firegrid.portal.OneTimeCode"
_AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


# Read on each call, so that a test (or a changed setting) takes effect at once; defaults in settings.py.
def code_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=settings.FIREGRID_PORTAL_CODE_TTL)


def resend_interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.FIREGRID_PORTAL_RESEND_SECONDS)


def codes_per_hour() -> int:
    return settings.FIREGRID_PORTAL_CODES_PER_HOUR


def codes_per_ip_hour() -> int:
    return settings.FIREGRID_PORTAL_CODES_PER_IP_HOUR


def max_failures() -> int:
    return settings.FIREGRID_PORTAL_MAX_FAILURES


def lock_duration() -> dt.timedelta:
    return dt.timedelta(minutes=settings.FIREGRID_PORTAL_LOCK_MINUTES)


# --- input ------------------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")
_SEPARATORS = re.compile(r"[\s\-()（）]")  # \s includes the ideographic space U+3000


def normalise_mobile(value: str | None) -> str:
    """What people type (１３８ ００１３ ８０００, +86 138-0013-8000, 0086…) → 13800138000."""
    value = _SEPARATORS.sub("", (value or "").translate(_FULL_WIDTH))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    if len(value) == 13 and value.startswith("86"):
        return value[2:]
    return value


def clean_mobile(value: str | None) -> str:
    mobile = normalise_mobile(value)
    if not mobile:
        raise ValidationError({"mobile": ValidationError(_("请输入手机号码。"), code="required")})
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc}) from None
    return mobile


def clean_code(value: str | None) -> str:
    code = _SEPARATORS.sub("", (value or "").translate(_FULL_WIDTH))
    if not code:
        raise ValidationError({"code": ValidationError(_("请输入短信验证码。"), code="required")})
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        raise ValidationError(
            {
                "code": ValidationError(
                    _("验证码应为%(digits)s位数字。"), code="code_format", params={"digits": CODE_DIGITS}
                )
            }
        )
    return code


# --- accounts ---------------------------------------------------------------------------------------------


class SignInAccount(Protocol):
    """Whom a mobile signs in as: a landlord's `PortalAccount`, or a contractor's (firegrid.outreach.accounts)."""

    def ensure_user(self, mobile: str) -> User: ...


@dataclass
class PortalAccount:
    """Who a mobile signs in as. `user` is None until a registered landlord first signs in."""

    landlord: Landlord
    user: User | None = None

    def ensure_user(self, mobile: str) -> User:
        if self.user is None:
            self.user = _create_landlord_user(self.landlord, mobile)
        return self.user


def find_portal_account(mobile: str) -> SignInAccount | None:
    """The one portal account of a (normalised) mobile, None when there is none.

    Raises ValidationError on `mobile` when the number belongs to several people: guessing would show
    one landlord another's premises. A contractor role adds its accounts to `accounts` here.
    """
    from firegrid.outreach.accounts import contractor_accounts

    accounts: list[SignInAccount] = [
        *_landlord_accounts(mobile),
        *contractor_accounts(mobile, create_user=create_portal_user),
    ]
    if len(accounts) > 1:
        raise ValidationError(
            {
                "mobile": ValidationError(
                    _(
                        "该手机号码登记在多个房东或施工单位名下，无法确定您的身份。请联系所在社区核对登记的手机号码。"
                    ),
                    code="ambiguous",
                )
            }
        )
    return accounts[0] if accounts else None


def _landlord_accounts(mobile: str) -> list[PortalAccount]:
    """Landlords reached by this mobile: through an active landlord user's mobile or the landlord record's."""
    found: dict[int, PortalAccount] = {}
    users = User.objects.filter(
        role=Role.LANDLORD, is_active=True, mobile=mobile, landlord__isnull=False
    ).select_related("landlord")
    for user in users:
        if user.landlord is not None:  # always: the query asks for users with a landlord
            found[user.landlord.pk] = PortalAccount(landlord=user.landlord, user=user)
    for landlord in Landlord.objects.filter(mobile=mobile).exclude(pk__in=list(found)).select_related("user"):
        landlord_user: User | None = getattr(landlord, "user", None)
        if landlord_user is None:
            found[landlord.pk] = PortalAccount(landlord=landlord)
        elif landlord_user.is_active and landlord_user.role == Role.LANDLORD:
            found[landlord.pk] = PortalAccount(landlord=landlord, user=landlord_user)
        # Otherwise the landlord's account was switched off by an administrator: it stays off.
    return list(found.values())


def _create_landlord_user(landlord: Landlord, mobile: str) -> User:
    """The account of a registered landlord signing in for the first time."""
    return create_portal_user(
        username_base=f"landlord-{landlord.pk}",
        role=Role.LANDLORD,
        full_name=landlord.name,
        mobile=mobile,
        reason=_("房东首次用手机验证码登录，自动开通房东账号"),
        landlord=landlord,
    )


def create_portal_user(
    *, username_base: str, role: str, full_name: str, mobile: str, reason: str, **links: Any
) -> User:
    """The account of someone signing in through the portal for the first time (no password: codes only).

    `links` ties the account to whom it signs in as (`landlord=…`, `contractor=…`). The audit entry
    masks the mobile: a user's snapshot would otherwise keep it in full.
    """
    username, n = username_base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{username_base}-{n}"
    # A contractor's name (a team's) may be longer than an account's full name.
    user = User(username=username, role=role, full_name=full_name[:32], mobile=mobile, **links)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    after = snapshot(user)
    after["mobile"] = mask_mobile(mobile)
    record_change(actor=None, action=AuditAction.CREATE, obj=user, after=after, reason=reason)
    return user


# --- codes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeRequest:
    """What the page may say after a request: the same whether or not the mobile has an account."""

    mobile: str
    expires_at: dt.datetime
    resend_at: dt.datetime


def _hash(mobile: str, code: str, purpose: str) -> str:
    # Keyed with SECRET_KEY: a copied table does not give the 10⁶ possible codes away.
    return salted_hmac(_HASH_SALT, f"{purpose}:{mobile}:{code}", algorithm="sha256").hexdigest()


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def _lock_row(mobile: str) -> MobileLock:
    MobileLock.objects.get_or_create(mobile=mobile)
    return MobileLock.objects.select_for_update().get(mobile=mobile)


def _locked_error(field: str, until: dt.datetime) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                _("验证码输错次数过多，该手机号码已锁定，请于 %(time)s 后再试。"),
                code="locked",
                params={"time": _when(until)},
            )
        }
    )


def _check_rate_limits(mobile: str, ip: str | None, now: dt.datetime) -> None:
    requested = OneTimeCode.objects.filter(mobile=mobile)
    last = requested.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < resend_interval():
        seconds = math.ceil((last + resend_interval() - now).total_seconds())
        raise ValidationError(
            {
                "mobile": ValidationError(
                    ngettext(
                        "验证码已发送，请 %(seconds)s 秒后再重新获取。",
                        "验证码已发送，请 %(seconds)s 秒后再重新获取。",
                        seconds,
                    ),
                    code="too_soon",
                    params={"seconds": seconds},
                )
            }
        )
    limit = codes_per_hour()
    recent = list(
        requested.filter(created_at__gt=now - HOUR)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= limit:
        raise ValidationError(
            {
                "mobile": ValidationError(
                    ngettext(
                        "该手机号码1小时内最多获取 %(limit)s 次验证码，请于 %(time)s 后再试。",
                        "该手机号码1小时内最多获取 %(limit)s 次验证码，请于 %(time)s 后再试。",
                        limit,
                    ),
                    code="mobile_hourly_limit",
                    params={"limit": limit, "time": _when(recent[len(recent) - limit] + HOUR)},
                )
            }
        )
    if not ip:
        return
    limit = codes_per_ip_hour()
    recent = list(
        OneTimeCode.objects.filter(ip=ip, created_at__gt=now - HOUR)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= limit:
        raise ValidationError(
            {
                "mobile": ValidationError(
                    _("您所在的网络1小时内获取验证码的次数过多，请于 %(time)s 后再试。"),
                    code="ip_hourly_limit",
                    params={"time": _when(recent[len(recent) - limit] + HOUR)},
                )
            }
        )


def _sms_text(code: str) -> str:
    minutes = max(1, round(code_ttl().total_seconds() / 60))
    return ngettext(
        "【消防网格】您的登录验证码为 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。",
        "【消防网格】您的登录验证码为 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。",
        minutes,
    ) % {"code": code, "minutes": minutes}


def request_code(mobile: str, *, ip: str | None, purpose: str = CodePurpose.LOGIN) -> CodeRequest:
    """Ask for a sign-in code for `mobile`; it is sent by SMS only when the mobile has a portal account.

    Raises ValidationError on `mobile`: not a mobile number, several landlords share it, locked after
    wrong codes, asked too often (the message says when to try again), the SMS could not be sent.
    """
    mobile = clean_mobile(mobile)
    account = find_portal_account(mobile)
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        lock = _lock_row(mobile)
        if lock.locked_until and lock.locked_until > now:
            raise _locked_error("mobile", lock.locked_until)
        _check_rate_limits(mobile, ip, now)
        OneTimeCode.objects.filter(mobile=mobile, purpose=purpose, used_at=None, superseded_at=None).update(
            superseded_at=now
        )
        row = OneTimeCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_hash(mobile, code, purpose),
            created_at=now,
            expires_at=now + code_ttl(),
            ip=ip or None,
        )
    # Sent after the commit: a slow gateway does not hold the lock, and a code is never sent unsaved.
    if account is not None:
        try:
            send_sms(mobile, _sms_text(code))
        except Exception:
            logger.exception("Sign-in code for %s not sent", mask_mobile(mobile))
            raise ValidationError(
                {
                    "mobile": ValidationError(
                        _("短信发送失败，请稍后重试；如一直收不到验证码，请联系所在社区。"), code="sms_failed"
                    )
                }
            ) from None
        OneTimeCode.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return CodeRequest(mobile=mobile, expires_at=row.expires_at, resend_at=now + resend_interval())


def resend_wait(mobile: str) -> int:
    """Seconds before `mobile` may ask for another code (0: now); drives the page's countdown."""
    last = (
        OneTimeCode.objects.filter(mobile=normalise_mobile(mobile))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return 0
    return max(0, math.ceil((last + resend_interval() - timezone.now()).total_seconds()))


def verify_code(
    mobile: str,
    code: str,
    *,
    ip: str | None,
    request: HttpRequest | None = None,
    purpose: str = CodePurpose.LOGIN,
) -> User:
    """Check a typed code and return the account's user (created at a landlord's first sign-in).

    Raises ValidationError (on `code`, or `mobile` for the mobile's own problems) for a missing, used,
    expired or wrong code, a locked mobile, or a mobile without a single account; every failure is
    written to the login log. With `request`, the user is signed into that session (Django's login,
    whose signal writes the login log); without it, the successful sign-in is logged here.
    """
    mobile = clean_mobile(mobile)
    code = clean_code(code)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    now = timezone.now()
    failure: ValidationError | None = None
    user: User | None = None
    account: SignInAccount | None = None
    # Wrong attempts must be counted even though the answer is an error: the error is raised after
    # the transaction that stored them has committed.
    with transaction.atomic():
        lock = _lock_row(mobile)
        if lock.locked_until and lock.locked_until > now:
            failure = _locked_error("code", lock.locked_until)
        else:
            if lock.locked_until or (lock.last_failure_at and now - lock.last_failure_at > lock_duration()):
                # A lock that has run out, or mistakes long ago, do not count against this try.
                lock.failures, lock.locked_until, lock.last_failure_at = 0, None, None
            latest = (
                OneTimeCode.objects.select_for_update()
                .filter(mobile=mobile, purpose=purpose)
                .order_by("-created_at", "-id")
                .first()
            )
            if latest is None:
                failure = ValidationError({"code": ValidationError(_("请先获取验证码。"), code="no_code")})
            elif latest.used_at is not None:
                failure = ValidationError(
                    {"code": ValidationError(_("该验证码已使用过，请重新获取。"), code="used")}
                )
            elif latest.expires_at <= now:
                failure = ValidationError(
                    {"code": ValidationError(_("验证码已过期，请重新获取。"), code="expired")}
                )
            elif not constant_time_compare(latest.code_hash, _hash(mobile, code, purpose)):
                latest.attempts += 1
                latest.save(update_fields=["attempts"])
                lock.failures += 1
                lock.last_failure_at = now
                if lock.failures >= max_failures():
                    lock.locked_until = now + lock_duration()
                    failure = _locked_error("code", lock.locked_until)
                else:
                    left = max_failures() - lock.failures
                    failure = ValidationError(
                        {
                            "code": ValidationError(
                                ngettext(
                                    "验证码不正确，还可以再试 %(left)s 次。",
                                    "验证码不正确，还可以再试 %(left)s 次。",
                                    left,
                                ),
                                code="wrong",
                                params={"left": left},
                            )
                        }
                    )
            else:
                try:
                    account = find_portal_account(mobile)
                except ValidationError as exc:  # several landlords share the mobile
                    account, failure = None, exc
                if failure is None and account is None:
                    # The account was switched off or the mobile changed since the code was sent.
                    failure = ValidationError(
                        {
                            "mobile": ValidationError(
                                _("该手机号码未开通房东端登录，请联系所在社区。"), code="no_account"
                            )
                        }
                    )
                elif failure is None and account is not None:
                    user = account.ensure_user(mobile)
                    latest.used_at = now
                    latest.save(update_fields=["used_at"])
                    lock.failures, lock.last_failure_at = 0, None
        lock.save()
        if failure is None and request is not None:
            login(request, user, backend=_AUTH_BACKEND)
    if failure is not None:
        LoginRecord.objects.create(
            username=mask_mobile(mobile), success=False, ip=ip or None, user_agent=agent
        )
        raise failure
    assert user is not None  # no failure: the code matched an account, whose user it is
    if request is None:
        LoginRecord.objects.create(username=user.get_username(), user=user, success=True, ip=ip or None)
    return user
