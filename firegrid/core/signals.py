"""The login log. Django reports sign-ins only through these signals, so this is where they are caught."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import LoginRecord


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    # Behind a proxy the deployment sets REMOTE_ADDR properly (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    ip, agent = _client(request)
    LoginRecord.objects.create(username=user.get_username(), user=user, success=True, ip=ip, user_agent=agent)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    ip, agent = _client(request)
    LoginRecord.objects.create(
        username=str(credentials.get("username", ""))[:150], success=False, ip=ip, user_agent=agent
    )
