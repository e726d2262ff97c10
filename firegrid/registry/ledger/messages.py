"""Messages a ledger job keeps (row problems, notes, why it failed), stored without a language.

A job runs in the background and its report is read later, by whoever opens it, in the language they
chose — so a message is kept as its msgid and parameters (`{"msgid": …, "params": {…}}`, JSON) and
translated only when a page or the .xlsx problem report shows it.

- Modules whose messages end up in a report import `deferred as _`: `_("…%(row)s…") % {"row": 3}` then
  builds a `Message` instead of a translated string (makemessages still finds the msgids).
- Lazy strings (field labels, model names, Django's own validation messages) are kept by their msgid,
  read from the lazy object's pickle form (`__reduce__`).
- Anything else is kept as text. The runner works with translation deactivated (`translation.override(
  None)`), so text without parameters from elsewhere is a msgid too and still translates when shown.
  Reports stored before this module existed hold plain text: shown as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext

from firegrid.core.tables import enumerate_items

Spec = dict[str, Any] | str


class Message:
    """A message not translated yet: its msgid (with a context or plural form if it has one) and
    parameters. `str()` translates it into the active language."""

    __slots__ = ("spec",)

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec

    def __mod__(self, params: dict[str, Any]) -> Message:
        return Message({**self.spec, "params": {key: encode(value) for key, value in params.items()}})

    def __str__(self) -> str:
        return render(self.spec)

    def __repr__(self) -> str:
        return f"Message({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(json.dumps(self.spec, sort_keys=True, ensure_ascii=False))


# What a problem or a note may say: plain text, a lazy translation, or a Message.
Text = str | Promise | Message


def deferred(msgid: str) -> Message:
    """`_` for messages a job stores: translated when shown, not when made."""
    return Message({"msgid": msgid})


def _lazy_spec(value: Promise) -> dict[str, Any] | None:
    """The msgid behind a lazy translation (gettext_lazy, pgettext_lazy, ngettext_lazy), if it is one."""
    try:
        _unpickle, args = value.__reduce__()[:2]
    except (TypeError, AttributeError):
        return None
    func = args[0] if args else None
    if func is gettext and len(args) >= 2 and len(args[1]) == 1:
        return {"msgid": args[1][0]}
    if func is pgettext and len(args) >= 2 and len(args[1]) == 2:
        return {"msgid": args[1][1], "context": args[1][0]}
    if func is ngettext and len(args) >= 4 and isinstance(args[3], dict) and "singular" in args[3]:
        # lazy_number(ngettext, str, number, singular=…, plural=…): number is a key of the params or an int
        return {"msgid": args[3]["singular"], "plural": args[3]["plural"], "number": args[2]}
    return None


def encode(value: Any) -> Any:
    """A message or a message parameter as JSON: messages and lazy strings by msgid, values as they are."""
    if isinstance(value, Message):
        return value.spec
    if isinstance(value, Promise):
        spec = _lazy_spec(value)
        return spec if spec is not None else str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return {"items": [encode(v) for v in value]}
    if isinstance(value, Decimal | dt.date | dt.time):
        return str(value)
    return str(value)


def encode_message(message: Any) -> dict[str, Any]:
    """A message to store: a spec, or plain text (kept as a msgid: it translates if it is one)."""
    encoded = encode(message)
    if isinstance(encoded, str):
        return {"msgid": encoded}
    if isinstance(encoded, dict) and "msgid" in encoded:
        return encoded  # a Message or a lazy string
    return {"msgid": str(message)}


def from_validation_error(error: ValidationError) -> dict[str, Any]:
    """One error of a model's full_clean: its message (lazy, so its msgid) and its parameters."""
    message = encode_message(error.message)
    if error.params and isinstance(message, dict):
        message = {**message, "params": {key: encode(value) for key, value in error.params.items()}}
    return message


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        if "items" in value and "msgid" not in value:
            return enumerate_items(str(_param(v)) for v in value["items"])
        return render(value)
    return value


def render(spec: Spec | None) -> str:
    """A stored message in the active language (plain text from older reports as it is)."""
    if spec is None:
        return ""
    if not isinstance(spec, dict):
        return str(spec)
    params = {key: _param(value) for key, value in (spec.get("params") or {}).items()}
    msgid = spec.get("msgid", "")
    if "plural" in spec:
        number = spec.get("number")
        count = params.get(number, 0) if isinstance(number, str) else number
        text = ngettext(msgid, spec["plural"], count if isinstance(count, int) else 0)
    elif "context" in spec:
        text = pgettext(spec["context"], msgid)
    else:
        text = gettext(msgid) if msgid else ""
    if params:
        try:
            text %= params
        except (KeyError, TypeError, ValueError):
            # A translation that lost a placeholder must not hide the problem: the msgid's own wording.
            try:
                text = msgid % params
            except (KeyError, TypeError, ValueError):
                text = msgid
    return text


# --- a job's notes and failure (ImportJob.message: one text field) -----------------------------------------

_LINES = "firegrid.messages.v1"


def encode_lines(messages: list[Any]) -> str:
    """Notes to store in the job's text field: JSON, so each stays a msgid with parameters."""
    if not messages:
        return ""
    return json.dumps({_LINES: [encode_message(m) for m in messages]}, ensure_ascii=False)


def render_lines(text: str) -> list[str]:
    """The stored notes in the active language; plain text (older jobs) line by line."""
    if not text:
        return []
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get(_LINES), list):
            return [render(spec) for spec in data[_LINES]]
    return [line for line in text.splitlines() if line]
