"""The nightly grade recomputation against one SQL pass over the same facts (bench/longterm.py's second part).

`recompute_grades(Premises.objects.all(), cause=NIGHTLY)`, as the 00:30 job runs it, is timed with what it
wrote and its SQL statements; the SQL pass computes the facts `risk.facts.gather_facts` reads with one
statement per fact group over all premises (GROUP BY, no chunks, no Python per row), fetched through a
server-side cursor on PostgreSQL and discarded: the least any recomputation must do.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

FETCH = 10_000  # rows per fetch in the SQL pass


def fact_queries(on: dt.date) -> dict[str, Any]:
    """The facts `risk.facts.gather_facts` reads, each fact group as one statement over all premises (no
    chunks, no id lists), plus the stored grades the recomputation compares with."""
    from django.db.models import Count, Max, Q, Sum
    from django.db.models.functions import Coalesce

    from firegrid.inspections.choices import COVERING_OUTCOMES, OPEN_STATUSES, InspectionStatus
    from firegrid.inspections.models import Hazard, Inspection
    from firegrid.registry.choices import PremisesStatus, RoomUse
    from firegrid.registry.models import Premises, Room, TenantHousehold
    from firegrid.risk.models import PremisesGrade
    from firegrid.risk.services import GRADE_FIELDS

    sleeping = Q(use=RoomUse.SLEEPING)
    covering = Inspection.objects.filter(
        premises__isnull=False, status=InspectionStatus.SUBMITTED, outcome__in=COVERING_OUTCOMES
    )
    return {
        "premises": Premises.objects.exclude(status=PremisesStatus.DEMOLISHED)
        .order_by()
        .values_list("pk", "kind", "is_shared_rental", "floor_area_m2"),
        "open_hazards": Hazard.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("premises_id", "severity")
        .annotate(n=Count("id")),
        "tenant_households": TenantHousehold.objects.current(on)
        .order_by()
        .values_list("premises_id")
        .annotate(people=Sum("people")),
        "rooms": Room.objects.order_by()
        .values_list("premises_id")
        .annotate(
            sleeping=Count("id", filter=sleeping),
            area=Sum("area_m2", filter=sleeping),
            occupants=Sum("occupants"),
        ),
        "last_covering_inspection": covering.order_by()
        .values_list("premises_id")
        .annotate(last=Max(Coalesce("submitted_at", "started_at"))),
        "stored_grades": PremisesGrade.objects.order_by().values_list("premises_id", *GRADE_FIELDS),
    }


def sql_pass(on: dt.date) -> dict[str, Any]:
    """Every fact group's statement, its rows fetched (server-side cursor on PostgreSQL) and discarded."""
    from django.db import connection, transaction

    groups: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with transaction.atomic():  # a server-side cursor lives in a transaction
        for name, qs in fact_queries(on).items():
            sql, params = qs.query.sql_with_params()
            t0, rows = time.perf_counter(), 0
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql, params)
                while batch := cursor.fetchmany(FETCH):
                    rows += len(batch)
            groups[name] = {"rows": rows, "seconds": round(time.perf_counter() - t0, 3)}
    return {"seconds": time.perf_counter() - started, "groups": groups}


def recompute_all() -> dict[str, Any]:
    """The nightly job's work: every premises graded again; its time, what it wrote, its SQL statements."""
    from django.db import connection

    from firegrid.registry.models import Premises
    from firegrid.risk.choices import GradeCause
    from firegrid.risk.rules import FACT_PROVIDERS
    from firegrid.risk.services import recompute_grades

    statements: list[float] = []
    in_providers: dict[str, float] = dict.fromkeys(FACT_PROVIDERS, 0.0)

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        answer = execute(sql, params, many, context)
        statements.append(time.perf_counter() - t0)
        return answer

    def clocked(name, provider):
        def call(ids, on):
            t0 = time.perf_counter()
            try:
                return provider(ids, on)
            finally:
                in_providers[name] += time.perf_counter() - t0

        return call

    # Facts other apps add (landlord points …) have no statement in the SQL pass: their share is timed.
    providers = dict(FACT_PROVIDERS)
    FACT_PROVIDERS.update({name: clocked(name, provider) for name, provider in providers.items()})
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(timed):
            result = recompute_grades(Premises.objects.all(), cause=GradeCause.NIGHTLY).as_dict()
    finally:
        FACT_PROVIDERS.update(providers)
    seconds = time.perf_counter() - started
    written = result["created"] + result["updated"] + result["grade_changes"] + result["removed"]
    return {
        "seconds": seconds,
        **result,
        "rows_written": written,
        "statements": len(statements),
        "sql_seconds": round(sum(statements), 3),
        "fact_provider_seconds": {name: round(t, 3) for name, t in in_providers.items()},
    }


def measure_nightly(rounds: int) -> dict[str, Any]:
    """SQL pass, the first recomputation (after the load: it writes), then `rounds` rounds of SQL pass and
    recomputation with nothing changed. Ratios are medians over the SQL passes of the same run."""
    from django.utils import timezone

    on = timezone.localdate()
    passes = [sql_pass(on)]
    first = recompute_all()
    again: list[dict[str, Any]] = []
    for _ in range(max(1, rounds)):
        passes.append(sql_pass(on))
        again.append(recompute_all())
    sql_median = statistics.median(p["seconds"] for p in passes)
    again_median = statistics.median(r["seconds"] for r in again)
    return {
        "rounds": len(again),
        "sql_pass": {
            "median_s": round(sql_median, 3),
            "seconds": [round(p["seconds"], 3) for p in passes],
            "groups": passes[-1]["groups"],
        },
        "first": {**first, "seconds": round(first["seconds"], 3)},
        "again": {
            "median_s": round(again_median, 3),
            "seconds": [round(r["seconds"], 3) for r in again],
            "rows_written": [r["rows_written"] for r in again],
            "statements": again[-1]["statements"],
            "sql_seconds": again[-1]["sql_seconds"],
            "premises": again[-1]["premises"],
            "fact_provider_seconds": again[-1]["fact_provider_seconds"],
        },
        "ratio_first_to_sql_pass": round(first["seconds"] / sql_median, 2),
        "ratio_again_to_sql_pass": round(again_median / sql_median, 2),
        "writes_nothing_again": all(r["rows_written"] == 0 for r in again),
    }


def sql_pass_queries() -> list[dict[str, Any]]:
    """The SQL pass's statements with their parameters (for --explain)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    with CaptureQueriesContext(connection) as ctx:
        sql_pass(timezone.localdate())
    return [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in ctx.captured_queries]


def chunk_queries() -> list[dict[str, Any]]:
    """The statements of one recomputation chunk (the first 2,000 premises, nothing to change): what every
    chunk runs, for --explain and the query count per chunk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from firegrid.registry.models import Premises
    from firegrid.risk.choices import GradeCause
    from firegrid.risk.services import CHUNK, recompute_grades

    ids = list(Premises.objects.order_by("pk").values_list("pk", flat=True)[:CHUNK])
    with CaptureQueriesContext(connection) as ctx:
        recompute_grades(ids, cause=GradeCause.NIGHTLY)
    return [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in ctx.captured_queries]
