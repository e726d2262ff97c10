"""`POST /api/v1/auth/token/`: exchange a username and password for an API token; tokens that expire.

A token lives `FIREGRID_API_TOKEN_HOURS` from when it was issued (`authentication.py`), and ends earlier
when its user signs out of the web site or changes their password (`core.signals`). Sign-in goes through
django-axes like the web login: too many wrong passwords lock the username on the caller's address
(`core.lockout`). A user with a second factor (`core.otp`) also sends `otp`, the code from their authenticator
app: missing or wrong is a 400 naming the field, and a wrong code counts toward the lockout like a wrong password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from firegrid.core.api.authentication import token_expired, token_expires_at
from firegrid.core.api.parsers import PARSER_CLASSES
from firegrid.core.lockout import lockout_response
from firegrid.core.otp import (
    CodeCheck,
    check_code,
    code_error,
    confirmed_device,
    otp_required,
    sign_in_device,
)


class LockoutAuthTokenSerializer(AuthTokenSerializer):
    """DRF's username + password serializer, authenticating with Django's request so axes sees the sign-in
    (the DRF request wrapper would hide the lockout flag from axes' middleware)."""

    expires = serializers.DateTimeField(label=_("失效时间"), read_only=True)  # documents the answer
    otp = serializers.CharField(
        label=_("验证码"),
        required=False,
        write_only=True,
        max_length=20,
        help_text=_("已开启两步验证的账户必填：手机验证器 App 上的 6 位验证码。"),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        username, password = attrs.get("username"), attrs.get("password")
        if not username or not password:
            refused: dict[str, Any] = super().validate(attrs)  # raises DRF's "must include" message
            return refused
        request = self.context["request"]
        user = authenticate(
            request=getattr(request, "_request", request), username=username, password=password
        )
        if user is None:
            # DRF's own message, so both languages read as before.
            raise serializers.ValidationError(
                gettext("Unable to log in with provided credentials."), code="authorization"
            )
        device = sign_in_device(user)
        if device is not None:
            code = attrs.get("otp", "")
            if not code:
                raise serializers.ValidationError(
                    {"otp": gettext("此账户已开启两步验证：请在 otp 中填写手机验证器 App 上的 6 位验证码。")},
                    code="required",
                )
            # A wrong code is a failed sign-in (the lockout counts it); the view answers 429 once it locks.
            result = check_code(getattr(request, "_request", request), user, device, code)
            if result is not CodeCheck.GOOD:
                raise serializers.ValidationError({"otp": code_error(result, device)}, code="invalid")
        attrs["user"] = user
        return attrs


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password (and `otp`, for an account with two-step verification) for an API
    token; send it as `Authorization: Token <key>`.

    The answer is `{"token": …, "expires": …}`; a token still valid is handed out again, an expired one is
    replaced. A locked username or address answers 429 with a message.
    """

    # DRF's token view, with the sign-in written to the login log like a web sign-in. A failed attempt is
    # already logged (`authenticate()` sends `user_login_failed`); a success sends no signal of its own,
    # so it is sent here (which also updates the user's last login and clears the lockout count).

    serializer_class = LockoutAuthTokenSerializer
    # DRF's token view names its own parsers; ours refuse JSON nested too deeply with a 400 (not a 500).
    parser_classes = PARSER_CLASSES

    # DRF takes any Django response from a handler (the lockout answer is one); its stub says Response.
    def post(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request._request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if getattr(user, "must_change_password", False):
            raise exceptions.PermissionDenied(_("请先登录网页修改密码。"))
        if otp_required(user) and confirmed_device(user) is None:
            raise exceptions.PermissionDenied(_("请先登录网页开启两步验证。"))
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token.key, "expires": token_expires_at(token)})
