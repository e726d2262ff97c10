"""Text messages (短信), sent through a backend chosen by the `FIREGRID_SMS_BACKEND` setting.

Groundwork for notifications (`firegrid.core.notifications`) and the portal's sign-in codes alike, so it
lives in core. Works like Django's EMAIL_BACKEND: the setting is the dotted path of a `BaseSmsBackend` subclass.

- `ConsoleBackend` (the development default) prints each message to stdout: `make run` shows the
  sign-in code in the server console.
- `FileBackend` appends one JSON line per message to `FIREGRID_SMS_FILE_PATH` (default `var/sms.log`):
  an end-to-end test, running the server in another thread or process, reads the code from it.
- `LocmemBackend` keeps the messages in `firegrid.core.sms.outbox` (tests).

A real gateway (a carrier's or a cloud provider's SMS API) is a subclass of `BaseSmsBackend` whose
`send` calls that API and raises `SmsError` when the message was not accepted.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The backend could not hand the message over (gateway down, refused, quota exhausted…)."""


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str
    time: str  # ISO 8601, when it was handed to the backend


class BaseSmsBackend:
    """Base class of SMS backends.

    Subclasses implement `send(mobile, text)`: deliver `text` to the 11-digit mainland mobile number
    `mobile` (already normalised and validated), return when the gateway has accepted it, raise
    `SmsError` when it has not. Sending happens inside the web request, so a gateway call should
    time out within a few seconds. Backends are created once per message and take no arguments;
    read credentials from settings in `__init__`.
    """

    def send(self, mobile: str, text: str) -> None:
        raise NotImplementedError("SMS backends implement send(mobile, text)")


class ConsoleBackend(BaseSmsBackend):
    """Development: prints the message where the server's output goes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, mobile: str, text: str) -> None:
        self.stream.write(f"[SMS {timezone.localtime():%H:%M:%S}] {mobile}: {text}\n")
        self.stream.flush()


_file_lock = threading.Lock()


class FileBackend(BaseSmsBackend):
    """Development and end-to-end tests: one JSON object per line, {"time", "mobile", "text"}."""

    def __init__(self, path: str | Path | None = None) -> None:
        if not path:
            path = getattr(settings, "FIREGRID_SMS_FILE_PATH", settings.DATA_DIR / "sms.log")
        self.path = Path(path or "")

    def send(self, mobile: str, text: str) -> None:
        line = json.dumps(
            {"time": timezone.now().isoformat(), "mobile": mobile, "text": text}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write per line under a lock: concurrent requests never interleave two messages.
        with _file_lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


# LocmemBackend's messages, oldest first. Tests empty it (like django.core.mail.outbox).
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    """Tests: keeps every message in `outbox`."""

    def send(self, mobile: str, text: str) -> None:
        outbox.append(SmsMessage(mobile=mobile, text=text, time=timezone.now().isoformat()))


def get_backend(path: str | None = None) -> BaseSmsBackend:
    path = path or getattr(settings, "FIREGRID_SMS_BACKEND", "")
    if not path:
        # Production has no default: printing sign-in codes into server logs is not a way to send them.
        raise SmsError("FIREGRID_SMS_BACKEND is not set: no SMS gateway is configured")
    backend: BaseSmsBackend = import_string(path)()
    return backend


def send_sms(mobile: str, text: str) -> None:
    """Send one text message through the configured backend (raises `SmsError` when it fails)."""
    get_backend().send(mobile, text)
