"""The reasons the system writes on a plan's moves (已超过整改期限 …): stored in Chinese, as the rest of the
plan's record is, whatever the language of the request or job that made the move; shown in the reader's
language by matching the stored text back to its msgid. A reason a person typed is shown as typed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop, override

PLEDGE_SIGNED = gettext_noop("房东签署承诺书")
RECHECK_FAILED = gettext_noop("复查发现隐患未整改：%(codes)s")
PAST_DEADLINE = gettext_noop("已超过整改期限 %(d)s")
LADDER = gettext_noop("逾期 %(days)s 天，按处置阶梯%(move)s")
KNOWN = (PLEDGE_SIGNED, RECHECK_FAILED, PAST_DEADLINE, LADDER)


def written(msgid: str, **params: Any) -> str:
    """The reason as stored: Chinese. Parameters may be lazy labels (a move's name): they are Chinese too."""
    with override(settings.LANGUAGE_CODE):
        return msgid % {name: str(value) for name, value in params.items()} if params else msgid


@cache
def _pattern(msgid: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", msgid)
    # re.split keeps the names at odd positions: literal, name, literal, name, …
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    )


def shown(reason: str) -> str:
    """A stored reason in the active language: a known one translated (its parameters too, where they are
    labels such as a move's name), any other as written."""
    for msgid in KNOWN:
        match = _pattern(msgid).fullmatch(reason)
        if match is not None:
            params = {name: gettext(value) for name, value in match.groupdict().items()}
            return gettext(msgid) % params if params else gettext(msgid)
    return reason
