"""Fast bulk writes for the long-term phase (hundreds of thousands of rows in seconds).

- `insert_rows` (firegrid.core.bulk_insert): rows nobody refers to (answers, many-to-many links, grade
  changes) as one prepared INSERT executed many times: no model instances, no returned ids;
  `insert_objects` the same for
  instances others point to, with the ids given here (Django's bulk_create spent most of the phase
  building its INSERT … RETURNING statements).
- `update_rows`: one prepared UPDATE per row, executed many times — Django's `bulk_update` builds a CASE
  per field over every row and took over a minute here for a few thousand rows.
- `dated`: bulk_create keeps the `created_at` / `updated_at` the history gives (a data load dates its
  rows; `auto_now` would stamp them all "now").
Values go through each field's `get_db_prep_save`, so dates, JSON and UUIDs are written as Django writes
them, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

# One prepared INSERT run with executemany serves the ledger import and this phase alike.
from firegrid.core.bulk_insert import execute_many, insert_rows

_PLAIN = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.ForeignKey)


Converter = Callable[[Any], Any] | None


def _converter(field: Any) -> Converter:
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.DateTimeField):  # aware datetimes, as the phase makes them
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _converters(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[Converter]]:
    columns, converters = [], []
    for name in names:
        field: Any = model._meta.get_field(name)  # a concrete field: it has a column
        columns.append(connection.ops.quote_name(field.column))
        converters.append(_converter(field))
    return columns, converters


def _prepared(rows: Iterable[Sequence[Any]], converters: list[Converter]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        )


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Unsaved instances written with ids given here (the next after the table's highest), so nothing
    has to be read back; every concrete field is written as set on the instance (dates included)."""
    if not objects:
        return 0
    first = next_pk(model)
    for n, obj in enumerate(objects):
        obj.pk = first + n
        obj._state.adding = False
    fields = [f for f in model._meta.concrete_fields]
    done = insert_rows(
        model, [f.name for f in fields], ([getattr(o, f.attname) for f in fields] for o in objects)
    )
    reset_sequence(model)
    return done


def next_pk(model: type[models.Model]) -> int:
    """The first id a bulk write may give its rows (the next after the table's highest)."""
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequence(model: type[models.Model]) -> None:
    """After rows written with ids given (`"id"` among `insert_rows`' names): on PostgreSQL the identity
    sequence moves past them (SQLite takes the highest id by itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)


def update_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """`rows` are (pk, *values of `names`)."""
    pk = model._meta.pk
    assert pk is not None
    columns, converters = _converters(model, [pk.name, *names])
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{column} = %s" for column in columns[1:])
    sql = f"UPDATE {table} SET {sets} WHERE {columns[0]} = %s"
    reordered = ((*row[1:], row[0]) for row in _prepared(rows, converters))
    return execute_many(sql, reordered)


@contextlib.contextmanager
def dated(*models_: type[models.Model]) -> Iterator[None]:
    """Within: bulk_create keeps the dates set on the instances (auto_now / auto_now_add off)."""
    saved = []
    for model in models_:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
