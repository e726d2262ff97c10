#!/usr/bin/env python
"""Rectification benchmarks: printed notices and the premises file (一户一档).

- Notice rendering: median seconds per rectification notice (5 hazards, A4, Chinese font embedded),
  as a ratio to the floor cost of any PDF here — a one-line Chinese page rendered the same way,
  measured interleaved in the same run.
- Batch printing: 1,000 notices through the `rectification.print_documents` job (render each, join
  into one PDF): seconds, seconds per notice, the joined file's size, peak RSS (its own process).
- Premises file page: SQL queries per request and median latency for timelines of growing length
  (the target: queries constant in the length of the timeline).

    make bench-documents BENCH_ARGS="..."  (or .venv/bin/python bench/documents.py [--batch 1000] [--rounds 15])
"""

from __future__ import annotations

import argparse
import datetime as dt
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
HAZARDS_PER_NOTICE = 5
TIMELINE_LENGTHS = (10, 100, 1000)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(db_path: str, data_dir: str) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["FIREGRID_DEV"] = "true"
    os.environ["FIREGRID_DATA_DIR"] = data_dir
    os.environ["FIREGRID_RENDER_ON_ISSUE"] = "false"
    os.environ["FIREGRID_JOBS_INLINE"] = "true"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()


def build(notices: int) -> dict:
    """A district with `notices` premises, each with a survey inspection, five hazards and a notified
    plan (its notice issued, not yet rendered)."""
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from firegrid import testing as t
    from firegrid.areas.choices import AreaLevel, Role
    from firegrid.inspections.choices import InspectionStatus, VisitOutcome
    from firegrid.inspections.models import Hazard, Inspection
    from firegrid.inspections.services import default_template
    from firegrid.rectification import services

    template = default_template()
    items = [i for i in template.items.filter(area_level=False) if "residential" in i.applies_to][
        :HAZARDS_PER_NOTICE
    ]
    district = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    sub = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", district, code="330803001")
    community = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", sub, code="330803001001")
    grid = t.make_area(AreaLevel.GRID, "樟树潭一网格", community, code="330803001001001")
    worker = t.make_user("wanggy", Role.GRID_WORKER, [grid])
    now = timezone.now()
    premises_ids = []
    for n in range(notices):
        # Serial within a birth date: 1,000 people a day keeps every ID number valid and distinct.
        born = (dt.date(1970, 1, 1) + dt.timedelta(days=n // 1000)).strftime("%Y%m%d")
        landlord = t.make_landlord(f"房东{n:04d}", area=grid, id_number=t.valid_id_number(n, born=born))
        building = t.make_building(grid, f"樟潭街道樟树潭村{n + 1}号", floors=4)
        premises = t.make_premises(building, landlord, unit_label="整幢")
        inspection = Inspection.objects.create(
            premises=premises,
            building=building,
            template=template,
            status=InspectionStatus.SUBMITTED,
            outcome=VisitOutcome.INSPECTED,
            started_at=now,
            submitted_at=now,
        )
        Hazard.objects.bulk_create(
            Hazard(
                premises=premises,
                building=building,
                item=i,
                inspection=inspection,
                severity=i.severity,
                found_at=now,
            )
            for i in items
        )
        plan = services.create_plan(premises, actor=worker)
        services.notify_plan(plan, actor=worker)
        premises_ids.append(premises.pk)
    return {"worker": worker.pk, "premises": premises_ids}


def phase_render(db_path: str, data_dir: str, rounds: int) -> dict:
    """Per-document rendering, interleaved with the floor: a one-line Chinese PDF."""
    setup_django(db_path, data_dir)
    from firegrid.core.pdf import render_pdf
    from firegrid.rectification import documents
    from firegrid.rectification.models import Document

    notices = list(Document.objects.order_by("pk")[:rounds])
    # The floor: the same page frame, fonts and header with no body — what every PDF here costs.
    floor_doc = {
        "doc": {
            "kind": "notice",
            "title": "隐患整改通知书",
            "serial": "衢江消整〔2019〕第0001号",
            "issuer": {"name": "衢州市衢江区消防安全专项整治工作指挥部"},
            "issued_on": "2019-10-08",
        }
    }
    render_pdf("documents/base.html", floor_doc)  # warm-up
    documents.render(notices[0])
    floor, notice = [], []
    for document in notices:
        start = time.perf_counter()
        render_pdf("documents/base.html", floor_doc)
        floor.append(time.perf_counter() - start)
        start = time.perf_counter()
        data = documents.render(document)
        notice.append(time.perf_counter() - start)
    return {
        "notice_median_s": statistics.median(notice),
        "floor_median_s": statistics.median(floor),
        "ratio": statistics.median(notice) / statistics.median(floor),
        "notice_bytes": len(data),
        "rounds": len(notices),
    }


def phase_batch(db_path: str, data_dir: str, batch: int) -> dict:
    setup_django(db_path, data_dir)
    from django.core.files.storage import default_storage

    from firegrid.areas.models import User
    from firegrid.jobs.services import enqueue
    from firegrid.rectification.models import Document

    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True)[:batch])
    start = time.perf_counter()
    run = enqueue(
        "rectification.print_documents",
        params={"document_ids": ids},
        actor=User.objects.get(username="wanggy"),
        inline=True,
    )
    seconds = time.perf_counter() - start
    if run.status != "done":
        raise SystemExit(f"batch failed: {run.error}")
    size = default_storage.size(run.result["file"])
    return {
        "notices": len(ids),
        "seconds": seconds,
        "per_notice_s": seconds / len(ids),
        "joined_mb": size / 1e6,
        "max_rss_mb": rss_mb(),
    }


def phase_file(db_path: str, data_dir: str, rounds: int) -> dict:
    """The premises file page for timelines of growing length: queries per request and latency."""
    setup_django(db_path, data_dir)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from firegrid.areas.models import User
    from firegrid.rectification.models import Plan
    from firegrid.rectification.premises_file import add_note

    worker = User.objects.get(username="wanggy")
    plans = list(Plan.objects.order_by("pk")[: len(TIMELINE_LENGTHS)])
    client = Client()
    client.force_login(worker)
    results = {}
    for plan, length in zip(plans, TIMELINE_LENGTHS, strict=True):
        # Notes are the cheapest entries to add in bulk; each is one timeline entry like any other.
        for n in range(length):
            add_note(plan.premises, text=f"第{n + 1}次回访记录", actor=worker)
        url = reverse("rectification:premises_file", args=[plan.premises_id])
        client.get(url)
        timings = []
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        results[str(length)] = {"queries": len(queries), "median_ms": statistics.median(timings) * 1000}
    return results


def run(*args: str) -> dict:
    out = subprocess.run([PY, __file__, "--phase", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=1000, help="notices in the batch print (default 1,000)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", default=str(REPO / "bench" / "results-documents.json"))
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "build":
            setup_django(rest[0], rest[1])
            result = build(int(rest[2]))
        else:
            result = {"render": phase_render, "batch": phase_batch, "file": phase_file}[name](
                rest[0], rest[1], int(rest[2])
            )
        print(json.dumps(result, default=str))
        return
    workdir = tempfile.mkdtemp(prefix="documents-bench-")
    db_path = str(Path(workdir) / "bench.sqlite3")
    data_dir = str(Path(workdir) / "var")
    notices = max(args.batch, args.rounds, len(TIMELINE_LENGTHS))
    started = time.perf_counter()
    run("build", db_path, data_dir, str(notices))
    print(f"built {notices} notified plans in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "render": run("render", db_path, data_dir, str(args.rounds)),
        "batch": run("batch", db_path, data_dir, str(args.batch)),
        "premises_file": run("file", db_path, data_dir, str(args.rounds)),
    }
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
