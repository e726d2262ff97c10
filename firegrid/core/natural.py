"""Natural order (1号, 2号, 10号; 2-1, 2-10): a text turned into a key that sorts as people read it.

The key is stored beside the text (`SortKeyField`) rather than computed in the query, so a list ordered
by it walks an index, and SQLite and PostgreSQL give the same order: natural order cannot be written as
an index expression both databases share, and PostgreSQL's locale collations rank punctuation
differently from SQLite. The field compares bytes on both (`COLLATE "C"` on PostgreSQL, SQLite's
default BINARY), which for UTF-8 is the order of Python's `str` comparison of the keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.db import models

# Digit runs are zero-padded to this width: house and room numbers stay well below a million.
WIDTH = 6
# A longer run is written as this marker, its length (three digits) and the digits: the marker sorts
# after every digit, so any longer number follows every shorter one, and equal lengths compare digit by
# digit. Runs this long are rare (a long number in a free-text address), yet order still holds.
LONG_RUN = ":"
_DIGITS = re.compile(r"[0-9]+")


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0") or "0"
    if len(digits) <= WIDTH:
        return digits.zfill(WIDTH)
    return f"{LONG_RUN}{len(digits):03d}{digits}"


@lru_cache(maxsize=8192)  # room numbers and unit labels repeat: 101, 2单元301, 厨房
def natural_key(text: str) -> str:
    """The sort key of `text`: full-width forms folded (NFKC: １０号 → 10号, Ａ座 → A座), runs of white
    space made one space, and every run of digits zero-padded to WIDTH, so that 1号 < 2号 < 10号 and
    2-1 < 2-2 < 2-10 < 10-1. Leading zeros do not count (01 and 1 give the same key). Chinese numerals
    (三单元, 十里丰) are left as they are: they also spell place names, which must not move."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    return _DIGITS.sub(_number, text)


class SortKeyField(models.CharField):  # type: ignore[type-arg]  # not subscriptable at run time
    """A stored natural-order key (see the module docstring); filled by its model, never by a person.

    Always byte order: `COLLATE "C"` on PostgreSQL (a database created with a language locale would
    otherwise ignore punctuation and spaces when comparing), SQLite's default elsewhere. The collation
    is the database's concern only, so migrations stay the same for both databases.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
