#!/usr/bin/env python
"""Inspection photos before and after the phone shrinks them (issue 14, item 2).

A phone takes a 12 MP JPEG (4000 × 3000, ≈ 5–6 MB); the server keeps a 1600 px long edge. The phone
checklist (firegrid/static/firegrid/checklist.js) now shrinks each photo before upload: drawn upright on
a canvas at the stored long edge, JPEG quality 0.85, the original's EXIF carried over with its
orientation reset. This script does the same with Pillow and measures, per photo:

- upload bytes: the 12 MP original vs the shrunk photo (and what that is in seconds at a weak signal);
- server time: `POST /api/v1/inspections/<id>/photos/` (the same service and checks as the phone's page)
  with the original vs the shrunk photo, interleaved in the same rounds with `upload_bare` (a view that
  only receives the same bodies) so every figure is also a ratio to a same-run baseline;
- the shrinking itself in Python (the phone's work, not the server's: recorded, not compared).

    .venv/bin/python bench/photos.py [--rounds 10] [--out bench/results-photos.json]

SQLite in a temporary folder: the photo step's cost is Pillow's, not the database's.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PHOTOS = 3  # one per hazard of a typical survey (3 hazards)
PHONE_JPEG_QUALITY = 85  # checklist.js JPEG_QUALITY 0.85
WEAK_SIGNALS_MBIT = (1, 5)  # a stairwell or basement; ordinary 4G indoors
BOUNDARY = "BenchPhotoBoundary4QxT0k2Lz"


def setup_django(db_path: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["FIREGRID_DEV"] = "true"
    os.environ["FIREGRID_DATA_DIR"] = data_dir
    os.environ["FIREGRID_JOBS_INLINE"] = "true"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DEBUG", None)  # as deployed: no query log
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()


def shrink_like_the_phone(original: bytes) -> bytes:
    """What checklist.js sends for `original`: upright (EXIF orientation applied), long edge at most the
    server's stored edge, JPEG 85, the original's EXIF kept (time, position) with orientation 1."""
    from PIL import ExifTags, Image, ImageOps

    from firegrid.inspections.photos import LONG_EDGE

    with Image.open(io.BytesIO(original)) as im:
        exif = im.getexif()
        upright = ImageOps.exif_transpose(im)
    upright.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    exif[ExifTags.Base.Orientation] = 1
    out = io.BytesIO()
    upright.convert("RGB").save(out, "JPEG", quality=PHONE_JPEG_QUALITY, exif=exif)
    return out.getvalue()


def build() -> tuple[Any, Any, list[str]]:
    """A grid worker, a shared rental of their grid and the template's first three ordinary items that
    apply to it (the hazards the photos show)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from firegrid import testing as t
    from firegrid.areas.choices import AreaLevel, Role
    from firegrid.inspections.choices import Severity
    from firegrid.inspections.services import default_template

    template = default_template()
    district = t.make_area(AreaLevel.DISTRICT, "衢江区", code="330803")
    sub = t.make_area(AreaLevel.SUBDISTRICT, "樟潭街道", district, code="330803001")
    community = t.make_area(AreaLevel.COMMUNITY, "樟树潭社区", sub, code="330803001001")
    grid = t.make_area(AreaLevel.GRID, "樟树潭一网格", community, code="330803001001001")
    worker = t.make_user("wanggy", Role.GRID_WORKER, [grid])
    landlord = t.make_landlord("张建国", area=grid)
    building = t.make_building(grid, "樟潭街道樟树潭村18号", floors=3)
    premises = t.make_premises(building, landlord, unit_label="整幢", is_shared_rental=True)
    items = [
        i.code
        for i in template.items.all()
        if i.applies_to_premises(premises) and i.severity == Severity.ORDINARY
    ][:PHOTOS]
    return worker, premises, items


def start(worker: Any, premises: Any, items: list[str]) -> int:
    """A draft survey with the three items failed: photos may hang on them."""
    import uuid

    from firegrid.inspections import services

    inspection = services.start_inspection(
        actor=worker, premises=premises, building=None, kind="survey", client_uuid=uuid.uuid4()
    )
    services.save_answers(inspection, [services.AnswerInput(code, "fail") for code in items], actor=worker)
    return inspection.pk


def bodies(photos: list[bytes], items: list[str]) -> list[bytes]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    return [
        encode_multipart(
            BOUNDARY,
            {
                "file": SimpleUploadedFile(f"IMG_{n:04d}.jpg", data, "image/jpeg"),
                "item_code": code,
                "role": "evidence",
            },
        )
        for n, (data, code) in enumerate(zip(photos, items, strict=True))
    ]


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def measure(rounds: int) -> dict[str, Any]:
    from django.test import Client

    from bench.run import bench_settings, phone_photo
    from firegrid.inspections.models import Photo
    from firegrid.inspections.photos import LONG_EDGE

    worker, premises, items = build()
    originals = [phone_photo(n) for n in range(PHOTOS)]
    shrink_ms: list[float] = []
    for data in originals:  # the phone's work, timed once per photo (not interleaved: not a server figure)
        started = time.perf_counter_ns()
        shrink_like_the_phone(data)
        shrink_ms.append((time.perf_counter_ns() - started) / 1e6)
    shrunk = [shrink_like_the_phone(data) for data in originals]
    variants = {"original": bodies(originals, items), "shrunk": bodies(shrunk, items)}
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    client = Client()
    client.force_login(worker)
    samples: dict[str, list[float]] = {
        f"{kind}_{v}": [] for kind in ("server", "upload_bare") for v in variants
    }
    stored: dict[str, tuple[int, int]] = {}
    with bench_settings():
        for warm in range(2):  # imports, Pillow's plugins, the first connection
            pk = start(worker, premises, items)
            for v in variants:
                client.post(f"/api/v1/inspections/{pk}/photos/", variants[v][warm], content_type=content_type)
        for _ in range(rounds):
            pk = start(worker, premises, items)  # a fresh draft per round, as a day of surveys
            for v, posted in variants.items():
                for body in posted:
                    started = time.perf_counter_ns()
                    response = client.post("/bench/upload/", body, content_type=content_type)
                    samples[f"upload_bare_{v}"].append((time.perf_counter_ns() - started) / 1e6)
                    assert response.status_code == 200, response.status_code
                    started = time.perf_counter_ns()
                    response = client.post(
                        f"/api/v1/inspections/{pk}/photos/", body, content_type=content_type
                    )
                    samples[f"server_{v}"].append((time.perf_counter_ns() - started) / 1e6)
                    if response.status_code != 201:
                        raise SystemExit(
                            f"bench: photo upload answered {response.status_code}: {response.content[:300]!r}"
                        )
                    photo = Photo.objects.get(pk=response.json()["id"])
                    stored[v] = (photo.width, photo.height)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    figures = {
        name: {"median_ms": round(medians[name], 2), "p90_ms": round(p90(v), 2), "min_ms": round(min(v), 2)}
        for name, v in samples.items()
    }
    sizes = {"original": [len(d) for d in originals], "shrunk": [len(d) for d in shrunk]}
    per_photo = {v: statistics.median(sizes[v]) for v in sizes}
    return {
        "photos_per_round": PHOTOS,
        "rounds": rounds,
        "original_pixels": "4000x3000",
        "long_edge": LONG_EDGE,
        "stored_size": {v: f"{w}x{h}" for v, (w, h) in stored.items()},
        "bytes": sizes,
        "bytes_per_photo_median": per_photo,
        "bytes_ratio_shrunk_to_original": round(per_photo["shrunk"] / per_photo["original"], 3),
        "upload_seconds_per_photo": {
            f"{mbit}_mbit": {v: round(per_photo[v] * 8 / (mbit * 1_000_000), 2) for v in per_photo}
            for mbit in WEAK_SIGNALS_MBIT
        },
        "figures": figures,
        "server_ratio_shrunk_to_original": round(medians["server_shrunk"] / medians["server_original"], 3),
        "server_ratio_to_upload_bare": {
            v: round(medians[f"server_{v}"] / medians[f"upload_bare_{v}"], 1) for v in variants
        },
        "phone_shrink_in_python_ms": [round(ms, 1) for ms in shrink_ms],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=10, help="interleaved rounds, 3 photos of each kind in each")
    p.add_argument("--out", default=str(REPO / "bench" / "results-photos.json"))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="firegrid-bench-photos-") as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"), tmp)
        started = time.time()
        result = {
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            **measure(args.rounds),
            "seconds": round(time.time() - started, 1),
        }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    f = result["figures"]
    print(
        f"per photo: {result['bytes_per_photo_median']['original'] / 1e6:.2f} MB → "
        f"{result['bytes_per_photo_median']['shrunk'] / 1e6:.2f} MB; server "
        f"{f['server_original']['median_ms']:.0f} ms → {f['server_shrunk']['median_ms']:.0f} ms "
        f"(× {result['server_ratio_shrunk_to_original']}) → {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
