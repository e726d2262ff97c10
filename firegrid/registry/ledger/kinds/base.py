"""What every kind of ledger row shares: natural-key lookups, model checks, the upsert and the bulk writes."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.db.models import Exists, OuterRef
from django.utils import timezone

from firegrid.core.models import Record
from firegrid.core.permissions import Action
from firegrid.core.querysets import ScopedQuerySet

from ..books import (
    BATCH,
    create_all,
    same,
    touch,
)
from ..importer import ImportAborted, ImportContext, Row
from ..messages import Message
from ..messages import deferred as _  # stored by the job, translated when shown

PREMISES_ATTRS = (
    "kind",
    "is_shared_rental",
    "floor_from",
    "floor_to",
    "floor_area_m2",
    "status",
    "business_name",
    "to_verify",
    "ledger_extra",
)
ROOM_ATTRS = ("area_m2", "use", "occupants", "has_window")
TENANT_ATTRS = ("head_name", "mobile", "people", "moved_out")

R = TypeVar("R", bound=Record)


# --- the importers, one per kind ---------------------------------------------------------------------------


class KindImporter:
    models: tuple[type[Record], ...] = ()
    primary: type[Record]
    # Columns a row must fill when it creates its primary record.
    required_new: tuple[str, ...] = ()

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.seen: dict[Any, int] = {}  # natural key → first row in the file
        self.written: list[int] = []  # primary keys created or updated (scope re-check)

    def process(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def first_time(self, row: Row, key: Any, column: str, message: Message, shown: str) -> bool:
        """False (and an error on the row) when the file already had this natural key: the message names
        the key that collided (`shown`, as the ledger wrote it) and the first row that had it."""
        first = self.seen.get(key)
        if first is not None:
            self.ctx.error(row, column, message % {"row": first, "key": shown})
            return False
        self.seen[key] = row.number
        return True

    def located(self, row: Row, *, grid_required: bool = True) -> bool:
        """The row names a grid in scope and an address."""
        self.ctx.resolve_grid(row, required=grid_required)
        if "building.address" not in row.values and "building.address" not in row.bad:
            self.ctx.error(row, "building.address", _("必须填写%(field)s。") % {"field": _("地址")})
            return False
        return row.grid is not None and "building.address" in row.values

    def upsert(
        self,
        existing: R | None,
        candidate: R,
        row: Row,
        attrs: tuple[str, ...],
        target: str,
        extra: tuple[str, ...] = (),
    ) -> tuple[R | None, str]:
        """Classify a checked row: new (create), changed (update the stored record), or equal; (None, "")
        for a row with an error."""
        if existing is None:
            if row.ok:
                self.ctx.tally.add(target, "created")
                return candidate, "created"
            return None, ""
        changes = [a for a in (*attrs, *extra) if not same(getattr(existing, a), getattr(candidate, a))]
        if not row.ok:
            return None, ""
        if not changes:
            self.ctx.tally.add(target, "unchanged")
            return existing, "unchanged"
        for attr in changes:
            setattr(existing, attr, getattr(candidate, attr))
        self.ctx.tally.add(target, "updated")
        return existing, "updated"

    def save(self, create: Sequence[Record], update: Sequence[Record], fields: list[str]) -> None:
        if not self.ctx.writing:
            return
        manager = self.primary._default_manager  # its one manager, `objects`
        create_all(self.primary, list(create))
        now = timezone.now()
        for obj in update:
            touch(obj, now)  # each record is one row's (`first_time`): its version goes up once
        if update:
            manager.bulk_update(update, [*fields, "version", "updated_at"], batch_size=BATCH)
        self.written.extend(obj.pk for obj in itertools.chain(create, update))

    def check_scope(self) -> None:
        """After writing, inside the transaction: every written record is in the actor's scope.
        (Asked as "written and not visible", which both databases answer by primary key; "visible and
        written" made SQLite probe every row of the grid for every written key.)"""
        # Every model a ledger writes is scoped: its manager (`objects`) is a ScopedQuerySet's.
        rows = cast(ScopedQuerySet, self.primary._default_manager.all())
        visible = rows.visible_to(self.ctx.actor, Action.ADD)
        for start in range(0, len(self.written), 5000):
            pks = self.written[start : start + 5000]
            outside = rows.filter(pk__in=pks).exclude(Exists(visible.filter(pk=OuterRef("pk"))))
            if outside.exists():
                self.ctx.error(0, None, _("导入后有记录不在您的管辖范围内，已全部撤销。"))
                raise ImportAborted
