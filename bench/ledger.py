#!/usr/bin/env python
"""Ledger import benchmark: a 100,000-row community premises ledger (.xlsx), imported (check + commit)
vs only reading it with openpyxl (read-only, values only). Each phase in its own process (peak RSS).

    make bench-ledger BENCH_ARGS="..."  (or .venv/bin/python bench/ledger.py [--rows 100000] [--db sqlite|postgres] [--rounds 1])
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "firegrid_ledger_bench"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(db_url: str, data_dir: str) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DATABASE_URL"] = db_url
    os.environ["FIREGRID_DEV"] = "true"
    os.environ["FIREGRID_DATA_DIR"] = data_dir
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()


def phase_gen(path: str, rows: int, per_building: int = 3) -> dict:
    setup_django("sqlite:///:memory:", tempfile.mkdtemp())
    from firegrid.registry.ledger import samples

    start = time.perf_counter()
    data = samples.write_xlsx(
        (
            samples.community_row(i, "樟树潭一网格", messy=i % 10 == 0, per_building=per_building)
            for i in range(rows)
        ),
        write_only=True,
        blank_every=1000,
    )
    Path(path).write_bytes(data)
    return {"seconds": time.perf_counter() - start, "bytes": len(data)}


def phase_read(path: str) -> dict:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for _row in book.worksheets[0].iter_rows(values_only=True):
        n += 1
    book.close()
    return {"seconds": time.perf_counter() - start, "rows": n, "max_rss_mb": rss_mb()}


def phase_import(path: str, db_url: str) -> dict:
    data_dir = tempfile.mkdtemp(prefix="ledger-bench-")
    setup_django(db_url, data_dir)
    from django.core.files import File
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from firegrid import testing as t
    from firegrid.areas.choices import AreaLevel, Role
    from firegrid.registry.ledger import services as ledger
    from firegrid.registry.models import Premises

    d = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    s = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", d, code="330803001")
    c = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", s, code="330803001001")
    grid = t.make_area(AreaLevel.GRID, "樟树潭一网格", c, code="330803001001001")
    user = t.make_user("bench", Role.GRID_WORKER, [grid])
    rss_setup = rss_mb()
    result: dict = {}
    for attempt in ("first", "again"):
        timings = {}
        start = time.perf_counter()
        with open(path, "rb") as handle:
            job = ledger.create_import_job(actor=user, kind="premises", upload=File(handle, name="台账.xlsx"))
        timings["upload"] = time.perf_counter() - start
        columns = {int(i): k for i, k in job.mapping["columns"].items()}
        ledger.confirm_mapping(job, actor=user, columns=columns, default_grid=None)
        start = time.perf_counter()
        ledger.start_validation(job, actor=user, inline=True)
        timings["check"] = time.perf_counter() - start
        job.refresh_from_db()
        assert job.error_count == 0, job.report[:5]
        start = time.perf_counter()
        ledger.start_commit(job, actor=user, inline=True)
        timings["commit"] = time.perf_counter() - start
        job.refresh_from_db()
        assert job.status == "committed", (job.status, job.message, job.report[:3])
        timings["counts"] = job.counts
        result[attempt] = timings
        del user.__dict__["scope_grid_ids"]
    result["premises"] = Premises.objects.count()
    result["max_rss_mb"] = rss_mb()
    result["rss_after_setup_mb"] = rss_setup
    return result


def run(*args: str) -> dict:
    out = subprocess.run([PY, __file__, *args], capture_output=True, text=True, cwd=str(REPO))
    if out.returncode:
        print(out.stdout, out.stderr, file=sys.stderr)
        raise SystemExit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_db(kind: str, workdir: str, n: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir}/bench-{n}.sqlite3"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in {"gen", "read", "import"}:
        phase, args = sys.argv[1], sys.argv[2:]
        if phase == "gen":
            print(json.dumps(phase_gen(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 3)))
        elif phase == "read":
            print(json.dumps(phase_read(args[0])))
        else:
            print(json.dumps(phase_import(args[0], args[1])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--per-building", type=int, default=3, help="premises per building (1: all distinct)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results-ledger.json"))
    opts = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="ledger-bench-")
    path = f"{workdir}/ledger.xlsx"
    print("generate", run("gen", path, str(opts.rows), str(opts.per_building)), flush=True)
    reads, imports = [], []
    for n in range(opts.rounds):
        reads.append(run("read", path))
        print("read", reads[-1], flush=True)
        imports.append(run("import", path, fresh_db(opts.db, workdir, n)))
        print("import", json.dumps(imports[-1], ensure_ascii=False), flush=True)
    reads.append(run("read", path))
    print("read", reads[-1], flush=True)
    read = statistics.median(r["seconds"] for r in reads)
    commit = statistics.median(i["first"]["commit"] for i in imports)
    check = statistics.median(i["first"]["check"] for i in imports)
    again = statistics.median(i["again"]["commit"] for i in imports)
    summary = {
        "rows": opts.rows,
        "db": opts.db,
        "openpyxl_read_s": round(read, 2),
        "check_s": round(check, 2),
        "commit_s": round(commit, 2),
        "reimport_commit_s": round(again, 2),
        "commit_ratio": round(commit / read, 2),
        "check_plus_commit_ratio": round((check + commit) / read, 2),
        "reimport_ratio": round(again / read, 2),
        "import_peak_rss_mb": max(i["max_rss_mb"] for i in imports),
        "read_peak_rss_mb": max(r["max_rss_mb"] for r in reads),
    }
    summary["target_commit_within_4x_read"] = summary["commit_ratio"] <= 4
    summary["target_peak_under_1_gib"] = summary["import_peak_rss_mb"] < 1024
    Path(opts.out).write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    print(f"bench: wrote {opts.out}")


if __name__ == "__main__":
    main()
