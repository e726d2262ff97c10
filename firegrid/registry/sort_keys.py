"""The natural-order keys (`sort_key`) of buildings, premises and rooms, and the writes that keep them.

- Building: its address. Premises: its building's address, then its door label (门牌/户号), so the
  premises list of an area orders on its own column and index, without joining buildings. Room: its
  number; rooms order by their premises' key first.
- Kept by `SortedRecord.save()` and, for bulk writes, by `SortedQuerySet.bulk_create` / `bulk_update`
  (the ledger import, the demo, benchmark loaders); a changed building address rewrites its premises'
  keys; an `update()` of what a key is made of, without the key, is refused. `fill_sort_keys` fills
  every existing row (migration 0009).

Large writes go through `write_keys`: one `UPDATE … FROM (VALUES …)` per batch. Django's bulk_update
writes a CASE WHEN per row, whose cost grows with the batch (risk/services.py measured ~3.6 ms a row on
PostgreSQL), too slow for millions of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, TypeVar

from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import Record
from firegrid.core.natural import SortKeyField, natural_key
from firegrid.core.querysets import ScopedQuerySet

KEY_LENGTH = 255  # SortKeyField's max_length
# Between a premises' address part and its label part: below every character a key holds (natural_key
# turns control characters like this one into spaces), so a building's premises stay together.
SEPARATOR = "\x1f"
# The address part of a premises key is cut here to leave room for the label (only very long addresses).
ADDRESS_PART = 160
BATCH = 2000


def building_sort_key(address: str) -> str:
    return natural_key(address)[:KEY_LENGTH]


def premises_sort_key(address: str, unit_label: str) -> str:
    return f"{natural_key(address)[:ADDRESS_PART]}{SEPARATOR}{natural_key(unit_label)}"[:KEY_LENGTH]


def room_sort_key(number: str) -> str:
    return natural_key(number)[:KEY_LENGTH]


def building_addresses(premises: Sequence[Any], model: type[models.Model]) -> list[str]:
    """The address of each premises' building, in order: from the building on the instance (which may
    not be saved yet: the demo builds premises on new buildings), else read in one query (`model`: the
    Building model)."""
    buildings = [obj._state.fields_cache.get("building") for obj in premises]
    missing = {
        obj.building_id
        for obj, building in zip(premises, buildings, strict=True)
        if (building is None or "address" not in building.__dict__) and obj.building_id is not None
    }
    stored: dict[int, str] = {}
    if missing:
        rows = model._default_manager.filter(pk__in=missing).order_by().values_list("pk", "address")
        stored = dict(rows)
    return [
        building.address
        if building is not None and "address" in building.__dict__
        else stored.get(obj.building_id, "")
        for obj, building in zip(premises, buildings, strict=True)
    ]


def write_keys(model: type[models.Model], keys: Sequence[tuple[int, str]], using: str = "default") -> None:
    """Store (pk, key) pairs: one statement per BATCH rows, the same SQL on SQLite (3.33+) and PostgreSQL."""
    table = model._meta.db_table
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))  # the values go as parameters
            cursor.execute(
                f"WITH v (id, k) AS (VALUES {values}) "
                f"UPDATE {quote(table)} SET {quote('sort_key')} = v.k FROM v "
                f"WHERE {quote(table)}.{quote('id')} = v.id",
                [value for pair in batch for value in pair],
            )


def fill_sort_keys(
    building: type[models.Model],
    premises: type[models.Model],
    room: type[models.Model],
    *,
    using: str = "default",
    chunk: int = 20000,
) -> None:
    """Compute and store the key of every row, by primary-key ranges of `chunk` (memory stays flat at
    millions of rows). Takes the models as arguments: the migration passes its historical ones."""

    def ranges(model: type[models.Model]) -> Iterable[models.QuerySet[Any]]:
        rows = model._default_manager.using(using).order_by()
        bounds = rows.aggregate(low=models.Min("pk"), high=models.Max("pk"))
        if bounds["low"] is None:
            return
        for start in range(bounds["low"], bounds["high"] + 1, chunk):
            yield rows.filter(pk__gte=start, pk__lt=start + chunk)

    for rows in ranges(building):
        keys = [(pk, building_sort_key(address)) for pk, address in rows.values_list("pk", "address")]
        write_keys(building, keys, using)
    for rows in ranges(premises):
        found = rows.values_list("pk", "building__address", "unit_label")
        write_keys(premises, [(pk, premises_sort_key(a, label)) for pk, a, label in found], using)
    for rows in ranges(room):
        keys = [(pk, room_sort_key(number)) for pk, number in rows.values_list("pk", "number")]
        write_keys(room, keys, using)


_S = TypeVar("_S", bound="SortedRecord")


class SortedRecord(Record):
    """A record listed in natural order by its stored `sort_key` (firegrid.registry.sort_keys)."""

    # The fields the key is made of: a bulk write or update of any of them writes the key too.
    sort_key_sources: ClassVar[tuple[str, ...]] = ()

    sort_key = SortKeyField(_("排序键"))

    class Meta:
        abstract = True

    @classmethod
    def fill_sort_keys(cls: type[_S], objs: Iterable[_S]) -> list[_S]:
        """Set each instance's key from its fields; the instances whose key changed."""
        objs = list(objs)
        changed = []
        for obj, key in zip(objs, cls.sort_keys_of(objs), strict=True):
            if obj.__dict__.get("sort_key") != key:
                obj.sort_key = key
                changed.append(obj)
        return changed

    @classmethod
    def sort_keys_of(cls: type[_S], objs: list[_S]) -> list[str]:
        """Each instance's key, in order (all at once: a premises' key needs its building's address)."""
        raise NotImplementedError

    def save(self, *args: Any, **kwargs: Any) -> None:
        changed = bool(type(self).fill_sort_keys([self]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.sort_key_sources):
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if changed and not adding:
            type(self).sort_keys_changed([self.pk])

    @classmethod
    def sort_keys_changed(cls, pks: list[int]) -> None:
        """After these rows' keys changed: rewrite the keys made from them (a building's premises)."""


class SortedQuerySet(ScopedQuerySet[_S]):
    """Bulk writes keep `sort_key` as save() does: the ledger import and the demo load write this way."""

    def bulk_create(self, objs: Iterable[_S], *args: Any, **kwargs: Any) -> list[_S]:
        objs = list(objs)
        self.model.fill_sort_keys(objs)
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) & set(self.model.sort_key_sources):
            kwargs["update_fields"] = [*update_fields, "sort_key"]
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[_S], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs, fields = list(objs), list(fields)
        changed: list[_S] = []
        if set(fields) & set(self.model.sort_key_sources):
            changed = self.model.fill_sort_keys(objs)
            fields.append("sort_key")
        written = super().bulk_update(objs, fields, batch_size=batch_size)
        if changed:
            self.model.sort_keys_changed([obj.pk for obj in changed])
        return written

    def update(self, **kwargs: Any) -> int:
        touched = set(kwargs) & set(self.model.sort_key_sources)
        if touched and "sort_key" not in kwargs:  # bulk_update writes both
            # The key is computed in Python from the row: an UPDATE of its fields alone would leave it stale.
            raise TypeError(f"{self.model.__name__}: change {sorted(touched)} with save() or bulk_update()")
        return super().update(**kwargs)
