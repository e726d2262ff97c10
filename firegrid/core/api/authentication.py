"""API tokens that expire: `Authorization: Token <key>`, valid FIREGRID_API_TOKEN_HOURS after issue.

Kept apart from the token view (`auth.py`): DRF imports its authentication classes while `rest_framework.views`
is still loading, so this module must not import any view.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User


def token_expires_at(token: Token) -> datetime:
    created: datetime = token.created
    return created + timedelta(hours=settings.FIREGRID_API_TOKEN_HOURS)


def token_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing with 401 a token older than FIREGRID_API_TOKEN_HOURS (and
    deleting it). A user who must change their password first (`must_change_password`) is refused too:
    the web site sends them to the change page, the API cannot. So is a user whose role requires a second
    factor (FIREGRID_OTP_REQUIRED_ROLES) and who has none."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user: User
        token: Token
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        if getattr(user, "must_change_password", False):
            raise exceptions.AuthenticationFailed(_("请先登录网页修改密码。"))
        # A role made to need a second factor after the token was issued: no token works until they enrol.
        from firegrid.core.otp import confirmed_device, otp_required

        if otp_required(user) and confirmed_device(user) is None:
            raise exceptions.AuthenticationFailed(_("请先开启两步验证。"))
        return user, token
