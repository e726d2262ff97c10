"""The patrols phase (巡查): the schedule of `patrol_plan.py` written as rows — the grid workers' accounts, the
teams, the patrols with their routes, scans and participants, the findings and what became of them, and the
fabrication flags the checks raised — then reviewed by a supervisor where the flag is old enough.

- **Findings** wait for a covering visit of their premises (the simulation's: `inspections_submitted`'s
  receiver follows them up — status 已跟进检查, linked to that inspection); one that no visit followed within a
  few days is closed by the grid's worker with a note; the last week's stay open. Last night's volunteers
  found a charger cable through a window of a premises of wanggy's grid: 巡查发现待处理 in his queue today.
- **Flags** (`patrols.checks`): each scan off its patrol's route or outside its window, and each scan whose
  position is farther from the same person's scan before (same patrol or same day) than
  `FIREGRID_PATROL_MAX_SPEED_KMH` allows — with the details `check_scan` stores, keyed as it keys them. Most
  off-route flags older than a week were cleared by the grid's supervisor; the rest are open.

No audit entries (a data load, like the rest of the phase); every row is dated by the schedule.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from firegrid.areas.models import Area, User
from firegrid.inspections.choices import COVERING_OUTCOMES
from firegrid.patrols.checks import GPS_SLACK_M, distance_m
from firegrid.patrols.choices import FindingKind, FindingStatus, FlagKind, FlagStatus, PatrolStatus, TeamKind
from firegrid.patrols.models import (
    FabricationFlag,
    Patrol,
    PatrolFinding,
    PatrolScan,
    PatrolStop,
    PatrolTeam,
)

from .context import BATCH_SIZE, Context, days
from .patrol_plan import PatrolPlan, Scan, patrol_plan
from .rows import insert_rows, next_pk, reset_sequence

if TYPE_CHECKING:
    from .records import Place
    from .world import World

RECENT_DAYS = 7  # flags this recent are still waiting
FOLLOWED_SHARE = (
    0.06  # scans at a building a covering visit comes to within FOLLOW_DAYS: a finding it follows up
)
FOLLOW_DAYS = 10
CLOSED_SHARE = 0.002  # scans with a finding the grid's worker closed with a note
FINDINGS = (
    (FindingKind.NOTE, "楼道内堆放纸箱杂物，已提醒房东清理"),
    (FindingKind.NOTE, "消防通道停放电动车，已劝离"),
    (FindingKind.NOTE, "楼道应急照明灯不亮"),
    (FindingKind.NOTE, "灭火器压力表指针在红区"),
    (FindingKind.NOTE, "安全出口指示牌被遮挡"),
    (FindingKind.HAZARD, "疑似电动车入户充电"),
    (FindingKind.HAZARD, "楼道内飞线充电"),
    (FindingKind.HAZARD, "疑似私拉乱接电线"),
)
CLOSE_NOTES = (
    "已电话联系房东，整改完毕并拍照回传",
    "物业已清理，复看无问题",
    "当场提醒整改，已处理",
)
REVIEW_NOTE = "路过相邻楼栋顺路查看，情况属实"


def run(ctx: Context) -> int:
    world = ctx.world
    assert world is not None  # the core phase read the district
    plan = patrol_plan(ctx)
    written = _workers(plan)
    written += _teams(plan)
    written += _patrols(plan)
    scans = sorted(plan.scans, key=lambda s: (s.at, s.patrol.pk, s.building_id))
    written += _scans(ctx, scans)
    written += _findings(ctx, world, plan, scans)
    written += _flags(ctx, scans)
    return written


def _workers(plan: PatrolPlan) -> int:
    users = [user for user, _grid in plan.workers]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    insert_rows(User.areas.through, ["user", "area"], ((u.pk, grid) for u, grid in plan.workers))
    return 2 * len(users)


def _teams(plan: PatrolPlan) -> int:
    first = next_pk(PatrolTeam)
    rows = []
    for n, team in enumerate(plan.teams):
        team.pk = first + n
        rows.append(
            (team.pk, 1, team.created_at, team.created_at, team.name, team.kind, team.area_id, team.leader.pk,
             True, "")
        )  # fmt: skip
    fields = ["id", "version", "created_at", "updated_at", "name", "kind", "area", "leader", "active", "note"]
    written = insert_rows(PatrolTeam, fields, rows)
    reset_sequence(PatrolTeam)
    members = ((team.pk, user.pk) for team in plan.teams for user in team.members)
    return written + insert_rows(PatrolTeam.members.through, ["patrolteam", "user"], members)


def _patrols(plan: PatrolPlan) -> int:
    first = next_pk(Patrol)
    rows = []
    for n, patrol in enumerate(plan.patrols):
        patrol.pk = first + n
        moved = patrol.finished_at if patrol.status == PatrolStatus.FINISHED else patrol.started_at
        rows.append(
            (
                patrol.pk,
                patrol.version,
                patrol.created_at,
                moved or patrol.created_at,
                patrol.team.pk,
                patrol.area_id,
                patrol.kind,
                patrol.window_start,
                patrol.window_end,
                patrol.status,
                patrol.started_at if patrol.status != PatrolStatus.PLANNED else None,
                patrol.finished_at if patrol.status == PatrolStatus.FINISHED else None,
                patrol.team.planner.pk,
                "",
            )
        )
    fields = [
        "id",
        "version",
        "created_at",
        "updated_at",
        "team",
        "area",
        "kind",
        "window_start",
        "window_end",
        "status",
        "started_at",
        "finished_at",
        "created_by",
        "note",
    ]
    written = insert_rows(Patrol, fields, rows)
    reset_sequence(Patrol)
    stops = ((p.pk, b, i) for p in plan.patrols for i, b in enumerate(p.stops, start=1))
    written += insert_rows(PatrolStop, ["patrol", "building", "position"], stops)
    joined = ((p.pk, u.pk) for p in plan.patrols for u in sorted(p.participants, key=lambda u: u.pk))
    return written + insert_rows(Patrol.participants.through, ["patrol", "user"], joined)


def _scans(ctx: Context, scans: list[Scan]) -> int:
    rng = ctx.rng("patrol-rows")
    first = next_pk(PatrolScan)
    rows = []
    for n, scan in enumerate(scans):
        scan.pk = first + n
        patrol = scan.patrol
        lat, lng = scan.position if scan.position is not None else (None, None)
        in_window = patrol.window_start <= scan.at <= patrol.window_end
        rows.append(
            (scan.pk, 1, scan.at, scan.at, patrol.pk, scan.building_id, scan.premises_id, scan.source,
             scan.at, lat, lng, scan.user.pk, scan.on_route, in_window, ctx.uuid(rng))
        )  # fmt: skip
    fields = ["id", "version", "created_at", "updated_at", "patrol", "building", "premises", "source"]
    fields += ["scanned_at", "latitude", "longitude", "scanned_by", "on_route", "in_window", "client_uuid"]
    written = insert_rows(PatrolScan, fields, rows)
    reset_sequence(PatrolScan)
    return written


@dataclass(eq=False, slots=True)
class Finding:
    scan: Scan
    kind: str
    note: str
    premises_id: int | None
    at: dt.datetime
    status: str = FindingStatus.OPEN
    inspection_id: int | None = None
    closed_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def _findings(ctx: Context, world: World, plan: PatrolPlan, scans: list[Scan]) -> int:
    """A few findings: at a building whose premises a covering visit came to within days (that visit followed
    it up), now and then one the grid's worker closed with a note, and last night's, still waiting."""
    rng = ctx.rng("patrol-findings")
    visits: dict[int, list[tuple[dt.datetime, int]]] = {}
    for visit in world.visits:
        if visit.outcome in COVERING_OUTCOMES and visit.row is not None:
            visits.setdefault(visit.place.pk, []).append((visit.time, int(visit.row.pk)))
    inside: dict[int, list[Place]] = {}
    for place in world.places:
        inside.setdefault(place.building_id, []).append(place)
    findings = []
    for scan in scans:
        places = inside.get(scan.building_id)
        if not places or scan.patrol.status != PatrolStatus.FINISHED:
            continue
        r = rng.random()
        kind, note = rng.choice(FINDINGS)
        at = scan.at + dt.timedelta(seconds=rng.randint(40, 240))
        if r < FOLLOWED_SHARE:
            later = [
                (after[0], place.pk, after[1])
                for place in places
                for after in visits.get(place.pk, [])[
                    bisect.bisect_left(visits.get(place.pk, []), (at, 0)) :
                ][:1]
                if after[0] < at + days(FOLLOW_DAYS)
            ]
            if later:
                when, premises_id, inspection = min(later)
                findings.append(
                    Finding(
                        scan,
                        kind,
                        note,
                        premises_id,
                        at,
                        FindingStatus.FOLLOWED_UP,
                        inspection,
                        updated_at=when,
                    )
                )
        elif r < FOLLOWED_SHARE + CLOSED_SHARE:
            close = ctx.work_time(rng, ctx.local_date(at) + days(rng.randint(1, 4)))
            on: int | None = rng.choice(places).pk if rng.random() < 0.6 else None
            first = visits.get(on or 0, [])[bisect.bisect_left(visits.get(on or 0, []), (at, 0)) :]
            if close < ctx.end and not (first and first[0][0] < close):
                findings.append(
                    Finding(
                        scan,
                        FindingKind.NOTE,
                        note,
                        on,
                        at,
                        FindingStatus.CLOSED,
                        closed_at=close,
                        updated_at=close,
                    )
                )
    tonight = _last_nights_finding(world, plan)
    if tonight is not None:
        findings.append(tonight)
    findings.sort(key=lambda f: (f.at, f.scan.building_id))
    workers = {team.area_id: team.leader for team in plan.teams if team.kind == TeamKind.GRID_WORKERS}
    first_pk = next_pk(PatrolFinding)
    rows = []
    for n, finding in enumerate(findings):
        scan = finding.scan
        closed = finding.status == FindingStatus.CLOSED
        rows.append(
            (first_pk + n, 2 if finding.updated_at else 1, finding.at, finding.updated_at or finding.at,
             scan.patrol.pk, scan.building_id, finding.premises_id, finding.kind, finding.note, scan.user.pk,
             finding.at, finding.status, finding.inspection_id, workers[scan.grid_id].pk if closed else None,
             finding.closed_at, rng.choice(CLOSE_NOTES) if closed else "", ctx.uuid(rng))
        )  # fmt: skip
    fields = ["id", "version", "created_at", "updated_at", "patrol", "building", "premises", "kind", "note"]
    fields += ["reported_by", "reported_at", "status", "inspection", "closed_by", "closed_at", "close_note"]
    written = insert_rows(PatrolFinding, [*fields, "client_uuid"], rows)
    reset_sequence(PatrolFinding)
    return written


def _last_nights_finding(world: World, plan: PatrolPlan) -> Finding | None:
    """Last night's volunteers at a premises of wanggy's grid that has no other part in his queue today."""
    patrol = plan.last_night
    if patrol is None or len(patrol.scans) < 4:
        return None
    scanned = {s.building_id: s for s in patrol.scans[2:]}
    quiet = [
        p
        for p in world.places
        if p.building_id in scanned
        and p.active
        and not p.role
        and not p.service_made
        and p.story is None
        and not p.awaiting
        and not p.pending
    ]
    if not quiet:
        return None
    place = min(quiet, key=lambda p: p.pk)
    scan = scanned[place.building_id]
    note = "楼道内电动车充电，插线板从出租房窗口拉出"
    return Finding(scan, FindingKind.HAZARD, note, place.pk, scan.at + dt.timedelta(minutes=3))


def _flags(ctx: Context, scans: list[Scan]) -> int:
    """The flags `patrols.checks.check_scan` raises as each scan is recorded (in the order they were)."""
    rng = ctx.rng("patrol-flags")
    limit = float(settings.FIREGRID_PATROL_MAX_SPEED_KMH)
    reviewers = _reviewers(ctx, {s.grid_id for s in scans})
    flags: list[dict[str, Any]] = []
    latest: dict[int, Scan] = {}  # each person's latest scan with a position
    for scan in scans:
        patrol = scan.patrol
        details: dict[str, Any]
        if not scan.on_route:
            details = {"building": scan.building_id, "patrol": patrol.pk}
            flags.append(_flag(FlagKind.OFF_ROUTE, scan, f"off_route:scan:{scan.pk}", details))
        if not patrol.window_start <= scan.at <= patrol.window_end:
            details = {
                "scanned_at": scan.at.isoformat(),
                "window_start": patrol.window_start.isoformat(),
                "window_end": patrol.window_end.isoformat(),
            }
            flags.append(_flag(FlagKind.OUTSIDE_WINDOW, scan, f"outside_window:scan:{scan.pk}", details))
        if scan.position is None:
            continue
        before = latest.get(scan.user.pk)
        latest[scan.user.pk] = scan
        if before is None or before.position is None:
            continue
        if before.patrol is not patrol and ctx.local_date(before.at) != ctx.local_date(scan.at):
            continue
        metres = distance_m(_float(before.position), _float(scan.position))
        seconds = max(1.0, (scan.at - before.at).total_seconds())
        speed = max(0.0, metres - GPS_SLACK_M) / seconds * 3.6
        if speed > limit:
            details = {
                "distance_m": round(metres),
                "seconds": round(seconds),
                "speed_kmh": round(speed, 1),
                "limit_kmh": limit,
            }
            key = f"impossible_speed:scan:{before.pk}:{scan.pk}"
            flags.append(_flag(FlagKind.IMPOSSIBLE_SPEED, scan, key, details, other=before))
    first = next_pk(FabricationFlag)
    rows = []
    for n, flag in enumerate(flags):
        raised: dt.datetime = flag["raised_at"]
        reviewer, reviewed_at, status = None, None, FlagStatus.OPEN
        old = raised < ctx.end - days(RECENT_DAYS)
        if flag["kind"] == FlagKind.OFF_ROUTE and old and rng.random() < 0.6:
            reviewer = reviewers[flag["grid"]]
            reviewed_at = ctx.work_time(rng, ctx.local_date(raised) + days(rng.randint(1, 3)))
            status = FlagStatus.CLEARED
        rows.append(
            (first + n, 2 if reviewer else 1, raised, reviewed_at or raised, flag["kind"], status,
             flag["user"], flag["grid"], flag["key"], raised, flag["details"], flag["scan"], flag["other"],
             reviewer.pk if reviewer else None, reviewed_at, REVIEW_NOTE if reviewer else "")
        )  # fmt: skip
    fields = ["id", "version", "created_at", "updated_at", "kind", "status", "user", "grid", "key"]
    fields += ["raised_at", "details", "scan", "other_scan", "reviewed_by", "reviewed_at", "review_note"]
    written = insert_rows(FabricationFlag, fields, rows)
    reset_sequence(FabricationFlag)
    return written


def _flag(
    kind: str, scan: Scan, key: str, details: dict[str, Any], other: Scan | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "user": scan.user.pk,
        "grid": scan.grid_id,
        "key": key,
        "raised_at": scan.at,
        "details": details,
        "scan": scan.pk,
        "other": other.pk if other is not None else None,
    }


def _float(position: tuple[Any, Any]) -> tuple[float, float]:
    return (float(position[0]), float(position[1]))


def _reviewers(ctx: Context, grid_ids: set[int]) -> dict[int, User]:
    """Who reviews a grid's flags: its community or subdistrict officer among the demo users, else the
    district commander."""
    officers = [ctx.users[name] for name in ("shequ", "zhangtan") if name in ctx.users]
    fallback = ctx.users.get("commander") or ctx.users["fire"]
    scoped = [(area.path, user) for user in officers for area in user.areas.all()]
    paths = dict(Area.objects.filter(pk__in=grid_ids).values_list("pk", "path"))
    return {
        grid: next((user for path, user in scoped if paths[grid].startswith(path)), fallback)
        for grid in grid_ids
    }
