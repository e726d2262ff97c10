#!/usr/bin/env python
"""Hazards for the benchmark: a district mid-campaign, on top of `firegrid demo --scale K`.

    bench/hazards.py [--per-premises 1.5] [--surveyed 0.8] [--seed N]

Most premises (`--surveyed`, default 80 %) get one submitted survey inspection; the hazards it found are
spread so that the district holds `--per-premises` hazards per premises in all (1.5 at scale 600 is
≈ 3 M hazards on 2 M premises). Each hazard is an item that applies to its premises' kind, with the
item's severity and deadline, found within the past year, in a status mix of a campaign under way
(most to fix, some awaiting acceptance, some removed, a few void).

A data load, not user actions: rows are written directly (COPY on PostgreSQL, batched INSERTs on
SQLite), without audit entries, answers or photos (the hazard list reads none of them), as the demo
loads the registry. Deterministic for a seed. Run by bench/run.py as a child process (its own time and
peak memory); its inspections carry the note `bench/hazards.py`, and it refuses to load twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_PER_PREMISES = 1.5
DEFAULT_SURVEYED = 0.8
DEFAULT_SEED = 2019
CHUNK = 20_000  # premises read per round trip
SQLITE_BATCH = 500  # rows per INSERT on SQLite (its parameter limit)

# Status mix of hazards found during the past year (weights).
STATUS_WEIGHTS = {
    "open": 45,
    "in_rectification": 15,
    "awaiting_acceptance": 10,
    "fixed_on_spot": 8,
    "accepted": 17,
    "void": 5,
}
CLOSED = {"fixed_on_spot", "accepted", "void"}
DAYS = 365
NOTE = "bench/hazards.py"  # on every inspection it loads: how a second load is refused
# An inspection row as written here (and by bench/longterm_data.py): every column of the model, in order.
INSPECTION_COLUMNS = [
    "id", "version", "created_at", "updated_at", "premises_id", "building_id", "kind", "template_id",
    "status", "outcome", "started_at", "submitted_at", "latitude", "longitude", "client_uuid",
    "return_visit_due", "answered_at", "note",
]  # fmt: skip


def _items_by_kind(template) -> dict[tuple[str, bool], list[Any]]:
    """(premises kind, shared rental) → the template's items that may become hazards there."""
    from firegrid.inspections.choices import NOT_A_HAZARD
    from firegrid.registry.choices import PremisesKind

    class _Premises:  # what applies_to_premises reads
        def __init__(self, kind: str, shared: bool):
            self.kind, self.is_shared_rental = kind, shared

    items = [i for i in template.items.all() if i.severity not in NOT_A_HAZARD]
    return {
        (kind, shared): [i for i in items if i.applies_to_premises(_Premises(kind, shared))]
        for kind in PremisesKind.values
        for shared in (False, True)
    }


class Writer:
    """Rows into one table: COPY on PostgreSQL, batched INSERTs elsewhere (values made storable first)."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection

        self.connection = connection
        self.table = model._meta.db_table
        self.columns = columns
        self.postgres = connection.vendor == "postgresql"
        self.rows: list[tuple] = []
        self.written = 0
        self._copy = None
        if self.postgres:
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            self._cursor = connection.connection.cursor()
            self._copy_cm = self._cursor.copy(
                f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN"
            )
            self._copy = self._copy_cm.__enter__()
        else:
            marks = ", ".join(["%s"] * len(columns))
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            self._sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})"

    def add(self, row: tuple) -> None:
        self.written += 1
        if self._copy is not None:
            self._copy.write_row(row)
            return
        self.rows.append(tuple(_sqlite_value(v) for v in row))
        if len(self.rows) >= SQLITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(self._sql, self.rows)
            self.rows = []

    def close(self) -> None:
        if self._copy is not None:
            self._copy_cm.__exit__(None, None, None)
            self._cursor.close()
            self._copy = None
        self.flush()


def _sqlite_value(value):
    """What Django itself stores in SQLite: UTC datetimes without zone, dates in ISO, UUIDs as hex."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def premises_chunks(premises, *columns: str):
    """`premises` as rows (pk, *columns) in chunks of CHUNK, in id order (id ranges, no OFFSET)."""
    last = 0
    while True:
        chunk = list(premises.filter(pk__gt=last).order_by("pk").values_list("pk", *columns)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequence(model) -> None:
    """After explicit ids: the next id the database hands out follows them (PostgreSQL only)."""
    from django.core.management.color import no_style
    from django.db import connection

    sql = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def load_hazards(
    *,
    per_premises: float = DEFAULT_PER_PREMISES,
    surveyed: float = DEFAULT_SURVEYED,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Write the inspections and hazards; returns what was written."""
    from django.db import transaction
    from django.utils import timezone

    from firegrid.inspections.models import Hazard, Inspection
    from firegrid.inspections.services import default_template
    from firegrid.registry.models import Premises

    if not 0 < surveyed <= 1 or per_premises < 0:
        raise SystemExit("bench/hazards.py: --surveyed must be in (0, 1] and --per-premises >= 0")
    if Inspection.objects.filter(note=NOTE).exists():
        raise SystemExit("bench/hazards.py: this database already holds the bench hazards; load a fresh one")
    template = default_template()
    items = _items_by_kind(template)
    rng = random.Random(seed)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    # Hazards per surveyed premises, spread evenly (1 and 2 at the default) so the total is exact.
    rate = per_premises / surveyed
    inspection_cols = INSPECTION_COLUMNS
    hazard_cols = [
        "id", "version", "created_at", "updated_at", "premises_id", "building_id", "item_id", "inspection_id",
        "answer_id", "severity", "status", "found_at", "deadline", "closed_at", "closed_by_id", "void_reason",
    ]  # fmt: skip
    _check_columns(Inspection, inspection_cols)
    _check_columns(Hazard, hazard_cols)
    inspection_id, hazard_id = _next_id(Inspection), _next_id(Hazard)
    premises_total = inspections = hazards = 0
    carried = 0.0
    started = time.perf_counter()
    with transaction.atomic():
        for chunk in premises_chunks(Premises.objects.all(), "building_id", "kind", "is_shared_rental"):
            premises_total += len(chunk)
            # One COPY at a time per connection: a chunk's inspections, then the hazards they found.
            to_inspections = Writer(Inspection, inspection_cols)
            found_rows: list[tuple] = []
            for pk, building_id, kind, shared in chunk:
                if rng.random() >= surveyed:
                    continue
                found = now - dt.timedelta(seconds=rng.randrange(DAYS * 86400))
                to_inspections.add(
                    (inspection_id, 2, found, found, pk, building_id, "survey", template.pk, "submitted",
                     "inspected", found - dt.timedelta(minutes=20), found, None, None,
                     uuid.UUID(int=rng.getrandbits(128), version=4), None, None, NOTE)
                )  # fmt: skip
                carried += rate
                n = int(carried)
                carried -= n
                choices = items.get((kind, bool(shared))) or []
                for item in rng.sample(choices, min(n, len(choices))):
                    status = rng.choices(statuses, weights)[0]
                    deadline = None
                    if status != "fixed_on_spot" and item.default_deadline_days is not None:
                        deadline = timezone.localdate(found) + dt.timedelta(days=item.default_deadline_days)
                    closed_at = None
                    if status in CLOSED:
                        closed_at = min(now, found + dt.timedelta(days=rng.randrange(0, 30)))
                    closed_by = inspection_id if status in {"fixed_on_spot", "accepted"} else None
                    found_rows.append(
                        (hazard_id, 1, found, found, pk, building_id, item.pk, inspection_id, None,
                         item.severity, status, found, deadline, closed_at, closed_by,
                         "误录" if status == "void" else "")
                    )  # fmt: skip
                    hazard_id += 1
                inspection_id += 1
            to_inspections.close()
            to_hazards = Writer(Hazard, hazard_cols)
            for row in found_rows:
                to_hazards.add(row)
            to_hazards.close()
            inspections += to_inspections.written
            hazards += to_hazards.written
        _reset_sequence(Inspection)
        _reset_sequence(Hazard)
    return {
        "premises": premises_total,
        "inspections": inspections,
        "hazards": hazards,
        "per_premises": round(hazards / premises_total, 3) if premises_total else 0,
        "seconds": round(time.perf_counter() - started, 2),
        "today": today.isoformat(),
    }


def _check_columns(model, columns: list[str]) -> None:
    """The row layout must match the model exactly: a new field would otherwise be left out silently."""
    concrete = {f.column for f in model._meta.concrete_fields}
    if concrete != set(columns):
        raise SystemExit(
            f"bench: {model._meta.label} columns changed: missing {sorted(concrete - set(columns))}, "
            f"unknown {sorted(set(columns) - concrete)} — update the row layout"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--per-premises", type=float, default=DEFAULT_PER_PREMISES)
    p.add_argument("--surveyed", type=float, default=DEFAULT_SURVEYED)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()
    result = load_hazards(per_premises=args.per_premises, surveyed=args.surveyed, seed=args.seed)
    print(
        f"bench/hazards.py: {result['hazards']:,} hazards from {result['inspections']:,} inspections "
        f"on {result['premises']:,} premises ({result['per_premises']} per premises) in {result['seconds']} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
