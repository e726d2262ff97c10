"""Columns of a list table: what to show for each row, shared by the HTML table and the .xlsx export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

from .masking import MASKERS


@dataclass(frozen=True)
class Column:
    """One column. `key` is a field name or a dotted path (building.address); `value` overrides it."""

    key: str
    label: str | Promise
    link: bool = False
    sort: str = ""  # the FilterSet's `sort` value for this column, if sortable
    value: Callable[[Any], Any] | None = None
    tag: bool = False  # rendered as a coloured status tag
    default: bool = True  # shown unless the user hides it in the column chooser
    # Hidden on desktops narrower than 1600 px (a 1440 px screen keeps the list's important columns in
    # view) unless the user ticks it in the column chooser; phones show it on the row's card.
    wide_only: bool = False
    truncate: bool = False  # long text (an address) cut to the column's width, whole in its tooltip

    def tag_value(self, obj: models.Model) -> str:
        """The stored value behind a tag column (e.g. `shop`), which names its colour whatever the language."""
        if not self.tag:
            return ""
        target: Any = obj
        for part in self.key.split("."):
            target = getattr(target, part, "")
        return str(target).lower()

    def get(self, obj: models.Model) -> Any:
        if self.value is not None:
            return self.value(obj)
        target: Any = obj
        parts = self.key.split(".")
        for part in parts[:-1]:
            target = getattr(target, part, None)
            if target is None:
                return ""
        name = parts[-1]
        if isinstance(target, models.Model):
            display = getattr(target, f"get_{name}_display", None)
            if display is not None:
                return display()
            if name in getattr(target, "personal_fields", ()):
                return MASKERS[name](getattr(target, name))
        value = getattr(target, name, "")
        if isinstance(value, bool):
            return gettext("是") if value else gettext("否")
        return "" if value is None else value


def enumerate_items(items: Iterable[object]) -> str:
    """甲、乙、丙 in Chinese, "a, b, c" in English."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def join_sentences(items: Iterable[object]) -> str:
    """Clauses or messages one after another: "甲；乙" in Chinese, "a; b" in English."""
    return pgettext("list separator", "；").join(str(item) for item in items)
