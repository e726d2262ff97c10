"""The models' own checks of a ledger's records, as `Model.full_clean` makes them, at ledger speed.

`full_clean` runs every field's `clean()` (to_python, choices, null/blank, max_length, validators) on
every record. A ledger repeats its values row after row (the grid, the kind, 是/否, a building's floors),
and a field's `clean()` of a plain value depends on nothing but the value, so each field's result (the
cleaned value or its errors) is remembered per distinct value. Foreign keys and values that are not plain
(JSON lists and dicts) are cleaned every time, as `full_clean` does. The model's cross-field `clean()`
runs on every record, unchanged. Errors are the fields' own `ValidationError`s in the same order, so the
messages and the fields they name are exactly `full_clean`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault

# Values per field remembered at most (constant memory: unique values such as addresses and ID numbers
# would otherwise fill it with a ledger's whole column; the repeated ones come back at once).
KEPT_PER_FIELD = 20_000
# Types whose `clean()` result depends on the value alone (and that are hashable and immutable).
_PLAIN = (str, int, bool, Decimal, float, dt.date)

_SAME = object()  # remembered for a value its field's clean() returns unchanged
_Result = tuple[Any, list[ValidationError] | None]


def _plain_text_length(f: Any) -> int:
    """A CharField whose only rule is its max_length: its max_length (the values an address or a name
    column holds are unique, not worth remembering); -1 for any other field."""
    if (
        f.__class__ is models.CharField
        and not f.choices
        and f.max_length is not None
        and all(isinstance(v, MaxLengthValidator) for v in f.validators)
    ):
        return int(f.max_length)
    return -1


def _key(value: Any) -> tuple[type, Any] | None:
    kind = value.__class__
    if kind not in _PLAIN:
        return None
    if kind is Decimal or kind is float:
        # Equal but differently written (1.0, 1.00) are the same key otherwise, while DecimalValidator
        # counts their digits differently.
        return kind, str(value)
    return kind, value


class FieldChecks:
    """Field checks of one import run, remembered per model field and value."""

    def __init__(self) -> None:
        self._plans: dict[tuple[type[models.Model], frozenset[str]], list[tuple[Any, dict | None, int]]] = {}
        self._memo: dict[Any, dict[tuple[type, Any], _Result]] = {}

    def _plan(self, model: type[models.Model], exclude: frozenset[str]) -> list[tuple[Any, dict | None, int]]:
        plan = self._plans.get((model, exclude))
        if plan is None:
            plan = []
            for f in model._meta.fields:
                if f.name in exclude or f.generated:
                    continue
                # A relation's validate() asks the database (and depends on the instance): never remembered.
                memo = None if f.is_relation else self._memo.setdefault(f, {})
                plan.append((f, memo, _plain_text_length(f)))
            self._plans[(model, exclude)] = plan
        return plan

    def clean_fields(self, obj: models.Model, exclude: Iterable[str]) -> dict[str, list[ValidationError]]:
        """`Model.clean_fields(exclude)`: cleaned values set on `obj`; the errors by field name."""
        errors: dict[str, list[ValidationError]] = {}
        for f, memo, max_length in self._plan(obj.__class__, frozenset(exclude)):
            raw = getattr(obj, f.attname)
            if raw.__class__ is str and raw and len(raw) <= max_length:
                continue  # a plain text field's clean() passes such a value as it is
            if f.blank and raw in f.empty_values:
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            key = None if memo is None else _key(raw)
            if key is None:
                try:
                    setattr(obj, f.attname, f.clean(raw, obj))
                except ValidationError as e:
                    errors[f.name] = e.error_list
                continue
            hit = memo.get(key)  # type: ignore[union-attr]
            if hit is None:
                try:
                    cleaned = f.clean(raw, obj)
                    # The value as given (the usual case) need not be set again on later records.
                    same = cleaned.__class__ is raw.__class__ and cleaned == raw
                    hit = (_SAME if same else cleaned, None)
                except ValidationError as e:
                    hit = (None, e.error_list)
                if len(memo) >= KEPT_PER_FIELD:  # type: ignore[arg-type]
                    memo.clear()  # type: ignore[union-attr]
                memo[key] = hit  # type: ignore[index]
            cleaned, failed = hit
            if failed is not None:
                errors[f.name] = list(failed)
            elif cleaned is not _SAME:
                setattr(obj, f.attname, cleaned)
        return errors

    def full_clean(self, obj: models.Model, exclude: Iterable[str]) -> None:
        """`obj.full_clean(exclude, validate_unique=False, validate_constraints=False)`."""
        errors = self.clean_fields(obj, exclude)
        try:
            obj.clean()
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check(self, obj: models.Model, exclude: Iterable[str], *, clean: bool = True) -> None:
        """Raise what `full_clean` (or, without `clean`, `clean_fields`) would raise."""
        if clean:
            self.full_clean(obj, exclude)
            return
        errors = self.clean_fields(obj, exclude)
        if errors:
            raise ValidationError(errors)
