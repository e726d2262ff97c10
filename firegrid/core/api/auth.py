"""`POST /api/v1/auth/token/`: exchange a username and password for an API token."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token; send it as `Authorization: Token <key>`."""

    # DRF's token view, with the sign-in written to the login log like a web sign-in. A failed attempt is
    # already logged (`authenticate()` sends `user_login_failed`); a success sends no signal of its own,
    # so it is sent here (which also updates the user's last login).

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token.key})
