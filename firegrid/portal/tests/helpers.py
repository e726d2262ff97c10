"""Small helpers of the portal tests."""

from __future__ import annotations

import datetime as dt
import re

from firegrid.core import sms

# A fixed moment (09:00 in Shanghai) so unlock and retry times are predictable.
T0 = dt.datetime(2019, 10, 8, 1, 0, tzinfo=dt.UTC)


def last_code(mobile: str) -> str:
    """The code in the latest SMS sent to `mobile`."""
    texts = [m.text for m in sms.outbox if m.mobile == mobile]
    assert texts, f"no SMS sent to {mobile}"
    return re.search(r"\d{6}", texts[-1]).group()


def wrong(code: str) -> str:
    """A code that differs from `code` in every digit."""
    return "".join(str((int(d) + 1) % 10) for d in code)


def error_codes(exc) -> dict[str, list[str]]:
    """{field: [error code, …]} of a ValidationError raised by the services."""
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def message(exc, field: str) -> str:
    return " ".join(exc.message_dict[field])
