"""两步验证: an optional second factor (TOTP, django-otp) for the district roles.

- **Who.** Users of the district roles (`User.is_district_wide`: district commander, department officer, system
  admin) may turn it on under 我的; `FIREGRID_OTP_REQUIRED_ROLES` makes it mandatory for the roles it names
  (and offers it to them). Other roles neither see nor reach it.
- **Enrolment** (`/me/two-factor/`, `otp_setup`). A new secret is kept in the session and shown as a QR code
  (otpauth URL, SVG by segno) and as text; the device (django-otp's `TOTPDevice`) is saved, confirmed, only
  once the user types a code their authenticator app made from it. Removing it takes a current code.
- **Sign-in.** The password signs in as before (`/login/`, `/admin/login/`); the session counts as verified
  (`request.user.is_verified()`, django-otp's OTPMiddleware) only after the code at `/login/verify/`
  (`otp_verify`). Until then `core.middleware.OTPRequiredMiddleware` sends every page there (and a user whose
  role requires a device and has none, to the enrolment page).
- **Wrong codes** count toward the sign-in lockout like wrong passwords (`user_login_failed`: django-axes and
  the login log); for such a user only the right code clears the count (`core.lockout`). The device throttles
  itself as well (django-otp: 1, 2, 4 … seconds after consecutive failures), which holds against guesses
  spread over many addresses. A lockout ends the session.
- **API tokens**: `otp` in the body of `POST /api/v1/auth/token/` (`core/api/auth.py`).

A user who lost their phone: the system admin deletes the device in Django admin (TOTP devices); the user then
signs in with the password alone (or is asked to enrol again where the role requires it).
"""

from __future__ import annotations

import enum
import io
import re
import time
from base64 import b32encode
from binascii import unhexlify
from typing import TYPE_CHECKING, Any, Literal

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from rest_framework.authtoken.models import Token

from .lockout import clear_failures, is_locked, lockout_response
from .models import AuditAction
from .services import record_change

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

    from .http import AuthedHttpRequest

# The secret shown on the enrolment page, kept in the session until a code confirms it.
PENDING_KEY_SESSION_KEY = "firegrid_otp_pending_key"
DEVICE_NAME = "authenticator"

Step = Literal["verify", "enrol"]


# --- who, and what a session still owes ---------------------------------------------------------------


def otp_required(user: User | AnonymousUser) -> bool:
    """Whether the user's role must sign in with a code (`FIREGRID_OTP_REQUIRED_ROLES`)."""
    role = getattr(user, "role", "")
    return bool(role) and role in settings.FIREGRID_OTP_REQUIRED_ROLES


def otp_offered(user: User | AnonymousUser) -> bool:
    """Whether the user may turn the second factor on: the district roles, and the roles that must."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_district_wide", False)) or otp_required(user)


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device


def sign_in_device(user: User) -> TOTPDevice | None:
    """The device a sign-in must give a code from: none for a role it is not offered to (a device left from
    an earlier role is ignored, by the pages and the token endpoint alike)."""
    return confirmed_device(user) if otp_offered(user) else None


def session_verified(user: User | AnonymousUser) -> bool:
    """Whether this session gave its code (set by django-otp's OTPMiddleware on request.user)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user: User | AnonymousUser) -> Step | None:
    """What a signed-in session must do before any page: give its code (the user has a device), enrol (the
    role requires a device and there is none), or nothing. No query for users it is not offered to."""
    if not otp_offered(user) or session_verified(user):
        return None
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return "verify"
    return "enrol" if otp_required(user) else None


# --- checking a code ----------------------------------------------------------------------------------


class CodeCheck(enum.Enum):
    GOOD = "good"
    WRONG = "wrong"
    THROTTLED = "throttled"  # the device waits after consecutive failures (django-otp)
    LOCKED = "locked"  # the sign-in lockout (django-axes): this code was not even looked at, or set it


def normalise_code(raw: str) -> str:
    """'123 456' → '123456' (apps show the code in two groups)."""
    return "".join(raw.split())


def check_code(request: HttpRequest, user: User, device: TOTPDevice, code: str) -> CodeCheck:
    """Checks a code from the user's authenticator against their device. A wrong code is a failed sign-in:
    django-axes counts it (and may lock the username on this address), the login log records it."""
    username = user.get_username()
    if is_locked(request, username):
        request.axes_locked_out = True  # type: ignore[attr-defined]  # axes' flag: its middleware answers 429
        return CodeCheck.LOCKED
    with transaction.atomic():
        # Locked, like django-otp's own verify_token(): two requests cannot both use one code or slip past
        # the throttle.
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            return CodeCheck.THROTTLED
        good = device.verify_token(normalise_code(code))
    if good:
        clear_failures(request, username)
        return CodeCheck.GOOD
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return CodeCheck.LOCKED if getattr(request, "axes_locked_out", False) else CodeCheck.WRONG


def code_error(result: CodeCheck, device: TOTPDevice) -> str:
    """The message for a refused code."""
    if result is CodeCheck.THROTTLED:
        _allowed, info = device.verify_is_allowed()
        until = (info or {}).get("locked_until")
        seconds = max(1, int(until.timestamp() - time.time()) + 1) if until else 1
        return gettext("尝试过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": seconds}
    return gettext("验证码不正确或已过期。")


# --- services -----------------------------------------------------------------------------------------


def enrol_device(*, actor: User, key: str, code: str) -> TOTPDevice | None:
    """Saves the actor's authenticator, confirmed, if `code` is a current code for the secret `key` (hex);
    None if it is not. Replaces any device the actor had."""
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    try:
        token = int(normalise_code(code))
    except ValueError:
        return None
    if not totp.verify(token, tolerance=1):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        # last_t: the enrolment code cannot be used again to sign in.
        device: TOTPDevice = TOTPDevice.objects.create(
            user=actor, name=DEVICE_NAME, key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
        )
        # Never the key in the audit entry: it is the second factor itself.
        record_change(actor=actor, action=AuditAction.CREATE, obj=device, after={"name": device.name})
        # API tokens issued on the password alone end: from now on a token takes the code too.
        Token.objects.filter(user=actor).delete()
    return device


def remove_devices(*, actor: User) -> int:
    """Deletes the actor's authenticators (after the caller checked a current code)."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=actor))
        for device in devices:
            record_change(actor=actor, action=AuditAction.DELETE, obj=device, before={"name": device.name})
            device.delete()
    return len(devices)


# --- pages --------------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("请输入验证器上显示的 6 位数字。"))
        return code


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _locked_out(request: HttpRequest) -> HttpResponse:
    # The session that ran into the lock ends: the next try is a password sign-in, which the lock refuses.
    logout(request)
    return lockout_response(request)


class OTPVerifyView(View):
    """The code after the password (`otp_verify`): until it is given, the session reaches no other page."""

    template_name = "core/otp_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        self.device = None if session_verified(request.user) else sign_in_device(request.user)
        if self.device is None:
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self._page(request, CodeForm())

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        assert self.device is not None
        form = CodeForm(request.POST)
        if form.is_valid():
            result = check_code(request, request.user, self.device, form.cleaned_data["code"])
            if result is CodeCheck.LOCKED:
                return _locked_out(request)
            if result is CodeCheck.GOOD:
                otp_login(request, self.device)
                return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
            form.add_error("code", code_error(result, self.device))
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: CodeForm) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "next": _safe_next(request, "")})


def qr_svg(url: str) -> SafeString:
    """The otpauth URL as an inline SVG QR code."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, border=2, light="#fff", xmldecl=False, svgns=True
    )
    # segno writes the SVG from the QR matrix: nothing typed reaches it raw.
    return mark_safe(buffer.getvalue().decode("utf-8"))


class OTPSetupView(LoginRequiredMixin, View):
    """我的 › 两步验证 (`otp_setup`): turn the second factor on (scan, confirm with a code) or off (a code)."""

    template_name = "core/otp_setup.html"
    request: AuthedHttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not otp_offered(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self._page(request, CodeForm())

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        if request.POST.get("action") == "remove":
            return self._remove(request)
        return self._enrol(request)

    def _enrol(self, request: AuthedHttpRequest) -> HttpResponse:
        form = CodeForm(request.POST)
        key = request.session.get(PENDING_KEY_SESSION_KEY)
        if confirmed_device(request.user) is not None:
            return redirect("otp_setup")
        if form.is_valid():
            if not key:
                form.add_error("code", gettext("设置已过期，请用新的二维码重新设置。"))
            elif (
                device := enrol_device(actor=request.user, key=key, code=form.cleaned_data["code"])
            ) is None:
                form.add_error("code", gettext("验证码不正确或已过期。"))
            else:
                del request.session[PENDING_KEY_SESSION_KEY]
                otp_login(request, device)  # this session has just shown it holds the device
                messages.success(request, gettext("两步验证已开启。"))
                return redirect("pages:me")
        return self._page(request, form)

    def _remove(self, request: AuthedHttpRequest) -> HttpResponse:
        device = confirmed_device(request.user)
        if device is None:
            return redirect("otp_setup")
        form = CodeForm(request.POST)
        if otp_required(request.user):
            form.add_error(None, gettext("您的角色必须使用两步验证，不能关闭。"))
        elif form.is_valid():
            result = check_code(request, request.user, device, form.cleaned_data["code"])
            if result is CodeCheck.LOCKED:
                return _locked_out(request)
            if result is CodeCheck.GOOD:
                remove_devices(actor=request.user)
                request.session.pop(DEVICE_ID_SESSION_KEY, None)
                messages.success(request, gettext("两步验证已关闭。"))
                return redirect("pages:me")
            form.add_error("code", code_error(result, device))
        return self._page(request, form)

    def _page(self, request: AuthedHttpRequest, form: CodeForm) -> HttpResponse:
        user = request.user
        device = confirmed_device(user)
        context: dict[str, Any] = {"device": device, "form": form, "required": otp_required(user)}
        if device is None:
            key = request.session.get(PENDING_KEY_SESSION_KEY)
            if not key:
                key = request.session[PENDING_KEY_SESSION_KEY] = random_hex(20)
            secret = b32encode(unhexlify(key.encode())).decode("ascii")
            # An unsaved device only to build the otpauth URL (issuer, account, digits, period).
            context["qr"] = qr_svg(TOTPDevice(user=user, key=key).config_url)
            context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        return render(request, self.template_name, context)
