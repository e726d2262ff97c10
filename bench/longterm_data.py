#!/usr/bin/env python
"""The long-term mechanism's data for the benchmark: a district two years after its campaign.

    bench/longterm_data.py [--seed N] [--covered 0.97] [--overdue 0.06] [--return-visits 0.01]
                           [--rechecks 0.005] [--self-inspected 0.3]

`firegrid demo` replays the 2019 campaign and stops there: every premises it loads is either last
inspected in 2019 or never, so every premises is overdue or due today and the work queue holds the whole
registry. A district that works its queue looks different; this writes what two years of it leave:

- **covering visits** (巡查, `--covered` of the premises, vacant ones ending 空置): each premises' last visit
  is dated within the re-inspection interval its grade gives after a visit (red 30 / yellow 90 / green
  365 days under the default rule set; the grade from the real rules, `risk.facts.gather_facts` and
  `risk.rules.grade_premises`, over the facts already loaded), so a premises comes due on the day its
  interval ends; `--overdue` of them are late by 1–180 days (never beyond two years);
- **return visits owed** (`--return-visits`): a visit in the last ten days that ended 锁门 / 找不到 / 装修,
  its return day three days later;
- **rechecks requested** (`--rechecks`, premises without an open plan): a standalone plan in 待复查 and the
  landlord's request (the plan and its move only: no hazards or documents);
- **self-inspections** (`--self-inspected` of the premises, last period; answers not written: the queue does
  not read them, submitted by the demo's `landlord` user) and their verification draw, made by the real
  `longterm.services.draw_verifications` (rate `FIREGRID_SELF_INSPECTION_SAMPLE_RATE`, the job's seed).

Nothing is written when the registry already has a long-term history (at least half the premises
visited in the past two years, not by a benchmark): a demo that carries the district forward to today
needs none of this. Grades are not recomputed here: the nightly recomputation that follows (bench/longterm.py) does it and
is measured. A data load, not user actions: rows are written directly with bench/hazards.py's writer (COPY
on PostgreSQL, batched INSERTs on SQLite), no audit entries but the draw's own. Deterministic for a seed
(dates relative to today). Refuses to load twice (its rows carry the note `bench/longterm_data.py`).
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

from bench.hazards import (  # noqa: E402
    INSPECTION_COLUMNS,
    Writer,
    _check_columns,
    _next_id,
    _reset_sequence,
    premises_chunks,
)

NOTE = "bench/longterm_data.py"  # on every inspection and plan it writes: how a second load is refused
DEFAULTS = {
    "covered": 0.97,  # premises with a covering visit since the campaign
    "overdue": 0.06,  # of those, late for their next one
    "return_visits": 0.01,  # premises whose latest visit found the door locked (or …) and is owed a return
    "rechecks": 0.005,  # premises whose landlord asked for the recheck of a plan
    "self_inspected": 0.3,  # premises whose landlord self-inspected last period
}
MAX_AGE_DAYS = 730  # "two years on": no visit older than this
LATE_DAYS = 180  # an overdue premises is late by 1 to this many days
RETURN_WITHIN_DAYS = 10
RECHECK_WITHIN_DAYS = 7

PLAN_COLUMNS = [
    "id", "version", "created_at", "updated_at", "premises_id", "campaign_id", "landlord_id", "officer_id",
    "state", "deadline", "notified_on", "closed_at", "cancel_reason", "public_key", "note",
]  # fmt: skip
MOVE_COLUMNS = [
    "id", "plan_id", "name", "from_state", "to_state", "actor_id", "actor_name", "time", "reason", "deadline",
    "inspection_id",
]  # fmt: skip
SELF_INSPECTION_COLUMNS = [
    "id", "version", "created_at", "updated_at", "premises_id", "landlord_id", "template_id", "period",
    "submitted_at", "submitted_by_id", "client_uuid", "status", "draw_id",
]  # fmt: skip


def _at(day: dt.date, minute: int) -> dt.datetime:
    """`minute` of `day` in the district's time zone."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


def visit_intervals(premises_ids: list[int], today: dt.date) -> dict[int, int]:
    """premises id → days to its next re-inspection after a visit today: its grade by the published rule
    set over the facts already loaded (open hazards, rooms, tenants …), with the visit counted."""
    from firegrid.risk import services
    from firegrid.risk.facts import gather_facts
    from firegrid.risk.rules import grade_premises, interval_days

    parameters = services.default_rule_set().full_parameters()
    visited = _at(today, 9 * 60)
    intervals: dict[int, int] = {}
    for start in range(0, len(premises_ids), services.CHUNK):
        for pk, facts in gather_facts(premises_ids[start : start + services.CHUNK], today).items():
            facts.last_covering_inspection_at = visited
            intervals[pk] = interval_days(grade_premises(facts, parameters).grade, parameters)
    return intervals


def carried_forward(today: dt.date) -> bool:
    """Whether the registry already has a long-term history (a demo that carries the district forward to
    today): at least half the premises visited in the past two years by visits not loaded by a benchmark."""
    from bench.hazards import NOTE as HAZARDS_NOTE
    from firegrid.inspections.coverage import covering_inspections
    from firegrid.registry.models import Premises

    since = _at(today - dt.timedelta(days=MAX_AGE_DAYS), 0)
    recent = covering_inspections().filter(submitted_at__gte=since).exclude(note__in=[HAZARDS_NOTE, NOTE])
    return recent.values("premises_id").distinct().count() * 2 >= Premises.objects.count() > 0


def load_longterm(*, seed: int = 2019, **shares: float) -> dict[str, Any]:
    """Write the visits, plans and self-inspections; draw last period's verifications. Returns counts
    (`skipped` with the reason, writing nothing, when the demo already carried the district forward)."""
    from django.db import transaction
    from django.utils import timezone

    from firegrid.areas.models import User
    from firegrid.inspections.choices import RETURN_VISIT_DAYS, RETURN_VISIT_OUTCOMES, VisitOutcome
    from firegrid.inspections.models import Inspection
    from firegrid.inspections.return_visits import answer_return_visits
    from firegrid.inspections.services import default_template
    from firegrid.longterm.models import SelfInspection
    from firegrid.longterm.selfcheck import previous_period
    from firegrid.longterm.services import draw_verifications
    from firegrid.rectification.choices import CLOSED_STATES, MoveName, PlanState
    from firegrid.rectification.models import Plan, PlanMove
    from firegrid.registry.choices import PremisesStatus
    from firegrid.registry.models import Premises

    share = {**DEFAULTS, **shares}
    if any(not 0 <= v <= 1 for v in share.values()):
        raise SystemExit("bench/longterm_data.py: every share must be between 0 and 1")
    if Inspection.objects.filter(note=NOTE).exists():
        raise SystemExit(
            "bench/longterm_data.py: this database already holds the long-term data; load a fresh one"
        )
    for model, columns in (
        (Inspection, INSPECTION_COLUMNS),
        (Plan, PLAN_COLUMNS),
        (PlanMove, MOVE_COLUMNS),
        (SelfInspection, SELF_INSPECTION_COLUMNS),
    ):
        _check_columns(model, columns)
    users = {u.username: u for u in User.objects.filter(username__in=["wanggy", "landlord"])}
    if len(users) < 2:
        raise SystemExit("bench/longterm_data.py: the demo users wanggy and landlord are missing")
    worker, landlord_user = users["wanggy"], users["landlord"]
    template = default_template()
    rng = random.Random(f"longterm:{seed}")
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    if carried_forward(today):
        return {"skipped": "the registry already has a long-term history (the demo carried it forward)"}
    period = previous_period(today)
    # A landlord self-inspects a premises once per period: those already in are left as they are.
    self_checked_already = set(
        SelfInspection.objects.filter(period=period).values_list("premises_id", flat=True)
    )
    outcomes = sorted(str(o) for o in RETURN_VISIT_OUTCOMES)
    open_plans = set(Plan.objects.exclude(state__in=CLOSED_STATES).values_list("premises_id", flat=True))
    ids = {m: _next_id(m) for m in (Inspection, Plan, PlanMove, SelfInspection)}
    counts = dict.fromkeys(
        ("premises", "covering", "overdue", "return_visits", "rechecks", "self_inspections"), 0
    )
    started = time.perf_counter()
    live = Premises.objects.exclude(status=PremisesStatus.DEMOLISHED)
    with transaction.atomic():
        for chunk in premises_chunks(live, "building_id", "status", "landlord_id"):
            counts["premises"] += len(chunk)
            intervals = visit_intervals([row[0] for row in chunk], today)
            visits, plans, moves, selfs = [], [], [], []
            for pk, building_id, status, landlord_id in chunk:
                # Every premises draws the same numbers whatever it turns out to have: the same seed over
                # the same registry writes the same rows.
                covered, late, age_draw, returned, rechecked, self_checked = (rng.random() for _ in range(6))
                lateness, minute = rng.randint(1, LATE_DAYS), rng.randrange(8 * 60, 17 * 60)  # working hours
                row_uuid, second_uuid = uuid.UUID(int=rng.getrandbits(128), version=4), rng.getrandbits(128)
                interval = intervals.get(pk, 365)
                if covered < share["covered"]:
                    age = 1 + int(age_draw * interval)  # 1 … interval: due today when it equals the interval
                    if late < share["overdue"]:
                        age = interval + lateness
                        counts["overdue"] += 1
                    when = _at(today - dt.timedelta(days=min(age, MAX_AGE_DAYS)), minute)
                    outcome = str(
                        VisitOutcome.VACANT if status == PremisesStatus.VACANT else VisitOutcome.INSPECTED
                    )
                    visits.append(
                        (ids[Inspection], 2, when, when, pk, building_id, "patrol", template.pk, "submitted",
                         outcome, when - dt.timedelta(minutes=15), when, None, None, row_uuid, None, None, NOTE)
                    )  # fmt: skip
                    ids[Inspection] += 1
                    counts["covering"] += 1
                if returned < share["return_visits"]:
                    when = _at(today - dt.timedelta(days=1 + int(age_draw * RETURN_WITHIN_DAYS)), minute)
                    visits.append(
                        (ids[Inspection], 2, when, when, pk, building_id, "patrol", template.pk, "submitted",
                         outcomes[int(late * len(outcomes))], when - dt.timedelta(minutes=5), when, None, None,
                         uuid.UUID(int=second_uuid, version=4),
                         timezone.localdate(when) + dt.timedelta(days=RETURN_VISIT_DAYS), None, NOTE)
                    )  # fmt: skip
                    ids[Inspection] += 1
                    counts["return_visits"] += 1
                if rechecked < share["rechecks"] and pk not in open_plans:
                    when = _at(today - dt.timedelta(days=int(age_draw * RECHECK_WITHIN_DAYS)), minute)
                    created = when - dt.timedelta(days=30)
                    plans.append(
                        (ids[Plan], 3, created, when, pk, None, landlord_id, worker.pk,
                         str(PlanState.RECHECK_REQUESTED), timezone.localdate(when) + dt.timedelta(days=7),
                         timezone.localdate(created), None, "", uuid.UUID(int=second_uuid, version=4), NOTE)
                    )  # fmt: skip
                    moves.append(
                        (ids[PlanMove], ids[Plan], str(MoveName.REQUEST_RECHECK), str(PlanState.RECTIFYING),
                         str(PlanState.RECHECK_REQUESTED), None, "房东", when, "", None, None)
                    )  # fmt: skip
                    ids[Plan] += 1
                    ids[PlanMove] += 1
                    counts["rechecks"] += 1
                if (
                    self_checked < share["self_inspected"]
                    and landlord_id is not None
                    and pk not in self_checked_already
                ):
                    when = _at(period + dt.timedelta(days=int(age_draw * 27)), minute)
                    selfs.append(
                        (ids[SelfInspection], 1, when, when, pk, landlord_id, template.pk, period, when,
                         landlord_user.pk, uuid.UUID(int=second_uuid ^ 1, version=4), "submitted", None)
                    )  # fmt: skip
                    ids[SelfInspection] += 1
                    counts["self_inspections"] += 1
            # One COPY at a time per connection: each table in turn.
            for model, columns, rows in (
                (Inspection, INSPECTION_COLUMNS, visits),
                (Plan, PLAN_COLUMNS, plans),
                (PlanMove, MOVE_COLUMNS, moves),
                (SelfInspection, SELF_INSPECTION_COLUMNS, selfs),
            ):
                writer = Writer(model, columns)
                for row in rows:
                    writer.add(row)
                writer.close()
        for model in (Inspection, Plan, PlanMove, SelfInspection):
            _reset_sequence(model)
        # Written directly, the visits did not answer the earlier ones' return visits as the submit
        # service does: the work queue reads `answered_at`.
        counts["return_visits_answered"] = answer_return_visits()
    written = time.perf_counter() - started
    draw = draw_verifications(period, actor=None)
    return {
        **counts,
        "shares": share,
        "seed": seed,
        "verification_draw": {
            "period": period.isoformat(),
            "rate": float(draw.rate),
            "population": draw.population,
            "drawn": draw.self_inspections.count(),
        },
        "write_seconds": round(written, 2),
        "seconds": round(time.perf_counter() - started, 2),
        "today": today.isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=2019)
    for name, default in DEFAULTS.items():
        p.add_argument(f"--{name.replace('_', '-')}", type=float, default=default)
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    import django

    django.setup()
    result = load_longterm(seed=args.seed, **{name: getattr(args, name) for name in DEFAULTS})
    if "skipped" in result:
        print(f"bench/longterm_data.py: nothing written: {result['skipped']}", flush=True)
        return 0
    drawn = result["verification_draw"]["drawn"]
    written = (
        f"{result['covering']:,} covering visits ({result['overdue']:,} late), {result['return_visits']:,} "
        f"return visits, {result['rechecks']:,} rechecks requested, {result['self_inspections']:,} "
        f"self-inspections ({drawn:,} drawn) on {result['premises']:,} premises in {result['seconds']} s"
    )
    print(f"bench/longterm_data.py: {written}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
