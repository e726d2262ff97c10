#!/usr/bin/env python
"""make bench-longterm: the work queue (今日任务) and the nightly grade recomputation, against baselines
measured in the same run on the same data.

    bench/longterm.py [--scale K] [--database-url URL] [--requests N] [--recompute-rounds N]
                      [--skip-load [--add-longterm]] [--explain] [--out bench/results-longterm.json]

1. Load, exactly as bench/run.py does (migrate, `firegrid demo --scale K`, bench/hazards.py), then
   bench/longterm_data.py: a district two years after its campaign (visits dated by each grade's
   interval, return visits owed, rechecks requested, self-inspections and their verification draw) unless
   the demo carried the district forward itself (it does at scale 1 only; above that every premises is
   overdue or due today). Each step a child process (time, peak RSS).
2. Nightly: `risk.services.recompute_grades(Premises.objects.all(), cause=NIGHTLY)` for every premises —
   first after the load (it writes what the new visits changed), then again (nothing changed: it must
   write nothing) — against one SQL pass computing the same facts with one statement per fact group over
   all premises (GROUP BY, fetched and discarded), interleaved.
3. The queue in interleaved rounds (as bench/run.py): `/longterm/queue/` and `GET /api/v1/queue/` for the
   grid worker wanggy (without and with a position), the subdistrict officer zhangtan (his grids'
   overview, one grid's items through the grid filter; the API over his whole subdistrict), and the API
   for the community officer and the district (query counts across areas); each against `bare` and a
   plain ORM query of the same rows (bench/views.py).

See bench/README.md ("make bench-longterm") for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import longterm_data, run  # noqa: E402
from bench.longterm_nightly import chunk_queries, measure_nightly, sql_pass_queries  # noqa: E402
from bench.run import JSON, SMALL_PAGE, Endpoint  # noqa: E402

DEFAULT_OUT = REPO / "bench" / "results-longterm.json"
DEFAULT_RECOMPUTE_ROUNDS = 3  # rounds of (SQL pass, recompute with nothing to change)
PAGE = 50  # buildings per page: the queue's default
_ITEM = re.compile(r'data-queue-item="(\d+)"')
_GRID_ROW = re.compile(r'<tr data-grid="(\d+)"')


# --------------------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------------------


def load_longterm(database_url: str, data_dir: Path, seed: int | None) -> dict[str, Any]:
    """bench/longterm_data.py as a child: its own time and peak memory, as `load.hazards`."""
    cmd = [sys.executable, str(REPO / "bench" / "longterm_data.py")]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    return run.run_child(cmd, run.child_env(database_url, data_dir))


def longterm_rows() -> dict[str, int]:
    """What bench/longterm_data.py wrote (nothing when the demo already carried the district forward)."""
    from firegrid.inspections.models import Inspection
    from firegrid.rectification.models import Plan

    return {
        "visits": Inspection.objects.filter(note=longterm_data.NOTE).count(),
        "plans": Plan.objects.filter(note=longterm_data.NOTE).count(),
    }


def queue_data(today: dt.date) -> dict[str, Any]:
    """What the queue reads, counted: grades by grade and by due state, return visits owed, rechecks
    requested, self-inspections drawn and waiting."""
    from django.db.models import Count

    from firegrid.inspections.models import Inspection
    from firegrid.longterm.models import SelfInspection
    from firegrid.rectification.choices import PlanState
    from firegrid.rectification.models import Plan
    from firegrid.risk.models import PremisesGrade

    grades = PremisesGrade.objects.order_by()
    return {
        "grades": dict(grades.values_list("grade").annotate(n=Count("pk"))),
        "overdue": grades.filter(next_due__lt=today).count(),
        "due_today": grades.filter(next_due=today).count(),
        "never_inspected": grades.filter(last_covering_inspection_at__isnull=True).count(),
        "return_visits_owed": Inspection.objects.return_visits_owed(due_by=today)
        .values("premises_id")
        .distinct()
        .count(),
        "rechecks_requested": Plan.objects.filter(state=PlanState.RECHECK_REQUESTED).count(),
        "self_inspections": SelfInspection.objects.count(),
        "awaiting_verification": SelfInspection.objects.awaiting_verification().count(),
    }


# --------------------------------------------------------------------------------------------------
# The queue: pages and API against the same rows read plainly
# --------------------------------------------------------------------------------------------------


@dataclass
class QueueSubjects:
    """Who asks: the demo's grid worker, subdistrict officer, community officer and system admin; the grid
    the officer opens (the worker's, when it is his); where the worker stands (by a building of his grid)."""

    base: run.Subjects
    community_officer: Any
    officer_grid: Any
    position: tuple[float, float] | None


def pick_queue_subjects(community_officer: str = "shequ") -> QueueSubjects:
    from firegrid.areas.models import Area, User
    from firegrid.registry.models import Building

    base = run.pick_subjects()
    officer = base.subdistrict_officer
    grid = base.areas["grid"]
    if officer.scope_grid_ids is not None and grid.pk not in officer.scope_grid_ids:
        grid = Area.objects.filter(pk__in=officer.scope_grid_ids).order_by("code").first()
    placed = (
        Building.objects.filter(grid=base.areas["grid"], latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list("latitude", "longitude")
        .first()
    )
    # A little way off the first building: the route starts where the worker stands, not at a stop.
    position = (round(float(placed[0]) + 0.0007, 6), round(float(placed[1]) - 0.0005, 6)) if placed else None
    return QueueSubjects(
        base=base,
        community_officer=User.objects.get(username=community_officer),
        officer_grid=grid,
        position=position,
    )


def first_page(user: Any, today: dt.date, **query: Any) -> Any:
    """The first queue page as the page and the API compute it (the baseline reads the same rows)."""
    from firegrid.longterm.queue import work_queue

    return work_queue(user, today=today, per_page=PAGE, **query)


def first_pages(s: QueueSubjects, today: dt.date) -> dict[str, Any]:
    """Each subject's first page, by the key of its baseline."""
    worker, officer = s.base.grid_worker, s.base.subdistrict_officer
    return {
        "grid_worker": first_page(worker, today),
        "grid_worker_position": first_page(worker, today, origin=s.position),
        "officer_grid": first_page(officer, today, grid_ids=[s.officer_grid.pk]),
        "community": first_page(s.community_officer, today),
        "subdistrict": first_page(officer, today),
        "district": first_page(s.base.admin, today),
    }


def build_queue_endpoints(s: QueueSubjects, today: dt.date, pages: dict[str, Any]) -> list[Endpoint]:
    """`bare`, a baseline per subject and the queue pages and API calls it is divided by."""
    worker, officer, admin = s.base.grid_worker, s.base.subdistrict_officer, s.base.admin
    grid = s.officer_grid.pk
    where = f"lat={s.position[0]}&lng={s.position[1]}" if s.position else ""
    endpoints = [Endpoint("bare", "baseline", "/bench/bare/", admin, baseline="bare")]
    for key, page in pages.items():
        url = "/bench/orm-json-queue/?ids=" + ",".join(str(item.id) for item in page.items)
        endpoints.append(
            Endpoint(f"orm_json_queue_{key}", "baseline", url, admin, baseline=f"orm_json_queue_{key}")
        )
    subdistrict = s.base.areas["subdistrict"].pk
    endpoints.append(
        Endpoint(
            "orm_json_queue_grids",
            "baseline",
            f"/bench/orm-json-queue-grids/?area={subdistrict}&today={today.isoformat()}",
            admin,
            baseline="orm_json_queue_grids",
        )
    )

    def page(
        name: str, user: Any, query: str, baseline: str, area: str, links: re.Pattern = _ITEM
    ) -> Endpoint:
        url = "/longterm/queue/" + (f"?{query}" if query else "")
        return Endpoint(name, "queue_web_list", url, user, area, baseline=baseline, links=links)

    def api(name: str, user: Any, query: str, baseline: str, area: str) -> Endpoint:
        url = f"/api/v1/queue/?{query}{'&' if query else ''}page_size="
        return Endpoint(
            name, "queue_api_list", url + str(PAGE), user, area, small_url=url + str(SMALL_PAGE),
            headers=JSON, baseline=baseline,
        )  # fmt: skip

    endpoints += [
        page("queue_page_grid_worker", worker, "", "orm_json_queue_grid_worker", "grid"),
        page("queue_page_grid_worker_position", worker, where, "orm_json_queue_grid_worker_position", "grid"),
        api("queue_api_grid_worker", worker, "", "orm_json_queue_grid_worker", "grid"),
        api("queue_api_grid_worker_position", worker, where, "orm_json_queue_grid_worker_position", "grid"),
        page("queue_page_officer_grids", officer, "", "orm_json_queue_grids", "subdistrict", _GRID_ROW),
        page("queue_page_officer_one_grid", officer, f"grid={grid}", "orm_json_queue_officer_grid", "grid"),
        api("queue_api_officer_one_grid", officer, f"grid={grid}", "orm_json_queue_officer_grid", "grid"),
        api("queue_api_community_officer", s.community_officer, "", "orm_json_queue_community", "community"),
        api("queue_api_subdistrict_officer", officer, "", "orm_json_queue_subdistrict", "subdistrict"),
        api("queue_api_district", admin, "", "orm_json_queue_district", "district"),
    ]
    return endpoints


# Fixed differences between requests, whatever the data: a grid filter looks its grid up; a district-wide
# role needs no scope lookup. (A routed page reads its grids' centres where a page in address order counts
# its buildings: the same number of queries.)
QUERY_ALLOWANCES = {"grid filter": 1, "district-wide": -1}


def queue_query_check(
    summary: dict[str, dict[str, Any]], pages: dict[str, Any], users: dict[str, Any]
) -> dict[str, Any]:
    """Queries per request must not grow with the data: the same for 10 and 50 buildings per page (an N+1
    would show there), and the same across areas from one grid to the district once the fixed differences
    of `QUERY_ALLOWANCES` are taken off."""
    api = {name: e for name, e in summary.items() if e["group"] == "queue_api_list"}
    detail: dict[str, Any] = {}
    for name, e in api.items():
        page = pages[e["orm_json_baseline"].removeprefix("orm_json_queue_")]
        allowances = [
            reason
            for reason, applies in (
                ("grid filter", "grid=" in e["url"]),
                ("district-wide", users[e["user"]].is_district_wide),
            )
            if applies
        ]
        normalised = e["queries"] - sum(QUERY_ALLOWANCES[r] for r in allowances)
        detail[name] = {
            "area": e["area"],
            "queries": e["queries"],
            "queries_small_page": e.get("queries_small_page"),
            "routed": page.routed,
            "allowances": allowances,
            "normalised": normalised,
        }
    rows_ok = all(d["queries"] == d["queries_small_page"] for d in detail.values())
    same = len({d["normalised"] for d in detail.values()}) == 1
    return {
        "constant": rows_ok and same,
        "same_for_10_and_50_buildings": rows_ok,
        "same_across_areas": same,
        "api": detail,
        "pages": {name: e["queries"] for name, e in summary.items() if e["group"] == "queue_web_list"},
    }


def measure_queue(s: QueueSubjects, requests: int) -> dict[str, Any]:
    """The queue's latency, ratios and queries in interleaved rounds (bench/run.py's measure)."""
    from django.utils import timezone

    from firegrid.longterm.queue import kind_counts

    today = timezone.localdate()
    pages = first_pages(s, today)
    endpoints = build_queue_endpoints(s, today, pages)
    raw = run.measure(endpoints, requests)
    summary = run.summarise(endpoints, raw)
    subjects = {
        "grid_worker": s.base.grid_worker,
        "community_officer": s.community_officer,
        "subdistrict_officer": s.base.subdistrict_officer,
        "district": s.base.admin,
    }
    return {
        "today": today.isoformat(),
        "position": s.position,
        "officer_grid": {"id": s.officer_grid.pk, "name": s.officer_grid.name},
        "queue_counts": {name: kind_counts(u, today=today) for name, u in subjects.items()},
        "pages": {
            key: {"buildings": p.buildings, "routed": p.routed, "items": len(p.items)}
            for key, p in pages.items()
        },
        "endpoints": summary,
        "queries": queue_query_check(summary, pages, {u.username: u for u in subjects.values()}),
    }


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


_ID_LIST = re.compile(r"(\d+)((?:, ?\d+){20,})")


def shorten_id_lists(text: str) -> str:
    """A recomputation chunk's 2,000 ids, in its SQL and its plans, as "1, 2, … (2,000 ids)"."""

    def short(match: re.Match) -> str:
        n = match.group(2).count(",") + 1
        return f"{match.group(1)}, … ({n:,} ids)"

    return _ID_LIST.sub(short, text)


def table(results: dict[str, Any]) -> str:
    db = results["database"]
    lines = [
        f"Firegrid long-term bench — scale {results['scale']} on {db['engine']} {db.get('version', '')}, "
        f"{results['requests']} interleaved rounds, {results['timestamp']}",
    ]
    ld = results.get("load") or {}
    if ld.get("longterm"):
        lt = ld["longterm"]
        lines.append(f"load.longterm: {lt['seconds']:.1f} s, peak RSS {lt['peak_rss_mb']:.0f} MB")
    lines.append("queue data: " + json.dumps(results["queue_data"], ensure_ascii=False))
    n = results["nightly"]
    if n:
        first, again, sql = n["first"], n["again"], n["sql_pass"]
        lines += [
            "",
            f"nightly recompute of {first['premises']:,} premises: first {first['seconds']:.2f} s "
            f"({first['rows_written']:,} rows written: {first['created']:,} created, {first['updated']:,} "
            f"updated, {first['grade_changes']:,} grade changes; {first['statements']:,} statements, "
            f"{first['sql_seconds']} s in SQL) = {n['ratio_first_to_sql_pass']} x the SQL pass",
            f"  again (nothing changed): median {again['median_s']:.2f} s, rows written {again['rows_written']}, "
            f"{again['statements']:,} statements ({again['sql_seconds']} s in SQL) "
            f"= {n['ratio_again_to_sql_pass']} x the SQL pass",
            f"  SQL pass (one statement per fact group, fetched): median {sql['median_s']:.2f} s — "
            + ", ".join(f"{k} {g['rows']:,} rows {g['seconds']} s" for k, g in sql["groups"].items()),
        ]
    q = results["queue"]
    if q:
        lines += ["", *run._endpoint_lines(q["endpoints"]), ""]
        lines.append("queue counts: " + json.dumps(q["queue_counts"], ensure_ascii=False, default=str))
        check = q["queries"]
        lines.append(
            f"queries constant: {check['constant']} (10 vs 50 buildings: {check['same_for_10_and_50_buildings']}, "
            f"across areas: {check['same_across_areas']}) "
            + ", ".join(
                f"{n} {d['queries']}/{d['queries_small_page']} {d['allowances']}"
                for n, d in check["api"].items()
            )
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_load_arguments(p, DEFAULT_OUT)
    p.add_argument(
        "--recompute-rounds",
        type=int,
        default=DEFAULT_RECOMPUTE_ROUNDS,
        help="rounds of SQL pass + recomputation with nothing to change, after the first (default 3)",
    )
    p.add_argument(
        "--add-longterm",
        action="store_true",
        help="with --skip-load: load bench/longterm_data.py onto the data already there (e.g. run.py's)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.requests < 1:
        raise SystemExit("bench: --requests must be at least 1")
    return run.in_data_dir(_run, args, argv)


def _run(args: argparse.Namespace, data_dir: Path, argv: list[str]) -> int:
    url = run.choose_database(args.database_url, skip_load=args.skip_load, data_dir=data_dir)
    load_result: dict[str, Any] = {"skipped": True}
    scale = args.scale
    if not args.skip_load:
        run.drop_database(url, recreate=args.recreate)
        load_result = run.load(url, data_dir, args.scale, args.seed, args.hazards_per_premises)
    elif previous := run.previous_load(Path(args.out), url):
        scale = previous["scale"]
        load_result.update(previous["load"], skipped=True, loaded_at=previous["timestamp"])
    if not args.skip_load or args.add_longterm:
        load_result["longterm"] = load_longterm(url, data_dir, args.seed)
    run.setup_django(url, data_dir)
    if not args.skip_load or args.add_longterm:
        load_result["longterm"]["rows"] = longterm_rows()
        print("bench: VACUUM ANALYZE after the bulk load", flush=True)
        load_result["vacuum_analyze_seconds"] = run.vacuum_analyze()
    load_result["counts"] = run.registry_counts()
    machine = run.machine_info()
    started = time.perf_counter()
    print(
        f"bench: nightly recomputation, then {args.recompute_rounds} rounds against the SQL pass", flush=True
    )
    nightly = measure_nightly(args.recompute_rounds)
    chunk = chunk_queries()
    # The first recomputation rewrote most grade rows: fresh statistics, as autovacuum would soon give.
    nightly["vacuum_analyze_after_s"] = run.vacuum_analyze()
    from django.utils import timezone

    data = queue_data(timezone.localdate())
    print(f"bench: the work queue, {args.requests} interleaved rounds", flush=True)
    queue = measure_queue(pick_queue_subjects(), args.requests)
    machine["loadavg_end"] = list(os.getloadavg())
    results = {
        "timestamp": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["bench/longterm.py", *argv]),
        "git": run.git_info(),
        "machine": machine,
        "database": {"url": run.redact(url), **run.database_info()},
        "scale": scale,
        "seed": args.seed,
        "requests": args.requests,
        "measure_seconds": round(time.perf_counter() - started, 1),
        "load": load_result,
        "queue_data": data,
        "nightly": nightly,
        "recompute_chunk": {
            "statements": len(chunk),
            "ms": [q["ms"] for q in chunk],
            "sql": [q["sql"][: run.SQL_CHARS] for q in chunk],
        },
        "queue": queue,
    }
    slow = {**queue["endpoints"], "recompute_chunk": {"slowest_queries": chunk}}
    if args.explain:
        slow["sql_pass"] = {"slowest_queries": sql_pass_queries()}
    plans = shorten_id_lists(run.explain(slow)) if args.explain else None
    run.write_results(results, Path(args.out), queue["endpoints"], plans, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
