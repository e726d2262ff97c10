"""bench/run.py's measuring functions run on the small test district: structure only, never timings.

Benchmarks are not part of the suite's pass/fail (design.md); this only keeps the harness working as
the views, the API and the URLs change.
"""

from __future__ import annotations

import sys

from django.conf import settings

if str(settings.BASE_DIR) not in sys.path:
    sys.path.insert(0, str(settings.BASE_DIR))

from bench import run


def test_bench_on_the_test_district(district, personas):
    """One measurement (about a second) checked from every side."""
    subjects = run.pick_subjects()
    result = run.measure_latency(subjects, requests=2)
    check_subjects(district, subjects)
    check_endpoints(result)
    check_rows(result)
    check_queries_and_targets(subjects, result)


def check_subjects(district, subjects):
    assert subjects.admin.username == "admin"
    assert subjects.areas == {
        "grid": district.grid_a,
        "community": district.c1,
        "subdistrict": district.s1,
        "district": district.d,
    }


def check_endpoints(result):
    endpoints = result["endpoints"]
    groups = {}
    for name, e in endpoints.items():
        groups.setdefault(e["group"], []).append(name)
        assert e["samples"] == 2
        assert e["median_ms"] > 0 and e["p90_ms"] >= e["min_ms"] > 0
        assert e["ratio_to_bare"] > 0 and e["ratio_to_orm_json"] > 0
        assert e["queries"] >= 0
    assert groups["baseline"] == ["bare", *(f"orm_json_{k}" for k in run.AREA_KEYS)]
    assert groups["web_list"] == [f"web_list_{k}" for k in run.AREA_KEYS]
    assert groups["api_list"] == [f"api_list_{k}" for k in run.AREA_KEYS]
    assert len(groups["home"]) == 3
    # The floor of every signed-in request: the session read, the user (forced password change check) and,
    # every few minutes, the session write that moves the idle expiry on (with a savepoint pair around it
    # inside the test's transaction).
    assert endpoints["bare"]["queries"] <= 5
    assert endpoints["bare"]["ratio_to_bare"] == 1


def check_rows(result):
    endpoints = result["endpoints"]
    # Grid A holds premises_a and shop_a; the district also premises_b.
    assert endpoints["api_list_grid"]["rows"] == 2
    assert endpoints["api_list_district"]["rows"] == 3
    for group in ("web_list", "api_list"):
        for key in run.AREA_KEYS:
            assert endpoints[f"{group}_{key}"]["same_rows_as_orm_json"], f"{group}_{key}"


def check_queries_and_targets(subjects, result):
    check = result["queries"]
    assert set(check) == {"constant", "detail"}
    assert set(check["detail"]["web_list"]["by_area"]) == set(run.AREA_KEYS)
    assert isinstance(check["constant"], bool)
    t = run.targets(result["endpoints"], {"seconds": 1.0, "peak_rss_mb": 100.0}, scale=10)
    assert isinstance(t["api_within_1_5x_orm_json"]["met"], bool)
    assert t["load_under_900_s"]["met"] is None  # only judged at scale >= 600
    assert run.targets(result["endpoints"], {"seconds": 1.0, "peak_rss_mb": 100.0}, scale=600)[
        "load_under_2048_mb"
    ]["met"]
    assert "api_list_district" in run.table(
        {
            "scale": 1,
            "requests": 2,
            "timestamp": "now",
            "database": {"engine": "sqlite"},
            "load": None,
            "areas": run.area_facts(subjects),
            **result,
            "targets": t,
        }
    )


def test_longterm_bench_on_the_test_district(district, personas):
    """bench/longterm.py: the long-term data, the nightly recomputation against the SQL pass, and the queue
    measured for every subject (a few seconds; structure only)."""
    from django.utils import timezone

    from bench import longterm, longterm_data, longterm_nightly
    from firegrid.registry.models import Building

    Building.objects.filter(pk=district.building_a.pk).update(latitude=28.97, longitude=118.87)
    every = dict.fromkeys(longterm_data.DEFAULTS, 1.0)
    loaded = longterm_data.load_longterm(seed=1, **every)
    for key in ("premises", "covering", "overdue", "return_visits", "rechecks", "self_inspections"):
        assert loaded[key] == 3, key
    assert loaded["verification_draw"]["population"] == 3 and loaded["verification_draw"]["drawn"] >= 1

    nightly = longterm_nightly.measure_nightly(rounds=1)
    assert nightly["first"]["premises"] == 3 and nightly["first"]["created"] == 3
    assert nightly["again"]["rows_written"] == [0] and nightly["writes_nothing_again"]
    assert nightly["sql_pass"]["groups"]["premises"]["rows"] == 3
    assert set(nightly["sql_pass"]["groups"]) == set(longterm_nightly.fact_queries(timezone.localdate()))
    assert nightly["ratio_again_to_sql_pass"] > 0

    subjects = longterm.pick_queue_subjects()
    assert subjects.officer_grid == district.grid_a and subjects.position is not None
    queue = longterm.measure_queue(subjects, requests=2)
    endpoints = queue["endpoints"]
    measured = {n: e for n, e in endpoints.items() if e["group"] != "baseline"}
    assert len(measured) == 10
    for name, e in measured.items():
        assert e["samples"] == 2 and e["ratio_to_bare"] > 0 and e["ratio_to_orm_json"] > 0, name
        assert e["same_rows_as_orm_json"], name
    # Grid A's two premises are overdue; the officer's overview lists his two grids.
    assert endpoints["queue_page_grid_worker"]["rows"] == 2
    assert endpoints["queue_api_grid_worker_position"]["rows"] == 2
    assert endpoints["queue_page_officer_grids"]["rows"] == 2
    assert endpoints["queue_api_district"]["rows"] == 3
    check = queue["queries"]
    assert check["same_for_10_and_50_buildings"] and check["same_across_areas"], check["api"]
    assert queue["queue_counts"]["grid_worker"]["total"] == 2
    assert "queue_api_district" in longterm.table(
        {
            "scale": 1,
            "requests": 2,
            "timestamp": "now",
            "database": {"engine": "sqlite"},
            "load": {},
            "queue_data": longterm.queue_data(timezone.localdate()),
            "nightly": nightly,
            "queue": queue,
        }
    )
