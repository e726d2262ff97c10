"""The API's JSON parser: deep nesting is refused with a clear 400, never a 500.

Python's json module recurses once per nesting level, so `[[[[…]]]]` a few thousand deep raised
RecursionError: a 500, even for an anonymous caller of the token sign-in. The nesting is measured first,
without recursion. (The body's size is Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF applies when it
reads a JSON or form body; the refusal is a 413 with a message: `firegrid.core.api.errors`.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# Nesting deeper than this is refused. Firegrid's deepest request body (checklist answers: an object of
# objects of lists) nests 4 levels; 32 leaves room for any honest client.
MAX_JSON_DEPTH = 32

# A JSON string, quotes and escapes included: brackets inside strings nest nothing.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without recursion.

    Strings are taken out first (regular expressions, run in C), so only the brackets are walked in
    Python. An unterminated string leaves its brackets in; the json module refuses such a text anyway.
    """
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class LimitedJSONParser(parsers.JSONParser):
    """DRF's JSONParser, refusing nesting deeper than MAX_JSON_DEPTH (400, in the caller's language)."""

    max_depth = MAX_JSON_DEPTH

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = stream.read().decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(
                gettext("请求内容不是 %(encoding)s 编码的文本。") % {"encoding": encoding}
            ) from exc
        too_deep = gettext("JSON 嵌套超过 %(depth)s 层，请求未处理。") % {"depth": self.max_depth}
        if json_depth(text) > self.max_depth:
            raise ParseError(too_deep)
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError as exc:  # not reached after the depth check; the last guard against a 500
            raise ParseError(too_deep) from exc
        except ValueError as exc:
            raise ParseError(gettext("JSON 格式错误：%(error)s") % {"error": exc}) from exc


# REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"], and views that list their own (the token sign-in).
PARSER_CLASSES = (LimitedJSONParser, parsers.FormParser, parsers.MultiPartParser)
