#!/usr/bin/env python
"""make bench: load the demo district at a scale, then measure pages and API against same-run baselines.

    bench/run.py [--scale K] [--hazards-per-premises F] [--database-url URL] [--requests N]
                 [--submit-rounds N] [--skip-load [--add-hazards]] [--explain] [--out bench/results.json]

Every latency figure is a ratio to a baseline measured in the same run, on the same data, interleaved
with it (one request of each endpoint per round), because the machines are shared and absolute times
drift by 10-40% between runs. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/firegrid_bench"
DEFAULT_SCALE = 10
DEFAULT_REQUESTS = 30
SLOWEST = 5  # slowest queries kept per endpoint (with their SQL) as hints for EXPLAIN
EXPLAIN_MS = 5.0  # --explain: queries at least this slow in the captured request
SQL_CHARS = 400  # SQL kept in results.json per slow query (the full text goes to the EXPLAIN file)
SMALL_PAGE = 10  # the smallest page the web list allows; used to check queries do not grow with rows
# Server settings that change plans, recorded with the figures.
PG_SETTINGS = ("jit", "random_page_cost", "shared_buffers", "work_mem", "effective_cache_size")
# Targets from the issue.
API_TARGET_RATIO = 1.5
LOAD_TARGET_SCALE = 600
LOAD_TARGET_SECONDS = 900
LOAD_TARGET_MB = 2048
# Hazards loaded on top of the demo (bench/hazards.py): 1.5 per premises is ≈ 3 M at scale 600.
DEFAULT_HAZARDS_PER_PREMISES = 1.5
# Inspection submissions timed (each: start, 60 answers, 3 photos of 12 MP, submit).
DEFAULT_SUBMIT_ROUNDS = 10
SUBMIT_ANSWERS = 60
SUBMIT_PHOTOS = 3
PHOTO_SIZE = (4000, 3000)  # 12 MP, as a phone takes them


# --------------------------------------------------------------------------------------------------
# Database choice and load (subprocesses: `manage.py migrate`, `manage.py demo --scale K`)
# --------------------------------------------------------------------------------------------------


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def _maintenance_conninfo(url: str) -> tuple[str, str]:
    """(a conninfo for the `postgres` database on the same server, the target database's name)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    scheme = "postgresql"
    return urlunsplit(parts._replace(scheme=scheme, path="/postgres")), name


def postgres_answers(url: str, timeout: int = 3) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    conninfo, _ = _maintenance_conninfo(url)
    try:
        with psycopg.connect(conninfo, connect_timeout=timeout):
            return True
    except Exception:
        return False


def recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo, name = _maintenance_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def child_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment the load commands and the in-process Django run with: production-like (DEBUG off)."""
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DATABASE_URL=database_url,
        FIREGRID_DEV="true",  # generated secret key and local hosts, without DEBUG's other effects
        FIREGRID_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="firegrid.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_child(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall time and its own peak resident memory (wait4's rusage, this child only)."""
    print(f"$ {' '.join(cmd)}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed with exit code {proc.returncode}")
    # ru_maxrss is in kilobytes on Linux.
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def load(
    database_url: str, data_dir: Path, scale: int, seed: int | None, hazards_per_premises: float
) -> dict[str, Any]:
    env = child_env(database_url, data_dir)
    manage = [sys.executable, str(REPO / "manage.py")]
    migrate = run_child([*manage, "migrate", "--noinput", "-v", "0"], env)
    demo_cmd = [*manage, "demo", "--scale", str(scale)]
    if seed is not None:
        demo_cmd += ["--seed", str(seed)]
    demo = run_child(demo_cmd, env)
    result = {
        "migrate": migrate,
        "demo": demo,
        "seconds": demo["seconds"],
        "peak_rss_mb": demo["peak_rss_mb"],
    }
    if hazards_per_premises > 0:
        result["hazards"] = load_hazards(database_url, data_dir, hazards_per_premises, seed)
    return result


def load_hazards(database_url: str, data_dir: Path, per_premises: float, seed: int | None) -> dict[str, Any]:
    """bench/hazards.py as a child: surveyed premises with their hazards (its own time and peak memory;
    not part of the demo's load figure, whose target is the registry's)."""
    cmd = [sys.executable, str(REPO / "bench" / "hazards.py"), "--per-premises", str(per_premises)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    return {"per_premises": per_premises, **run_child(cmd, child_env(database_url, data_dir))}


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ.update(child_env(database_url, data_dir))
    os.environ.pop("DEBUG", None)
    import django

    django.setup()


def vacuum_analyze() -> float:
    """Fresh statistics and visibility map after the bulk load, as autovacuum would soon give production."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return round(time.perf_counter() - started, 2)


def database_info() -> dict[str, Any]:
    from django.db import connection

    info: dict[str, Any] = {"engine": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["version"] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            info["size_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
            cursor.execute(
                "SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name",
                [list(PG_SETTINGS)],
            )
            info["settings"] = dict(cursor.fetchall())
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["version"] = cursor.fetchone()[0]
            name = connection.settings_dict["NAME"]
            if name and Path(str(name)).exists():
                info["size_mb"] = round(Path(str(name)).stat().st_size / 2**20, 1)
        else:
            info["version"] = ".".join(map(str, connection.Database.version_info))
    return info


def registry_counts() -> dict[str, int]:
    from firegrid.areas.choices import AreaLevel
    from firegrid.areas.models import Area
    from firegrid.inspections.models import Hazard, Inspection
    from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

    return {
        "grids": Area.objects.filter(level=AreaLevel.GRID).count(),
        "buildings": Building.objects.count(),
        "premises": Premises.objects.count(),
        "rooms": Room.objects.count(),
        "tenant_households": TenantHousehold.objects.count(),
        "landlords": Landlord.objects.count(),
        "inspections": Inspection.objects.count(),
        "hazards": Hazard.objects.count(),
    }


# --------------------------------------------------------------------------------------------------
# Latency (in-process: django.test.Client against the bench URLconf)
# --------------------------------------------------------------------------------------------------


@dataclass
class Subjects:
    """Who requests and which areas are filtered: the demo's users and areas (the test district's too)."""

    admin: Any  # district-wide (system admin)
    subdistrict_officer: Any  # zhangtan: 樟潭街道
    grid_worker: Any  # wanggy: one grid
    areas: dict[str, Any]  # grid, community, subdistrict, district


def pick_subjects(
    admin: str = "admin", subdistrict_officer: str = "zhangtan", grid_worker: str = "wanggy"
) -> Subjects:
    """The grid is the grid worker's, the community its parent, the subdistrict the officer's, the district
    the root: the same names in the demo district and in the test suite's small district."""
    from firegrid.areas.models import Area, User

    users = {
        u.username: u for u in User.objects.filter(username__in=[admin, subdistrict_officer, grid_worker])
    }
    missing = {admin, subdistrict_officer, grid_worker} - set(users)
    if missing:
        raise SystemExit(f"bench: users {sorted(missing)} not found: is the demo district loaded?")
    grid = users[grid_worker].areas.order_by("path").first()
    subdistrict = users[subdistrict_officer].areas.order_by("path").first()
    district = Area.objects.get(pk=grid.ancestor_ids[0])
    return Subjects(
        admin=users[admin],
        subdistrict_officer=users[subdistrict_officer],
        grid_worker=users[grid_worker],
        areas={"grid": grid, "community": grid.parent, "subdistrict": subdistrict, "district": district},
    )


@dataclass
class Endpoint:
    name: str
    group: str  # baseline, web_list, api_list, home; hazard_web_list, hazard_api_list
    url: str
    user: Any
    area: str = ""  # grid / community / subdistrict / district
    small_url: str = ""  # the same request with a 10-row page (query count must not change)
    headers: dict[str, str] = field(default_factory=dict)
    baseline: str = ""  # the orm_json endpoint it is divided by (default: orm_json_<area or district>)
    links: re.Pattern | None = None  # a web list's row links (default: premises pages)


AREA_KEYS = ("grid", "community", "subdistrict", "district")
JSON = {"HTTP_ACCEPT": "application/json"}


def build_endpoints(subjects: Subjects) -> list[Endpoint]:
    """Baselines, the premises list (web and API) filtered by each area, and the home page for three roles.

    The area lists are requested by the district-wide admin, so only the area filter changes between them.
    """
    endpoints = [Endpoint("bare", "baseline", "/bench/bare/", subjects.admin)]
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(f"orm_json_{key}", "baseline", f"/bench/orm-json/?area={pk}", subjects.admin, key)
        )
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(
                f"web_list_{key}",
                "web_list",
                f"/registry/premises/?area={pk}",
                subjects.admin,
                key,
                small_url=f"/registry/premises/?area={pk}&per_page={SMALL_PAGE}",
            )
        )
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(
                f"api_list_{key}",
                "api_list",
                f"/api/v1/premises/?area={pk}&page_size=50",
                subjects.admin,
                key,
                small_url=f"/api/v1/premises/?area={pk}&page_size={SMALL_PAGE}",
                headers=JSON,
            )
        )
    endpoints += [
        Endpoint("home_admin", "home", "/", subjects.admin),
        Endpoint("home_subdistrict_officer", "home", "/", subjects.subdistrict_officer),
        Endpoint("home_grid_worker", "home", "/", subjects.grid_worker),
    ]
    return endpoints


@contextlib.contextmanager
def bench_settings():
    """The site as deployed (DEBUG off: no query log kept), with the bench URLconf adding the baselines.

    Static files: with DEBUG off the storage is WhiteNoise's CompressedStaticFilesStorage, which builds
    URLs without a manifest, so pages render without collectstatic and nothing here is changed.
    """
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        yield


_PREMISES_LINK = re.compile(r'href="/registry/premises/(\d+)/"')
_HAZARD_LINK = re.compile(r'href="/inspections/hazards/(\d+)/"')


def _row_ids(endpoint: Endpoint, response) -> list[int] | None:
    """The row ids a response shows, in order (to check the baselines show the same rows)."""
    if endpoint.group == "home" or endpoint.name == "bare":
        return None
    if endpoint.group.endswith("web_list"):
        ids: list[int] = []
        for match in (endpoint.links or _PREMISES_LINK).finditer(response.content.decode()):
            pk = int(match.group(1))
            if pk not in ids:
                ids.append(pk)
        return ids
    data = json.loads(response.content)
    return [row["id"] for row in data["results"]]


def _capture(client, endpoint: Endpoint, url: str):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **endpoint.headers)
    if response.status_code != 200:
        raise RuntimeError(f"bench: {endpoint.name} {url} answered {response.status_code}")
    return response, ctx.captured_queries


def measure(endpoints: list[Endpoint], requests: int) -> dict[str, dict[str, Any]]:
    """Query counts (one captured request per endpoint, also the warm-up), then `requests` interleaved rounds:
    for each round, one request to every endpoint in turn. Returns raw samples and query facts per endpoint."""
    from django.test import Client

    clients: dict[int, Client] = {}
    for ep in endpoints:
        if ep.user.pk not in clients:
            client = Client()
            client.force_login(ep.user)
            clients[ep.user.pk] = client

    raw: dict[str, dict[str, Any]] = {}
    with bench_settings():
        for ep in endpoints:
            client = clients[ep.user.pk]
            response, queries = _capture(client, ep, ep.url)
            slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:SLOWEST]
            raw[ep.name] = {
                "queries": len(queries),
                "bytes": len(response.content),
                "row_ids": _row_ids(ep, response),
                "slowest_queries": [
                    {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in slowest
                ],
                "samples_ms": [],
            }
            if ep.small_url:
                _, small = _capture(client, ep, ep.small_url)
                raw[ep.name]["queries_small_page"] = len(small)
        for _ in range(requests):
            for ep in endpoints:
                client = clients[ep.user.pk]
                started = time.perf_counter_ns()
                response = client.get(ep.url, **ep.headers)
                elapsed = time.perf_counter_ns() - started
                if response.status_code != 200:
                    raise RuntimeError(f"bench: {ep.name} {ep.url} answered {response.status_code}")
                raw[ep.name]["samples_ms"].append(elapsed / 1e6)
    return raw


def _p90(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=10, method="inclusive")[8]


def summarise(endpoints: list[Endpoint], raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Median and p90 in ms, and the ratios of medians to `bare` and to `orm_json` of the same area (the
    district's for pages without an area)."""
    medians = {name: statistics.median(r["samples_ms"]) for name, r in raw.items()}
    out: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        r = raw[ep.name]
        orm = ep.baseline or f"orm_json_{ep.area or 'district'}"
        entry: dict[str, Any] = {
            "group": ep.group,
            "url": ep.url,
            "user": ep.user.username,
            "area": ep.area or None,
            "median_ms": round(medians[ep.name], 3),
            "p90_ms": round(_p90(r["samples_ms"]), 3),
            "min_ms": round(min(r["samples_ms"]), 3),
            "samples": len(r["samples_ms"]),
            "queries": r["queries"],
            "ratio_to_bare": round(medians[ep.name] / medians["bare"], 2),
            "ratio_to_orm_json": round(medians[ep.name] / medians[orm], 2),
            "orm_json_baseline": orm,
            "bytes": r["bytes"],
            # From the one captured (first, so possibly cold) request: where to look, not a figure.
            "slowest_queries": r["slowest_queries"],
        }
        if "queries_small_page" in r:
            entry["queries_small_page"] = r["queries_small_page"]
        if r["row_ids"] is not None:
            entry["rows"] = len(r["row_ids"])
            if ep.group.endswith("_list"):
                entry["same_rows_as_orm_json"] = r["row_ids"] == raw[orm]["row_ids"]
        out[ep.name] = entry
    return out


def query_check(
    summary: dict[str, dict[str, Any]], groups: tuple[str, ...] = ("web_list", "api_list")
) -> dict[str, Any]:
    """Queries per request must not grow with the data: the same across areas of every size, and the same
    for a 10-row page as for a 50-row one (an N+1 would show there). A grid filter may use one query fewer
    (its grid ids are known without asking the database)."""
    check: dict[str, Any] = {}
    ok = True
    for group in groups:
        by_area = {e["area"]: e["queries"] for e in summary.values() if e["group"] == group}
        larger = {by_area[k] for k in AREA_KEYS[1:]}
        group_ok = len(larger) == 1 and by_area["grid"] in {min(larger), min(larger) - 1}
        rows_ok = all(
            e["queries"] == e.get("queries_small_page", e["queries"])
            for e in summary.values()
            if e["group"] == group
        )
        check[group] = {"by_area": by_area, "same_across_areas": group_ok, "same_for_10_and_50_rows": rows_ok}
        ok = ok and group_ok and rows_ok
    home = {e["user"]: e["queries"] for e in summary.values() if e["group"] == "home"}
    if home:
        check["home"] = home
    return {"constant": ok, "detail": check}


def targets(summary: dict[str, dict[str, Any]], load_result: dict[str, Any] | None, scale: int) -> dict:
    api = {e["area"]: e["ratio_to_orm_json"] for e in summary.values() if e["group"] == "api_list"}
    result: dict[str, Any] = {
        "api_within_1_5x_orm_json": {
            "target": API_TARGET_RATIO,
            "by_area": api,
            "worst": max(api.values()),
            "met": max(api.values()) <= API_TARGET_RATIO,
        }
    }
    applies = scale >= LOAD_TARGET_SCALE and load_result is not None
    note = None if applies else f"applies to a load at scale >= {LOAD_TARGET_SCALE}"
    for key, target, value in (
        ("load_under_900_s", LOAD_TARGET_SECONDS, load_result and load_result["seconds"]),
        ("load_under_2048_mb", LOAD_TARGET_MB, load_result and load_result["peak_rss_mb"]),
    ):
        result[key] = {
            "target": target,
            "value": value,
            "met": (value < target) if applies else None,
            **({"note": note} if note else {}),
        }
    return result


def measure_latency(subjects: Subjects, requests: int) -> dict[str, Any]:
    """Everything about latency for one set of subjects: the entry point the smoke test uses too."""
    endpoints = build_endpoints(subjects)
    raw = measure(endpoints, requests)
    summary = summarise(endpoints, raw)
    return {"endpoints": summary, "queries": query_check(summary)}


def area_facts(subjects: Subjects) -> dict[str, dict[str, Any]]:
    from firegrid.registry.models import Premises

    return {
        key: {
            "id": area.pk,
            "name": area.name,
            "grids": len(area.grid_ids()),
            "premises": Premises.objects.in_area(area).count(),
        }
        for key, area in subjects.areas.items()
    }


# --------------------------------------------------------------------------------------------------
# The hazard list (bench/hazards.py loads ~3 M at scale 600): the same measures as the premises list
# --------------------------------------------------------------------------------------------------


def build_hazard_endpoints(subjects: Subjects) -> list[Endpoint]:
    """`bare`, then per area the hazard baseline, the web hazard list and the API hazard list, requested by
    the district-wide admin with the area filter — as the premises lists are measured."""
    endpoints = [
        Endpoint("bare", "baseline", "/bench/bare/", subjects.admin, baseline="orm_json_hazards_district")
    ]
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(
                f"orm_json_hazards_{key}",
                "baseline",
                f"/bench/orm-json-hazards/?area={pk}",
                subjects.admin,
                key,
                baseline=f"orm_json_hazards_{key}",
            )
        )
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(
                f"web_hazards_{key}",
                "hazard_web_list",
                f"/inspections/hazards/?area={pk}",
                subjects.admin,
                key,
                small_url=f"/inspections/hazards/?area={pk}&per_page={SMALL_PAGE}",
                baseline=f"orm_json_hazards_{key}",
                links=_HAZARD_LINK,
            )
        )
    for key in AREA_KEYS:
        pk = subjects.areas[key].pk
        endpoints.append(
            Endpoint(
                f"api_hazards_{key}",
                "hazard_api_list",
                f"/api/v1/hazards/?area={pk}&page_size=50",
                subjects.admin,
                key,
                small_url=f"/api/v1/hazards/?area={pk}&page_size={SMALL_PAGE}",
                headers=JSON,
                baseline=f"orm_json_hazards_{key}",
            )
        )
    return endpoints


def measure_hazard_latency(subjects: Subjects, requests: int) -> dict[str, Any]:
    """The hazard list's latency, ratios and queries; its own interleaved rounds and its own `bare`."""
    from firegrid.inspections.models import Hazard

    endpoints = build_hazard_endpoints(subjects)
    raw = measure(endpoints, requests)
    summary = summarise(endpoints, raw)
    hazards = {
        key: Hazard.objects.filter(building__grid_id__in=a.grid_ids()).count()
        for key, a in subjects.areas.items()
    }
    return {
        "hazards_by_area": hazards,
        "endpoints": summary,
        "queries": query_check(summary, ("hazard_web_list", "hazard_api_list")),
    }


# --------------------------------------------------------------------------------------------------
# Submitting an inspection: 60 answers and 3 photos of 12 MP, through the API, vs same-run baselines
# --------------------------------------------------------------------------------------------------


def phone_photo(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A 12 MP JPEG as a phone writes it: gradients and sensor noise (≈ 5–6 MB at quality 90), EXIF with
    an orientation to apply, the time taken and a GPS position in Quzhou."""
    import random

    from PIL import ExifTags, Image, ImageChops
    from PIL.TiffImagePlugin import IFDRational

    width, height = size
    rng = random.Random(seed)
    gradient = Image.linear_gradient("L").resize(size)
    other = Image.linear_gradient("L").rotate(90 * (1 + seed % 3)).resize(size)
    noise = Image.effect_noise(size, 20)
    blotches = Image.effect_noise((width // 4, height // 4), 60).resize(size, Image.Resampling.BICUBIC)
    picture = Image.merge(
        "RGB",
        (
            ImageChops.add(gradient, noise, offset=-128 + rng.randrange(-20, 20)),
            ImageChops.add(other, blotches, offset=-128),
            ImageChops.blend(noise, blotches, 0.5),
        ),
    )
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "bench phone"
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "2026:11:28 10:15:00"}
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (IFDRational(28), IFDRational(58), IFDRational(3000, 100)),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (IFDRational(118), IFDRational(52), IFDRational(1000, 100)),
    }
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def _multipart(fields: dict[str, Any], boundary: str) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart(boundary, fields)


@dataclass
class Submission:
    """What each timed submission sends: the premises to inspect (one per round, as a grid worker walks
    a street), 60 answers, 3 photos hanging on the 3 failed items — request bodies made once, so the
    timing is the server's, not the test client's encoding."""

    user: Any
    premises: list[Any]
    answers: list[dict[str, Any]]
    applicable: int
    failed: list[str]
    photos: list[bytes]
    photo_bodies: list[bytes]
    boundary: str


def prepare_submission(
    subjects: Subjects, rounds: int, photo_size: tuple[int, int] = PHOTO_SIZE
) -> Submission:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from firegrid.inspections.choices import Severity
    from firegrid.inspections.services import default_template
    from firegrid.registry.models import Premises

    template = default_template()
    items = list(template.items.all())
    grid = subjects.areas["grid"]
    candidates = list(Premises.objects.filter(building__grid_id__in=grid.grid_ids()).order_by("pk")[:2000])
    if not candidates:
        raise SystemExit("bench: no premises in the grid worker's grid")

    def applicable(p) -> list[Any]:
        return [i for i in items if i.applies_to_premises(p)]

    # The premises with the longest checklist (a shared rental: 49 items of zj-2019.1), one per round.
    most = max(len(applicable(p)) for p in candidates)
    chosen = [p for p in candidates if len(applicable(p)) == most]
    premises = [chosen[i % len(chosen)] for i in range(rounds)]
    own = applicable(premises[0])
    failed = [i.code for i in own if i.severity == Severity.ORDINARY][:SUBMIT_PHOTOS]
    answers = [{"item_code": i.code, "result": "fail" if i.code in failed else "pass"} for i in own]
    # Up to 60 answers: items that do not apply to this kind of premises are answered 不适用, as the
    # checklist allows (the template has 62 items; no premises kind has 60 of its own).
    others = [i for i in items if i not in own]
    answers += [
        {"item_code": i.code, "result": "na"} for i in others[: max(0, SUBMIT_ANSWERS - len(answers))]
    ]
    photos = [phone_photo(n, photo_size) for n in range(SUBMIT_PHOTOS)]
    boundary = "BenchBoundary7MA4YWxkTrZu0gW"
    bodies = [
        _multipart(
            {
                "file": SimpleUploadedFile(f"IMG_{n:04d}.jpg", data, "image/jpeg"),
                "item_code": code,
                "role": "evidence",
            },
            boundary,
        )
        for n, (data, code) in enumerate(zip(photos, failed, strict=True))
    ]
    return Submission(subjects.grid_worker, premises, answers, len(own), failed, photos, bodies, boundary)


SUBMIT_STEPS = ("start", "answers", *(f"photo_{n + 1}" for n in range(SUBMIT_PHOTOS)), "submit")


def submit_once(client, sub: Submission, premises) -> dict[str, float]:
    """One inspection through the API, as the phone app would send it; ms per step."""
    import uuid

    times: dict[str, float] = {}

    def call(step: str, method: str, url: str, body: bytes | str, content_type: str, expect: int):
        started = time.perf_counter_ns()
        response = getattr(client, method)(
            url, body, content_type=content_type, HTTP_ACCEPT="application/json"
        )
        times[step] = (time.perf_counter_ns() - started) / 1e6
        if response.status_code != expect:
            raise RuntimeError(f"bench: {step} answered {response.status_code}: {response.content[:300]!r}")
        return response

    start = {"premises": premises.pk, "kind": "survey", "client_uuid": str(uuid.uuid4())}
    response = call("start", "post", "/api/v1/inspections/", json.dumps(start), "application/json", 201)
    base = f"/api/v1/inspections/{json.loads(response.content)['id']}/"
    call("answers", "put", base + "answers/", json.dumps(sub.answers), "application/json", 200)
    for n, body in enumerate(sub.photo_bodies):
        call(
            f"photo_{n + 1}",
            "post",
            base + "photos/",
            body,
            f"multipart/form-data; boundary={sub.boundary}",
            201,
        )
    call("submit", "post", base + "submit/", json.dumps({"outcome": "inspected"}), "application/json", 200)
    return times


def decode_photos(photos: list[bytes]) -> None:
    """The baseline: only decoding the photos with Pillow, every pixel (no checks, no resizing, no storage)."""
    from PIL import Image

    for data in photos:
        with Image.open(io.BytesIO(data)) as im:
            im.load()


def measure_submission(
    subjects: Subjects, rounds: int, photo_size: tuple[int, int] = PHOTO_SIZE
) -> dict[str, Any]:
    """`rounds` interleaved rounds of: bare, the same 3 uploads to a view that only receives them, decoding
    the 3 photos in-process, and one whole submission (start → answers → 3 photos → submit)."""
    from django.test import Client

    from firegrid.inspections.models import Answer, Hazard, Inspection, Photo

    sub = prepare_submission(subjects, rounds, photo_size)
    client = Client()
    client.force_login(sub.user)
    samples: dict[str, list[float]] = {
        "bare": [],
        "upload_bare": [],
        "decode_photos": [],
        "submission": [],
        **{step: [] for step in SUBMIT_STEPS},
    }
    created: list[int] = []
    with bench_settings():
        for _ in range(2):  # warm-up: imports, first connection, Pillow's plugins
            client.get("/bench/bare/")
            decode_photos(sub.photos[:1])
        for premises in sub.premises:
            started = time.perf_counter_ns()
            response = client.get("/bench/bare/")
            samples["bare"].append((time.perf_counter_ns() - started) / 1e6)
            assert response.status_code == 200
            started = time.perf_counter_ns()
            for body in sub.photo_bodies:
                response = client.post(
                    "/bench/upload/", body, content_type=f"multipart/form-data; boundary={sub.boundary}"
                )
                assert response.status_code == 200, response.status_code
            samples["upload_bare"].append((time.perf_counter_ns() - started) / 1e6)
            started = time.perf_counter_ns()
            decode_photos(sub.photos)
            samples["decode_photos"].append((time.perf_counter_ns() - started) / 1e6)
            before = Inspection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            steps = submit_once(client, sub, premises)
            samples["submission"].append(sum(steps.values()))
            for step, ms in steps.items():
                samples[step].append(ms)
            created += list(Inspection.objects.filter(pk__gt=before).values_list("pk", flat=True))
    last = Inspection.objects.get(pk=created[-1])
    check = {
        "inspections": len(created),
        "answers": Answer.objects.filter(inspection=last).count(),
        "photos": Photo.objects.filter(inspection=last).count(),
        "hazards": Hazard.objects.filter(inspection=last).count(),
        "status": last.status,
    }
    medians = {name: statistics.median(values) for name, values in samples.items()}
    figures = {
        name: {
            "median_ms": round(medians[name], 2),
            "p90_ms": round(_p90(values), 2),
            "min_ms": round(min(values), 2),
        }
        for name, values in samples.items()
    }
    return {
        "rounds": rounds,
        "answers": len(sub.answers),
        "applicable_items": sub.applicable,
        "failed_items": sub.failed,
        "photo_bytes": [len(p) for p in sub.photos],
        "photo_pixels": f"{photo_size[0]}x{photo_size[1]}",
        "figures": figures,
        "ratio_to_bare": round(medians["submission"] / medians["bare"], 1),
        "ratio_to_upload_bare": round(medians["submission"] / medians["upload_bare"], 2),
        "ratio_to_decode_photos": round(medians["submission"] / medians["decode_photos"], 2),
        "photo_step_ratio_to_decode": round(
            sum(medians[f"photo_{n + 1}"] for n in range(SUBMIT_PHOTOS)) / medians["decode_photos"], 2
        ),
        "last_submission": check,
    }


# --------------------------------------------------------------------------------------------------
# EXPLAIN ANALYZE of each endpoint's slowest query (PostgreSQL, --explain)
# --------------------------------------------------------------------------------------------------


def explain(summary: dict[str, dict[str, Any]]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every distinct query that took EXPLAIN_MS or more when captured."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "EXPLAIN ANALYZE needs PostgreSQL\n"
    seen: set[str] = set()
    out = []
    for name, e in summary.items():
        for q in e["slowest_queries"]:
            sql = q["sql"]
            if q["ms"] < EXPLAIN_MS or sql in seen or not sql.lstrip().upper().startswith("SELECT"):
                continue
            seen.add(sql)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"-- {name}: {q['ms']} ms when captured\n{sql}\n\n{plan}\n")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def git_info() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD") or None, "changed_files": len(status.splitlines())}


def machine_info() -> dict[str, Any]:
    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import django

    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "loadavg": list(os.getloadavg()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


def table(results: dict[str, Any]) -> str:
    lines = []
    db = results["database"]
    lines.append(
        f"Firegrid bench — scale {results['scale']} on {db['engine']} {db.get('version', '')}, "
        f"{results['requests']} interleaved rounds, {results['timestamp']}"
    )
    if results.get("load"):
        ld = results["load"]
        if ld.get("skipped") and "seconds" not in ld:
            lines.append("load: skipped (--skip-load)")
        else:
            if ld.get("skipped"):
                lines.append(f"load: not repeated (--skip-load); figures from the load of {ld['loaded_at']}")
            lines.append(
                f"load: demo --scale {results['scale']} {ld['seconds']:.1f} s, peak RSS {ld['peak_rss_mb']:.0f} MB "
                f"(migrate {ld['migrate']['seconds']:.1f} s; VACUUM ANALYZE {ld.get('vacuum_analyze_seconds')} s)"
            )
        c = ld.get("counts", {})
        lines.append("data: " + ", ".join(f"{k} {v:,}" for k, v in c.items()))
    lines.append(
        "areas: "
        + ", ".join(f"{k} {a['name']} ({a['premises']:,} premises)" for k, a in results["areas"].items())
    )
    lines.append("")
    lines += _endpoint_lines(results["endpoints"])
    lines.append("")
    q = results["queries"]
    lines.append(
        f"queries constant as data grows: {q['constant']}  {json.dumps(q['detail'], ensure_ascii=False)}"
    )
    for key, t in results["targets"].items():
        met = {True: "MET", False: "NOT MET", None: "n/a"}[t["met"]]
        value = t.get("worst", t.get("value"))
        lines.append(
            f"target {key}: {met} (value {value}, target {t['target']}){' — ' + t['note'] if t.get('note') else ''}"
        )
    if results.get("hazard_list"):
        lines += ["", *_endpoint_lines(results["hazard_list"]["endpoints"])]
        hl = results["hazard_list"]
        lines.append("hazards by area: " + ", ".join(f"{k} {v:,}" for k, v in hl["hazards_by_area"].items()))
        lines.append(f"hazard list queries constant: {hl['queries']['constant']}")
    if results.get("inspection_submit"):
        sub = results["inspection_submit"]
        fig = sub["figures"]
        lines.append("")
        lines.append(
            f"inspection submit ({sub['answers']} answers, {len(sub['photo_bytes'])} photos of "
            f"{sub['photo_pixels']}, {sub['rounds']} rounds): median {fig['submission']['median_ms']:.0f} ms "
            f"= {sub['ratio_to_decode_photos']} x decoding the photos ({fig['decode_photos']['median_ms']:.0f} ms), "
            f"{sub['ratio_to_upload_bare']} x receiving them ({fig['upload_bare']['median_ms']:.0f} ms), "
            f"{sub['ratio_to_bare']} x bare"
        )
        lines.append(
            "  steps (median ms): "
            + ", ".join(f"{step} {fig[step]['median_ms']:.0f}" for step in SUBMIT_STEPS)
        )
    return "\n".join(lines)


def _endpoint_lines(endpoints: dict[str, dict[str, Any]]) -> list[str]:
    header = (
        f"{'endpoint':<26}{'median ms':>10}{'p90 ms':>9}{'x bare':>8}{'x orm_json':>11}{'queries':>9}  rows"
    )
    lines = [header, "-" * len(header)]
    for name, e in endpoints.items():
        rows = e.get("rows", "")
        same = e.get("same_rows_as_orm_json")
        rows = f"{rows}{'' if same is None else (' =orm' if same else ' DIFFERENT')}"
        lines.append(
            f"{name:<26}{e['median_ms']:>10.2f}{e['p90_ms']:>9.2f}{e['ratio_to_bare']:>8.1f}"
            f"{e['ratio_to_orm_json']:>11.2f}{e['queries']:>9}  {rows}"
        )
    return lines


def add_load_arguments(p: argparse.ArgumentParser, out: Path) -> None:
    """The options every benchmark that loads (or reuses) the demo database takes."""
    p.add_argument(
        "--scale",
        type=int,
        default=DEFAULT_SCALE,
        help="demo scale (600: 2 M premises, 6.6 M rooms); default 10",
    )
    p.add_argument("--seed", type=int, default=None, help="demo seed (default: the demo's own)")
    p.add_argument(
        "--hazards-per-premises",
        type=float,
        default=DEFAULT_HAZARDS_PER_PREMISES,
        help="hazards loaded after the demo (bench/hazards.py); 1.5 ≈ 3 M at scale 600; 0: none",
    )
    p.add_argument(
        "--database-url",
        default=None,
        help=f"default: {DEFAULT_PG_URL} if the server answers, else SQLite in a temporary folder",
    )
    p.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="interleaved rounds (default 30)")
    p.add_argument("--skip-load", action="store_true", help="measure the data already in the database")
    p.add_argument(
        "--recreate",
        action="store_true",
        help="allow dropping a --database-url whose name does not contain 'bench'",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the queries that took >= 5 ms, into <out>-explain.txt",
    )
    p.add_argument("--out", default=str(out))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(p, REPO / "bench" / "results.json")
    p.add_argument(
        "--add-hazards",
        action="store_true",
        help="with --skip-load: load the hazards onto the data already there (it must have none)",
    )
    p.add_argument(
        "--submit-rounds",
        type=int,
        default=DEFAULT_SUBMIT_ROUNDS,
        help="inspection submissions timed (60 answers, 3 photos of 12 MP each); 0: skip (default 10)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.requests < 1:
        raise SystemExit("bench: --requests must be at least 1 (30 or more for figures worth comparing)")
    return in_data_dir(_run, args, argv)


def in_data_dir(body: Any, args: argparse.Namespace, argv: list[str] | None) -> int:
    """`body(args, data_dir, argv)` with a temporary FIREGRID_DATA_DIR, removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="firegrid-bench-"))
    try:
        return body(args, data_dir, sys.argv[1:] if argv is None else argv)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def previous_load(out: Path, url: str) -> dict[str, Any] | None:
    """The earlier results file for the same database, if it recorded a load (for --skip-load)."""
    try:
        previous = json.loads(out.read_text())
    except (OSError, ValueError):
        return None
    if previous.get("database", {}).get("url") != redact(url) or "seconds" not in previous.get("load", {}):
        return None
    load = {k: v for k, v in previous["load"].items() if k not in {"counts", "skipped", "loaded_at"}}
    return {
        "scale": previous["scale"],
        "timestamp": previous["load"].get("loaded_at") or previous["timestamp"],
        "load": load,
    }


def choose_database(url: str | None, *, skip_load: bool, data_dir: Path) -> str:
    """The database to measure: `url`, else PostgreSQL's bench database if the server answers, else SQLite
    in `data_dir` (which cannot be reused, hence not with --skip-load)."""
    if url is not None:
        return url
    if postgres_answers(DEFAULT_PG_URL):
        print(f"bench: PostgreSQL answers: using {DEFAULT_PG_URL}", flush=True)
        return DEFAULT_PG_URL
    if skip_load:
        raise SystemExit("bench: --skip-load needs --database-url when PostgreSQL is not running")
    url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    print(f"bench: PostgreSQL does not answer at {DEFAULT_PG_URL}: using SQLite ({url})", flush=True)
    return url


def drop_database(url: str, *, recreate: bool) -> None:
    """Drop and re-create the database before a load: only one whose name says "bench", unless `recreate`."""
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in Path(name).name and not recreate:
        raise SystemExit(f"bench: refusing to drop database {name!r} (add --recreate to allow it)")
    print(f"bench: dropping and re-creating database {name}", flush=True)
    if is_postgres(url):
        recreate_postgres(url)
    elif urlsplit(url).scheme == "sqlite":
        import dj_database_url

        path = REPO / dj_database_url.parse(url)["NAME"]  # an absolute NAME replaces REPO
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _run(args: argparse.Namespace, data_dir: Path, argv: list[str]) -> int:
    url = choose_database(args.database_url, skip_load=args.skip_load, data_dir=data_dir)
    load_result: dict[str, Any] | None = None
    if not args.skip_load:
        drop_database(url, recreate=args.recreate)
        load_result = load(url, data_dir, args.scale, args.seed, args.hazards_per_premises)
    added_hazards = None
    if args.skip_load and args.add_hazards and args.hazards_per_premises > 0:
        added_hazards = load_hazards(url, data_dir, args.hazards_per_premises, args.seed)

    setup_django(url, data_dir)
    scale = args.scale
    if load_result is not None or added_hazards is not None:
        print("bench: VACUUM ANALYZE after the bulk load", flush=True)
        vacuum_seconds = vacuum_analyze()
    if load_result is not None:
        load_result["vacuum_analyze_seconds"] = vacuum_seconds
    else:
        load_result = {"skipped": True}
        previous = previous_load(Path(args.out), url)
        if previous:
            # The same database measured again: keep the load figures of the run that built it.
            scale = previous["scale"]
            load_result.update(previous["load"], skipped=True, loaded_at=previous["timestamp"])
            print(
                f"bench: --skip-load: load figures and scale {scale} from the run of {previous['timestamp']}"
            )
        if added_hazards is not None:
            load_result["hazards"] = {**added_hazards, "vacuum_analyze_seconds": vacuum_seconds}
    load_result["counts"] = registry_counts()

    subjects = pick_subjects()
    areas = area_facts(subjects)
    machine = machine_info()
    print(f"bench: measuring {args.requests} interleaved rounds", flush=True)
    started = time.perf_counter()
    latency = measure_latency(subjects, args.requests)
    hazard_list = None
    if load_result["counts"]["hazards"]:
        print(f"bench: hazard list, {args.requests} interleaved rounds", flush=True)
        hazard_list = measure_hazard_latency(subjects, args.requests)
    submission = None
    if args.submit_rounds > 0:  # last: it writes inspections, photos and hazards
        print(f"bench: {args.submit_rounds} inspection submissions", flush=True)
        submission = measure_submission(subjects, args.submit_rounds)
    machine["loadavg_end"] = list(os.getloadavg())
    results = {
        "timestamp": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["bench/run.py", *argv]),
        "git": git_info(),
        "machine": machine,
        "database": {"url": redact(url), **database_info()},
        "scale": scale,
        "seed": args.seed,
        "requests": args.requests,
        "measure_seconds": round(time.perf_counter() - started, 1),
        "load": load_result,
        "areas": areas,
        **latency,
        "hazard_list": hazard_list,
        "inspection_submit": submission,
    }
    results["targets"] = targets(
        latency["endpoints"], load_result if "seconds" in load_result else None, scale
    )
    measured = {**latency["endpoints"], **(hazard_list["endpoints"] if hazard_list else {})}
    plans = explain(measured) if args.explain else ""
    write_results(results, Path(args.out), measured, plans if args.explain else None, table)
    return 0


def write_results(
    results: dict[str, Any], out: Path, measured: dict[str, dict[str, Any]], plans: str | None, table: Any
) -> None:
    """The results file (the slow queries' SQL shortened), the EXPLAIN file beside it when `plans` is
    given, and the table printed."""
    for e in measured.values():
        for q in e["slowest_queries"]:
            q["sql"] = q["sql"][:SQL_CHARS] + ("…" if len(q["sql"]) > SQL_CHARS else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    if plans is not None:
        explain_path = out.with_name(out.stem + "-explain.txt")
        explain_path.write_text(plans)
        print(f"bench: EXPLAIN ANALYZE of the slowest queries -> {explain_path}")
    print()
    print(table(results))
    print(f"\nbench: wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
