#!/usr/bin/env python
"""Ledger import benchmark: a 100,000-row community premises ledger and a rental ledger of the same size
(.xlsx), each imported (check + commit, then the same file again) vs only reading it with openpyxl
(read-only, values only). Each phase in its own process (peak RSS). Wall-clock and CPU seconds are both
kept: on a busy machine the same read takes twice as long from one minute to the next, while the CPU
seconds of this process hardly move (with PostgreSQL the server's own CPU is not in them).

    make bench-ledger BENCH_ARGS="..."  (or .venv/bin/python bench/ledger.py [--rows 100000]
        [--kind premises|rental_ledger|all] [--db sqlite|postgres] [--rounds 1])
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


def phase_gen(path: str, rows: int, per_building: int = 3, kind: str = "premises") -> dict:
    setup_django("sqlite:///:memory:", tempfile.mkdtemp())
    from firegrid.registry.ledger import samples

    start = time.perf_counter()
    make_row = samples.rental_row if kind == "rental_ledger" else samples.community_row
    headers = samples.RENTAL_HEADERS if kind == "rental_ledger" else samples.COMMUNITY_HEADERS
    data = samples.write_xlsx(
        (make_row(i, "樟树潭一网格", messy=i % 10 == 0, per_building=per_building) for i in range(rows)),
        headers=headers,
        write_only=True,
        blank_every=1000,
    )
    data = with_dimension(data)
    Path(path).write_bytes(data)
    return {"seconds": time.perf_counter() - start, "bytes": len(data)}


def with_dimension(data: bytes) -> bytes:
    """The sheet's size tag (`<dimension ref="A1:…"/>`) at the top, as Excel and WPS save it. openpyxl's
    write-only mode leaves it out, and without it openpyxl's read-only load scans the whole sheet once more
    to find one: the baseline read would pay that and the importer (reading.open_read_only) not, flattering
    the ratio. With the tag neither pays it, as with the files communities actually send."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet") and b"<dimension" not in content:
                rows = re.findall(rb'<row r="(\d+)"', content)
                cells = re.findall(rb'<c r="([A-Z]+)\d+"', content[:200_000])
                last_col = max(cells, key=lambda c: (len(c), c)).decode() if cells else "A"
                ref = f'<dimension ref="A1:{last_col}{int(rows[-1]) if rows else 1}"/>'.encode()
                content = re.sub(
                    rb"(<worksheet[^>]*>(?:<sheetPr[^>]*/>|<sheetPr.*?</sheetPr>)?)",
                    rb"\1" + ref,
                    content,
                    count=1,
                )
            target.writestr(item, content)
    return out.getvalue()


def phase_read(path: str) -> dict:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    book = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for _row in book.worksheets[0].iter_rows(values_only=True):
        n += 1
    book.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": n,
        "max_rss_mb": rss_mb(),
    }


def phase_import(path: str, db_url: str, kind: str = "premises") -> dict:
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
    if kind == "rental_ledger":
        from firegrid.registry.ledger import samples

        for name in samples.RENTAL_UNITS:
            t.make_unit(name)
    rss_setup = rss_mb()
    result: dict = {}
    for attempt in ("first", "again"):
        timings = {}
        start = time.perf_counter()
        with open(path, "rb") as handle:
            job = ledger.create_import_job(actor=user, kind=kind, upload=File(handle, name="台账.xlsx"))
        timings["upload"] = time.perf_counter() - start
        columns = {int(i): k for i, k in job.mapping["columns"].items()}
        ledger.confirm_mapping(job, actor=user, columns=columns, default_grid=None)
        start, cpu = time.perf_counter(), time.process_time()
        ledger.start_validation(job, actor=user, inline=True)
        timings["check"] = time.perf_counter() - start
        timings["check_cpu"] = time.process_time() - cpu
        job.refresh_from_db()
        assert job.error_count == 0, job.report[:5]
        start, cpu = time.perf_counter(), time.process_time()
        ledger.start_commit(job, actor=user, inline=True)
        timings["commit"] = time.perf_counter() - start
        timings["commit_cpu"] = time.process_time() - cpu
        job.refresh_from_db()
        assert job.status == "committed", (job.status, job.message, job.report[:3])
        timings["counts"] = job.counts
        result[attempt] = timings
        del user.__dict__["scope_grid_ids"]
    result["premises"] = Premises.objects.count()
    if kind == "rental_ledger":
        from firegrid.registry.models import Landlord

        result["four_category_landlords"] = Landlord.objects.filter(is_party_member=True).count()
        result["premises_with_extra"] = Premises.objects.exclude(ledger_extra={}).count()
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
            print(json.dumps(phase_gen(args[0], int(args[1]), int(args[2]), args[3])))
        elif phase == "read":
            print(json.dumps(phase_read(args[0])))
        else:
            print(json.dumps(phase_import(args[0], args[1], args[2])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kind", choices=["premises", "rental_ledger", "all"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--per-building", type=int, default=3, help="premises per building (1: all distinct)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results-ledger.json"))
    opts = parser.parse_args()
    kinds = ["premises", "rental_ledger"] if opts.kind == "all" else [opts.kind]
    out = Path(opts.out)
    # One file for both kinds: a run of one kind keeps the other's last figures.
    results = json.loads(out.read_text()) if out.exists() else {}
    if "rows" in results:  # the file of an earlier version: the premises figures only
        results = {"premises": results}
    for kind in kinds:
        results[kind] = bench_kind(kind, opts)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"bench: wrote {out}")


def bench_kind(kind: str, opts: argparse.Namespace) -> dict:
    workdir = tempfile.mkdtemp(prefix="ledger-bench-")
    path = f"{workdir}/ledger.xlsx"
    print(kind, "generate", run("gen", path, str(opts.rows), str(opts.per_building), kind), flush=True)
    reads, imports = [], []
    for n in range(opts.rounds):
        reads.append(run("read", path))
        print(kind, "read", reads[-1], flush=True)
        imports.append(run("import", path, fresh_db(opts.db, workdir, n), kind))
        print(kind, "import", json.dumps(imports[-1], ensure_ascii=False), flush=True)
    reads.append(run("read", path))
    print(kind, "read", reads[-1], flush=True)

    def median(values: list[float]) -> float:
        return statistics.median(values)

    read = median([r["seconds"] for r in reads])
    read_cpu = median([r["cpu"] for r in reads])
    check = median([i["first"]["check"] for i in imports])
    commit = median([i["first"]["commit"] for i in imports])
    again = median([i["again"]["commit"] for i in imports])
    check_cpu = median([i["first"]["check_cpu"] for i in imports])
    commit_cpu = median([i["first"]["commit_cpu"] for i in imports])
    again_cpu = median([i["again"]["commit_cpu"] for i in imports])
    summary = {
        "kind": kind,
        "rows": opts.rows,
        "db": opts.db,
        "rounds": opts.rounds,
        "openpyxl_read_s": round(read, 2),
        "check_s": round(check, 2),
        "commit_s": round(commit, 2),
        "reimport_commit_s": round(again, 2),
        "commit_ratio": round(commit / read, 2),
        "check_ratio": round(check / read, 2),
        "check_plus_commit_ratio": round((check + commit) / read, 2),
        "reimport_ratio": round(again / read, 2),
        "openpyxl_read_cpu_s": round(read_cpu, 2),
        "commit_cpu_ratio": round(commit_cpu / read_cpu, 2),
        "check_cpu_ratio": round(check_cpu / read_cpu, 2),
        "reimport_cpu_ratio": round(again_cpu / read_cpu, 2),
        "reimport_counts": imports[-1]["again"]["counts"],
        "import_peak_rss_mb": round(max(i["max_rss_mb"] for i in imports), 1),
        "read_peak_rss_mb": round(max(r["max_rss_mb"] for r in reads), 1),
    }
    summary["reimport_changes_nothing"] = all(
        c.get("created", 0) == 0 and c.get("updated", 0) == 0 for c in summary["reimport_counts"].values()
    )
    summary["target_commit_within_2x_read"] = summary["commit_ratio"] <= 2
    summary["target_peak_under_1_gib"] = summary["import_peak_rss_mb"] < 1024
    return summary


if __name__ == "__main__":
    main()
