"""make bench-reports: the daily report's generation time against the one equivalent SQL GROUP BY.

On a PostgreSQL database already holding the demo registry (`firegrid demo --scale K`), this:

1. applies the reports migrations (and what they depend on) — it never drops anything;
2. unless the campaign `bench-reports` already exists with its targets, creates it with
   `--per-unit` targets (default 1,095) per unit of scale, spread over the whole registry, each with a
   plan history (draft → notified → rectifying → recheck requested → accepted, a share going overdue,
   some cancelled, 1–5 moves spread over the campaign's period) and the claims of the four-category
   landlords by their employer units — all by INSERT … SELECT in the database (no Python loop);
3. measures, interleaved over `--rounds` rounds: `generate_snapshot` (rolled back after each round, so
   every round really computes and writes) and one raw SQL GROUP BY computing the same per-grid,
   per-progress counts over the same tables (latest move per premises before the day ends, DISTINCT
   ON); checks both give the same counts; reports medians, their ratio and this process's peak RSS;
4. makes the daily report of every campaign day up to yesterday that has none (`generate_snapshot`,
   committed — the dashboard reads its progress figures from them), then times the commander's campaign
   dashboard page (`--dashboard-requests`, through the Django test client, after one warm-up request)
   without today's report and with it (made in a transaction rolled back after): median latency and
   SQL statements per request.

    bench/reports.py --database-url postgres://postgres@127.0.0.1:5432/firegrid_bench_600 --scale 600
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CODE = "bench-reports"
PATH = ["draft", "notified", "rectifying", "recheck_requested", "accepted"]

RAW_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (pl.premises_id) pl.premises_id, m.to_state
    FROM rectification_plan pl
    JOIN rectification_planmove m ON m.plan_id = pl.id
    WHERE pl.campaign_id = %(campaign)s AND m.time < %(end)s
    ORDER BY pl.premises_id, m.time DESC, m.id DESC
)
SELECT b.grid_id,
       CASE
           WHEN l.to_state = 'draft' THEN 'with_hazards'
           WHEN l.to_state = 'notified' THEN 'notified'
           WHEN l.to_state IN ('rectifying', 'recheck_requested') THEN 'rectifying'
           WHEN l.to_state IN ('overdue', 'escalated', 'enforcement') THEN 'overdue'
           WHEN l.to_state = 'accepted' THEN 'accepted'
           WHEN l.to_state = 'cancelled' THEN 'cancelled'
           WHEN EXISTS (
               SELECT 1 FROM inspections_inspection i
               WHERE i.premises_id = t.premises_id AND i.status = 'submitted' AND i.submitted_at < %(end)s
           ) THEN 'with_hazards'
           ELSE 'not_surveyed'
       END AS progress,
       count(*)
FROM campaigns_campaigntarget t
JOIN registry_premises p ON p.id = t.premises_id
JOIN registry_building b ON b.id = p.building_id
LEFT JOIN latest l ON l.premises_id = t.premises_id
WHERE t.campaign_id = %(campaign)s
  AND t.joined_on <= %(day)s AND (t.left_on IS NULL OR t.left_on > %(day)s)
GROUP BY 1, 2
"""


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("FIREGRID_DEV", "1")
    os.environ.pop("DEBUG", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()


def load(scale: int, per_unit: int, today: dt.date) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from firegrid.areas.choices import Role
    from firegrid.areas.models import User
    from firegrid.campaigns.models import Campaign, CampaignTarget, Claim
    from firegrid.registry.models import four_category_q

    campaign, _ = Campaign.objects.get_or_create(
        code=CODE,
        defaults={
            "name": "基准测试行动",
            "starts_on": today - dt.timedelta(days=50),
            "ends_on": today + dt.timedelta(days=10),
            "status": "running",
        },
    )
    wanted = scale * per_unit
    have = CampaignTarget.objects.filter(campaign=campaign).count()
    if have:
        return {"campaign": campaign.pk, "targets": have, "loaded": False}
    officer, _ = User.objects.get_or_create(
        username="bench-reports", defaults={"role": Role.DISTRICT_COMMANDER, "full_name": "基准"}
    )
    started = time.perf_counter()
    now = timezone.now()
    start = dt.datetime.combine(campaign.starts_on, dt.time(9), tzinfo=now.tzinfo)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_premises")
        (premises,) = cursor.fetchone()
        step = max(premises // wanted, 1)
        cursor.execute(
            """INSERT INTO campaigns_campaigntarget
                   (campaign_id, premises_id, source, added_at, joined_on, left_reason)
               SELECT %s, id, 'hazards', %s, %s, '' FROM registry_premises WHERE id %% %s = 0 ORDER BY id LIMIT %s""",
            [campaign.pk, start, campaign.starts_on, step, wanted],
        )
        # 95 % of targets have a plan; the rest are found with hazards but not yet planned.
        cursor.execute(
            """INSERT INTO rectification_plan (version, created_at, updated_at, premises_id, campaign_id,
                   landlord_id, officer_id, state, deadline, cancel_reason, public_key, note)
               SELECT 1, %(now)s, %(now)s, p.id, %(c)s, p.landlord_id, %(officer)s, 'draft', %(deadline)s, '',
                      gen_random_uuid(), ''
               FROM campaigns_campaigntarget t JOIN registry_premises p ON p.id = t.premises_id
               WHERE t.campaign_id = %(c)s AND p.id %% 20 <> 7""",
            {"now": now, "c": campaign.pk, "officer": officer.pk, "deadline": campaign.ends_on},
        )
        # 1–5 moves along the path, one every ~9 days; every 11th plan goes overdue at its 4th move,
        # every 47th is cancelled at its 2nd.
        cursor.execute(
            """INSERT INTO rectification_planmove (plan_id, name, from_state, to_state, actor_id, actor_name,
                   time, reason)
               SELECT pl.id, 'create', '',
                      CASE WHEN pl.id %% 47 = 0 AND s.n = 2 THEN 'cancelled'
                           WHEN pl.id %% 11 = 0 AND s.n = 4 THEN 'overdue'
                           ELSE (ARRAY['draft','notified','rectifying','recheck_requested','accepted'])[s.n]
                      END,
                      NULL, '基准', %(start)s + make_interval(days => ((s.n - 1) * 9 + (pl.id %% 9))::int, hours => (pl.id %% 8)::int), ''
               FROM rectification_plan pl
               CROSS JOIN LATERAL generate_series(1, 1 + (pl.id * 7919) %% 5) AS s(n)
               WHERE pl.campaign_id = %(c)s""",
            {"start": start, "c": campaign.pk},
        )
    targets = CampaignTarget.objects.filter(campaign=campaign)
    landlords = (
        targets.filter(
            four_category_q("premises__landlord__"), premises__landlord__employer_unit__isnull=False
        )
        .values_list("premises__landlord_id", "premises__landlord__employer_unit_id")
        .distinct()
    )
    claims = [
        Claim(campaign=campaign, landlord_id=landlord, unit_id=unit, claimed_by=officer, claimed_at=start)
        for landlord, unit in landlords
    ]
    Claim.objects.bulk_create(claims, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        for table in (
            "campaigns_campaigntarget",
            "rectification_plan",
            "rectification_planmove",
            "campaigns_claim",
        ):
            cursor.execute(f"ANALYZE {table}")
    return {
        "campaign": campaign.pk,
        "targets": targets.count(),
        "claims": len(claims),
        "loaded": True,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def ensure_snapshots(last: dt.date) -> dict:
    """The daily report of every campaign day up to `last` that has none yet, as the 17:00 job makes them
    (`generate_snapshot`, committed): the dashboard reads its burn-down, area, four-category and forecast
    figures from these. Days that already have a snapshot are left as they are."""
    from firegrid.campaigns.models import Campaign
    from firegrid.reports import services
    from firegrid.reports.models import DailySnapshot

    campaign = Campaign.objects.get(code=CODE)
    have = set(DailySnapshot.objects.filter(campaign=campaign).values_list("day", flat=True))
    made, started = [], time.perf_counter()
    day = campaign.starts_on
    while day <= min(last, campaign.ends_on):
        if day not in have:
            services.generate_snapshot(campaign, day)
            made.append(day.isoformat())
            print(f"snapshot {day} ({time.perf_counter() - started:.0f} s)", flush=True)
        day += dt.timedelta(days=1)
    return {
        "generated": len(made),
        "existing": len(have),
        "seconds": round(time.perf_counter() - started, 1),
    }


def measure(rounds: int, day: dt.date) -> dict:
    from django.db import connection, transaction
    from django.db.models import Count

    from firegrid.campaigns import status
    from firegrid.campaigns.models import Campaign
    from firegrid.reports import services

    campaign = Campaign.objects.get(code=CODE)
    end = status.day_end(day)

    class Rollback(Exception):
        pass

    generation, raw = [], []
    raw_counts = orm_counts = None
    statements: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(time.perf_counter() - started)

    for _ in range(rounds):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, {"campaign": campaign.pk, "end": end, "day": day})
            rows = cursor.fetchall()
        raw.append(time.perf_counter() - t0)
        raw_counts = {(g, p): n for g, p, n in rows}
        statements.clear()
        t0 = time.perf_counter()
        try:
            with transaction.atomic(), connection.execute_wrapper(timed):
                snapshot = services.generate_snapshot(campaign, day, correction=True, reason="bench")
                grid_rows = list(snapshot.rows.filter(dimension="grid"))
                raise Rollback
        except Rollback:
            pass
        generation.append(time.perf_counter() - t0)
    # The ORM's per-grid counts, once, to check both ask the same question.
    grouped = (
        status.with_progress(status.targets(campaign), campaign, day)
        .order_by()
        .values("building__grid_id", "progress")
        .annotate(n=Count("pk"))
    )
    orm_counts = {(r["building__grid_id"], r["progress"]): r["n"] for r in grouped}
    assert orm_counts == raw_counts, "the raw SQL and the report disagree"
    assert sum(r.in_scope for r in grid_rows) == sum(raw_counts.values())
    return {
        "rounds": rounds,
        "day": day.isoformat(),
        "targets": sum(raw_counts.values()),
        "generation_median_s": round(statistics.median(generation), 3),
        "raw_group_by_median_s": round(statistics.median(raw), 3),
        "ratio": round(statistics.median(generation) / statistics.median(raw), 2),
        "generation_s": [round(x, 3) for x in generation],
        # The last round's statements over 0.1 s, in the order run: per grid, units, four-category.
        "generation_queries": len(statements),
        "generation_slow_queries_s": [round(x, 3) for x in statements if x > 0.1],
        "raw_group_by_s": [round(x, 3) for x in raw],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure_dashboard(requests: int, with_today: bool = False) -> dict:
    """The commander's campaign dashboard (/dashboards/campaigns/<id>/) through the Django test client:
    one warm-up request, then `requests` timed ones; the median latency, the SQL statements per request
    and the slowest statements of the last request.

    The dashboard reads the daily reports (made by `ensure_snapshots` up to yesterday). Without today's
    report (before 17:00) the burn-down's today point is counted live; `with_today` first makes today's
    report inside a transaction that is rolled back afterwards (the evening's page; nothing is kept)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from firegrid.areas.choices import Role
    from firegrid.areas.models import User
    from firegrid.campaigns.models import Campaign
    from firegrid.reports import services

    campaign = Campaign.objects.get(code=CODE)
    commander, _ = User.objects.get_or_create(
        username="bench-reports", defaults={"role": Role.DISTRICT_COMMANDER, "full_name": "基准"}
    )
    client = Client()
    client.force_login(commander)
    url = reverse("dashboards:campaign", args=[campaign.pk])
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, " ".join(sql.split())[:90]))

    class Rollback(Exception):
        pass

    latencies, queries = [], []
    try:
        with transaction.atomic():
            if with_today:
                services.generate_snapshot(campaign, timezone.localdate())
            for n in range(requests + 1):
                statements.clear()
                t0 = time.perf_counter()
                with connection.execute_wrapper(timed):
                    response = client.get(url)
                elapsed = time.perf_counter() - t0
                assert response.status_code == 200, response.status_code
                if n:  # the first request warms caches and is not counted
                    latencies.append(elapsed)
                    queries.append(len(statements))
            raise Rollback
    except Rollback:
        pass
    slowest = sorted(statements, reverse=True)[:6]
    return {
        "url": url,
        "todays_report": "made, rolled back after"
        if with_today
        else "none yet: today's burn-down point is live",
        "requests": requests,
        "median_s": round(statistics.median(latencies), 3),
        "latency_s": [round(x, 3) for x in latencies],
        "queries_per_request": statistics.median(queries),
        "sql_s_last_request": round(sum(d for d, _ in statements), 3),
        "slowest_statements_last_request": [[round(d, 3), sql] for d, sql in slowest],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/firegrid_bench"),
    )
    p.add_argument(
        "--scale", type=int, default=10, help="the demo scale of that database (targets = scale × per-unit)"
    )
    p.add_argument("--per-unit", type=int, default=1095)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument(
        "--dashboard-requests",
        type=int,
        default=5,
        help="timed requests of the commander's campaign dashboard after one warm-up (0: skip)",
    )
    p.add_argument("--out", default=str(ROOT / "bench" / "results-reports.json"))
    args = p.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        p.error("the report benchmark runs on PostgreSQL")
    setup(args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    # The campaigns app's own migrations too: the claims written below need every column the model has.
    call_command("migrate", "campaigns", verbosity=0)
    call_command("migrate", "reports", verbosity=0)
    today = timezone.localdate()
    loaded = load(args.scale, args.per_unit, today)
    print(f"campaign {CODE}: {loaded}", flush=True)
    result = {
        "database": args.database_url.rsplit("/", 1)[-1],
        "scale": args.scale,
        "load": loaded,
        **measure(args.rounds, today - dt.timedelta(days=1)),
    }
    if args.dashboard_requests > 0:
        # The dashboard reads the daily reports: make the missing ones up to yesterday first (kept).
        result["snapshots"] = ensure_snapshots(today - dt.timedelta(days=1))
        result["dashboard"] = measure_dashboard(args.dashboard_requests)
        result["dashboard_with_todays_report"] = measure_dashboard(args.dashboard_requests, with_today=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
