"""Large inserts as one prepared INSERT executed many times, on SQLite and PostgreSQL alike.

Django's `bulk_create` spends most of its time building the statement: a placeholder and a
`get_db_prep_save` call per value, per row, and on both databases an `INSERT … RETURNING id`. Here the
column list and each column's conversion are prepared once; a value is converted only when its type is not
already what the database takes, and a converted value (a JSON list, a date, a decimal) is converted once
per distinct value. Records that others point to get their ids before the insert (`reserve_ids`), so
nothing is read back.

- `insert_rows`: rows as tuples of field values (no model instances).
- `insert_objects`: unsaved instances, written as `bulk_create` writes them (auto_now / auto_now_add
  stamped — one time for the call), their ids reserved and set on them. A model whose `bulk_create`
  does more (registry's sorted records fill their sort keys) has the caller do that first.
- `update_objects`: saved instances' fields written back as one prepared `UPDATE … WHERE id = %s` run
  for every instance — what `bulk_update` writes, without the `CASE WHEN id = … THEN …` per row and field
  whose building took nearly all of a sensor ingester's flush.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000  # rows per executemany
KEPT_PER_COLUMN = 10_000  # converted values remembered per column (constant memory)

Converter = Callable[[Any], Any]
if TYPE_CHECKING:
    AnyField = models.Field[Any, Any]
else:
    AnyField = models.Field  # not subscriptable at run time
_NOTHING = object()


def _native(field: AnyField) -> tuple[type, ...]:
    """Types a field's `get_db_prep_save` hands to the driver unchanged (on every backend)."""
    if isinstance(field, models.ForeignKey):
        return _native(field.target_field)
    if isinstance(field, models.BooleanField):
        return (bool,)
    if isinstance(field, models.JSONField | models.DecimalField | models.DateField | models.UUIDField):
        return ()
    if isinstance(field, models.IntegerField):
        return (int,)
    if isinstance(field, models.CharField | models.TextField):
        return (str,)
    return ()


_STANDARD = (
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,
    models.JSONField,
    models.TextField,
    models.UUIDField,
)


def _passed(field: AnyField) -> tuple[type, ...]:
    """`_native`, and None for Django's own fields (each writes None as NULL)."""
    if isinstance(field, _STANDARD):
        return (*_native(field), type(None))
    return _native(field)


def _memo_key(value: Any) -> Any:
    """A key telling apart the values that convert differently (1 and True, 1.0 and 1.00), or None."""
    if isinstance(value, list | tuple):
        items = tuple(_memo_key(v) for v in value)
        return None if None in items else (value.__class__, items)
    if isinstance(value, dict):
        return (dict, ()) if not value else None
    if value is None:
        return (None,)
    if isinstance(value, Decimal | float):
        return value.__class__, str(value)
    try:
        hash(value)
    except TypeError:
        return None
    return value.__class__, value


def converter(field: AnyField) -> Converter:
    """The conversion of one column's values to what `get_db_prep_save` gives the driver."""
    native = _native(field)
    memo: dict[Any, Any] = {}
    last: list[Any] = [_NOTHING, None]  # the last value converted and its conversion (a call's one `now`)

    def convert(value: Any) -> Any:
        if value.__class__ in native:
            return value
        if value is last[0]:
            return last[1]
        key = _memo_key(value)
        if key is None:
            return field.get_db_prep_save(value, connection)
        if key in memo:
            return memo[key]
        if len(memo) >= KEPT_PER_COLUMN:
            memo.clear()
        memo[key] = prepared = field.get_db_prep_save(value, connection)
        if key[0] is not list and key[0] is not dict:  # a mutable value may change before the next row
            last[0], last[1] = value, prepared
        return prepared

    return convert


def _fields(model: type[models.Model], names: Sequence[str]) -> list[AnyField]:
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{model._meta.label}.{name} has no column")
        fields.append(field)
    return fields


def _statement(model: type[models.Model], fields: Sequence[AnyField]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"


def execute_many(sql: str, rows: Iterator[tuple[Any, ...]]) -> int:
    """`sql` run for every row, CHUNK rows per executemany (constant memory for any number of rows)."""
    done = 0
    with connection.cursor() as cursor:
        while True:
            chunk = [row for _n, row in zip(range(CHUNK), rows, strict=False)]
            if not chunk:
                return done
            cursor.executemany(sql, chunk)
            done += len(chunk)


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows of values of the fields `names` (an id among them when the rows are referred to), as given:
    no defaults, no auto_now. Returns the number written."""
    fields = _fields(model, names)
    return execute_many(_statement(model, fields), _prepared(fields, rows))


def _prepared(fields: Sequence[AnyField], rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    # Per value only a type test; a conversion only for what the driver does not take as it is.
    columns = [(i, _passed(f), converter(f)) for i, f in enumerate(fields)]
    for row in rows:
        values = list(row)
        for i, native, convert in columns:
            value = values[i]
            if value.__class__ not in native:
                values[i] = convert(value)
        yield tuple(values)


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` new primary keys for `model`, never given to another row.

    PostgreSQL: taken from the table's sequence in one query (other sessions' inserts take theirs from
    the same sequence). SQLite: the ones after the table's highest id ever given (`sqlite_sequence`,
    which AUTOINCREMENT keeps, so a deleted row's id is not used again); call it inside the transaction
    that inserts them — Firegrid's SQLite transactions begin IMMEDIATE, holding the write lock, so no
    other connection can insert in between."""
    if n <= 0:
        return []
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk.column, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            quote = connection.ops.quote_name
            if not connection.in_atomic_block:
                raise RuntimeError("reserve_ids on SQLite must run inside the inserting transaction")
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f"coalesce((SELECT max({quote(str(pk.column))}) FROM {quote(table)}), 0))",
                [table],
            )
            first = int(cursor.fetchone()[0]) + 1
            return list(range(first, first + n))
    raise NotImplementedError(f"reserve_ids: no way to reserve ids on {connection.vendor}")


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Unsaved instances written as `bulk_create(objects)` writes them — every concrete field; auto_now and
    auto_now_add stamped with one time for the call — with ids reserved here and set on the instances
    (which are then saved instances, as after bulk_create). Plain values only (no expressions)."""
    if not objects:
        return 0
    if model._meta.parents:
        raise ValueError(f"insert_objects: {model._meta.label} inherits a table (use bulk_create)")
    fields: list[AnyField] = list(model._meta.concrete_fields)
    now = timezone.now()
    stamped: list[AnyField] = [
        f for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    for f in stamped:
        for obj in objects:
            setattr(obj, f.attname, now)
    # Fields whose pre_save() gives the value (a date's auto_now, a file's name) rather than the attribute.
    own_pre_save = [
        f
        for f in fields
        if f not in stamped
        and type(f).pre_save is not models.Field.pre_save
        and not (isinstance(f, models.DateField) and not (f.auto_now or f.auto_now_add))
    ]
    for obj in objects:
        # bulk_create's own step: a foreign key set as an instance takes the instance's id.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        for f in own_pre_save:
            f.pre_save(obj, add=True)
    ids = reserve_ids(model, len(objects))
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
    attnames = [f.attname for f in fields]
    values = attrgetter(*attnames) if len(attnames) > 1 else (lambda obj: (getattr(obj, attnames[0]),))
    done = execute_many(_statement(model, fields), _prepared(fields, map(values, objects)))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return done


def update_objects(model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]) -> int:
    """The fields `names` of saved instances written as `bulk_update(objects, names)` writes them (the values
    as set on the instances: plain values, no expressions; no auto_now stamping). Returns the number of
    statements run (one per instance)."""
    if not objects:
        return 0
    pk = model._meta.pk
    assert pk is not None
    fields = _fields(model, names)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"
    attnames = [*(f.attname for f in fields), pk.attname]
    values = attrgetter(*attnames)
    return execute_many(sql, _prepared([*fields, pk], map(values, objects)))
