"""Sending messages to people: one inbox entry per (kind, key), and an SMS when a mobile is given.

Jobs call `send` as often as they like: a message already sent for the same kind and key is not sent
again, which is what makes reminder and digest jobs idempotent.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from .models import Notification
from .sms import send_sms

if TYPE_CHECKING:
    # Users belong to the areas app, above core: a type-only import, allowed by the layer contract.
    from firegrid.areas.models import User

log = logging.getLogger(__name__)


def send(
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    recipient: User | None = None,
    mobile: str = "",
    link: str = "",
) -> Notification | None:
    """Record the message and text it after the commit; None when this (kind, key) was sent before."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                key=key[:120],
                recipient=recipient,
                mobile=mobile,
                title=title[:200],
                body=body,
                link=link,
            )
    except IntegrityError:
        return None
    if mobile:
        transaction.on_commit(lambda: _text(mobile, f"{title} {body}".strip()))
    return notification


def _text(mobile: str, text: str) -> None:
    try:
        send_sms(mobile, text)
    except Exception:  # a gateway failure must not undo the job; the inbox entry stays
        log.exception("SMS to %s failed", mobile[:3])
