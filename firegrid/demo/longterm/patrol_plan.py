"""The patrol schedule of the long-term phase (巡查): who patrols, when, where, and every scan — made in memory
before anything is written, because the points overlay needs who took part in the volunteers' patrols
(参加巡查) while the core simulation grades the premises (`ctx.plans["patrols"]`, made once).

- **Grid workers' teams** (网格员巡查): one per grid — wanggy in his grid, a grid worker of its own in every
  other (accounts without a usable password, like the landlords') — with a weekly day patrol on the grid's
  day over the last `WEEKS` weeks along the grid's walking route (nearest neighbour from its centre, the
  route `patrols.services.route_from_area` gives), and now and then a night patrol over half of it. Most
  stops are scanned, a few passed by; the phone gives a position near the building most of the time.
- **Landlord volunteer teams** (房东自治巡查队) in `VOLUNTEER_COMMUNITIES` communities — the demo landlord's
  (wanggy's community) first — of landlords with a portal account, every other week on a weekday evening
  since the autumn before last year (their points made last year's 文明家庭 nominees), over a dozen
  buildings of one of the community's grids, two to four members each time.
- **Tonight and last night**: the volunteers' night patrol in wanggy's grid started last night is still
  under way (scans until after midnight: this week is partly patrolled even on a Monday), and wanggy's team
  has a night patrol planned for tonight over the buildings not yet patrolled this week.
- **Evidence for the fabrication checks**: a few scans off the route (a building passed on the way), and
  in a grid of the demo community a scan whose position is too far from the one before for the seconds
  between them; the flags are computed by the patrols phase as `patrols.checks.check_scan` computes them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from firegrid.areas.choices import AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.longterm.queue import walking_route
from firegrid.patrols.checks import distance_m
from firegrid.patrols.choices import PatrolKind, PatrolStatus, ScanSource, TeamKind
from firegrid.patrols.coverage import week_start
from firegrid.registry.models import Building

from ..generator import mobile, person_name
from .context import START, Context, days
from .portal import PORTAL_LAUNCHED

if TYPE_CHECKING:
    from .records import Place
    from .world import World

WEEKS = 12  # grid workers' patrols: the last twelve weeks
NIGHT_SHARE = 0.25  # weeks with a night patrol as well, per grid
SKIP_SHARE = 0.07  # route stops passed without a scan
POSITION_SHARE = 0.85  # scans with the phone's position
OFF_ROUTE_SHARE = 0.03  # night and volunteer patrols with one building scanned off their route
WALK_M_PER_S = 1.2
VOLUNTEER_COMMUNITIES = 4
VOLUNTEER_MEMBERS = (6, 8)


@dataclass(eq=False)
class Team:
    name: str
    kind: str  # TeamKind
    area_id: int
    members: list[User]
    leader: User
    planner: User  # who plans its patrols (an area role: volunteers cannot plan)
    created_at: dt.datetime
    pk: int = 0


@dataclass(eq=False, slots=True)
class Scan:
    patrol: Patrol
    building_id: int
    grid_id: int
    user: User
    at: dt.datetime
    source: str = ScanSource.BUILDING_QR
    premises_id: int | None = None
    position: tuple[Decimal, Decimal] | None = None
    on_route: bool = True
    pk: int = 0


@dataclass(eq=False)
class Patrol:
    team: Team
    area_id: int
    kind: str  # PatrolKind
    window_start: dt.datetime
    window_end: dt.datetime
    created_at: dt.datetime
    status: str = PatrolStatus.FINISHED
    stops: list[int] = field(default_factory=list)  # building ids in route order
    scans: list[Scan] = field(default_factory=list)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    pk: int = 0

    @property
    def participants(self) -> list[User]:
        """Who scanned on it (`finish_patrol` sets them; `record_scan` adds each scanner while under way)."""
        return list({id(s.user): s.user for s in self.scans}.values())

    @property
    def version(self) -> int:
        """Planned 1, started 2, finished 3 (each move saves the row once)."""
        versions: dict[str, int] = {PatrolStatus.PLANNED: 1, PatrolStatus.IN_PROGRESS: 2}
        return versions.get(self.status, 3)


@dataclass
class PatrolPlan:
    workers: list[tuple[User, int]]  # grid workers to create, with their grid
    teams: list[Team]
    patrols: list[Patrol]
    last_night: Patrol | None = None  # the volunteers' patrol under way in wanggy's grid

    @property
    def scans(self) -> list[Scan]:
        return [scan for patrol in self.patrols for scan in patrol.scans]

    def participation(self) -> list[tuple[Patrol, int]]:
        """(finished patrol, landlord id) for each landlord who scanned on a finished patrol: 参加巡查."""
        return [
            (patrol, user.landlord_id)
            for patrol in self.patrols
            if patrol.status == PatrolStatus.FINISHED
            for user in sorted(patrol.participants, key=lambda u: u.landlord_id or 0)
            if user.role == Role.LANDLORD and user.landlord_id is not None
        ]


@dataclass
class Grid:
    area: Area
    route: list[int]  # every building, nearest neighbour from the centre
    where: dict[int, tuple[float, float]]
    premises: dict[int, list[Place]]


def patrol_plan(ctx: Context) -> PatrolPlan:
    """The schedule, made once per load (the points overlay may ask first)."""
    if "patrols" not in ctx.plans:
        assert ctx.world is not None  # made after the core read the district
        ctx.plans["patrols"] = _Planner(ctx, ctx.world).plan()
    plan: PatrolPlan = ctx.plans["patrols"]
    return plan


class _Planner:
    def __init__(self, ctx: Context, world: World):
        self.ctx, self.world = ctx, world
        self.rng = ctx.rng("patrols")
        self.grids = _grids(world)
        self.patrols: list[Patrol] = []
        self.last_night: Patrol | None = None
        self.this_week = ctx.at(week_start(ctx.today), 0)

    def plan(self) -> PatrolPlan:
        ctx, rng = self.ctx, self.rng
        wanggy = ctx.users.get("wanggy")
        wanggy_grid = self.world.wanggy_grid
        since = max(ctx.today - days(7 * WEEKS), START)
        workers: list[tuple[User, int]] = []
        teams: list[Team] = []
        grid_teams: dict[int, Team] = {}
        for grid in self.grids.values():
            if wanggy is not None and grid.area.pk == wanggy_grid:
                worker = wanggy
            else:
                worker = _worker(rng, grid.area, ctx.at(dt.date(2019, 9, 2), 9))
                workers.append((worker, grid.area.pk))
            team = Team(
                name=f"{grid.area.name}巡查组",
                kind=TeamKind.GRID_WORKERS,
                area_id=grid.area.pk,
                members=[worker],
                leader=worker,
                planner=worker,
                created_at=ctx.at(since - days(rng.randint(3, 10)), rng.randint(9, 16)),
            )
            teams.append(team)
            grid_teams[grid.area.pk] = team
        for grid in self.grids.values():
            self._grid_worker_patrols(grid, grid_teams[grid.area.pk], since)
        teams += self._volunteers(grid_teams)
        self._plant_speed(grid_teams)
        self._tonight(grid_teams.get(wanggy_grid or 0))
        self.patrols.sort(key=lambda p: (p.window_start, p.team.area_id, p.team.name))
        return PatrolPlan(workers=workers, teams=teams, patrols=self.patrols, last_night=self.last_night)

    # --- grid workers ----------------------------------------------------------------------------------------

    def _grid_worker_patrols(self, grid: Grid, team: Team, since: dt.date) -> None:
        ctx, rng = self.ctx, self.rng
        weekday = rng.randrange(7)
        monday = week_start(since)
        while monday <= ctx.today:
            day = monday + days(weekday)
            if since <= day < ctx.today:
                start = ctx.at(day, rng.choice((8, 9, 14)), rng.choice((0, 30)))
                self._walk(team, grid, PatrolKind.DAY, start, grid.route, [team.leader])
            if rng.random() < NIGHT_SHARE:
                night = monday + days((weekday + rng.randint(2, 5)) % 7)
                if since <= night < ctx.today and grid.route:
                    half = max(1, len(grid.route) // 2)
                    offset = rng.randrange(len(grid.route))
                    stops = (grid.route[offset:] + grid.route[:offset])[:half]
                    start = ctx.at(night, 19, 30)
                    self._walk(team, grid, PatrolKind.NIGHT, start, stops, [team.leader], off_route=True)
            monday += days(7)

    def _walk(
        self,
        team: Team,
        grid: Grid,
        kind: str,
        start: dt.datetime,
        stops: list[int],
        walkers: list[User],
        *,
        off_route: bool = False,
        pace: tuple[int, int] = (90, 300),
        status: str = PatrolStatus.FINISHED,
    ) -> Patrol:
        """A patrol walked from `start` along `stops`: a scan at most stops (by the walkers in turn), now and
        then a building off the route on the way."""
        ctx, rng = self.ctx, self.rng
        visits = [b for b in stops if rng.random() >= SKIP_SHARE] or stops[:1]
        extra = [b for b in grid.route if b not in stops]
        if off_route and extra and len(visits) > 1 and rng.random() < OFF_ROUTE_SHARE:
            visits.insert(rng.randrange(1, len(visits)), rng.choice(extra))
        patrol = Patrol(
            team=team,
            area_id=grid.area.pk,
            kind=kind,
            window_start=start,
            window_end=start,  # set below from the walk
            created_at=ctx.work_time(rng, ctx.local_date(start) - days(rng.randint(1, 4))),
            status=status,
            stops=list(stops),
        )
        at = start + dt.timedelta(minutes=rng.randint(0, 10))
        patrol.started_at = at
        previous: int | None = None
        for n, building in enumerate(visits):
            if previous is not None:
                metres = distance_m(grid.where[previous], grid.where[building])
                at += dt.timedelta(seconds=metres / WALK_M_PER_S + rng.randint(*pace))
            patrol.scans.append(self._scan(patrol, grid, building, walkers[n % len(walkers)], at, stops))
            previous = building
        last = patrol.scans[-1].at if patrol.scans else at
        patrol.finished_at = last + dt.timedelta(minutes=rng.randint(3, 10))
        planned = (patrol.finished_at - start).total_seconds() / 1800
        patrol.window_end = start + dt.timedelta(minutes=30 * (math.ceil(planned) + 1))
        self.patrols.append(patrol)
        return patrol

    def _scan(
        self, patrol: Patrol, grid: Grid, building: int, user: User, at: dt.datetime, stops: list[int]
    ) -> Scan:
        rng = self.rng
        scan = Scan(patrol, building, grid.area.pk, user, at, on_route=building in stops)
        inside = grid.premises.get(building, [])
        r = rng.random()
        if r < 0.05:
            scan.source = ScanSource.TYPED  # the camera could not read the plate
        elif r < 0.10 and inside:
            scan.source, scan.premises_id = ScanSource.PREMISES_QR, rng.choice(inside).pk
        if rng.random() < POSITION_SHARE:
            scan.position = _near(rng, grid.where[building])
        return scan

    # --- volunteers ------------------------------------------------------------------------------------------

    def _volunteers(self, grid_teams: dict[int, Team]) -> list[Team]:
        """Landlord volunteer teams: the demo landlord's community first, then a few others with enough
        landlords on the portal; patrols every other week since the autumn before last year."""
        ctx, rng, world = self.ctx, self.rng, self.world
        founded = max(dt.date(ctx.today.year - 2, 10, 1), PORTAL_LAUNCHED + days(240))
        if founded >= ctx.today - days(14):
            return []
        communities: dict[int, list[Grid]] = {}
        for grid in self.grids.values():
            communities.setdefault(grid.area.parent_id or 0, []).append(grid)
        joined_by = ctx.at(founded, 0)
        members_of: dict[int, list[User]] = {}
        for community, grids in communities.items():
            landlords = {
                p.landlord_id
                for g in grids
                for places in g.premises.values()
                for p in places
                if p.landlord_id
            }
            accounts = [world.accounts[pk] for pk in sorted(landlords) if pk in world.accounts]
            members_of[community] = [a for a in accounts if a.date_joined <= joined_by]
        demo = ctx.users.get("landlord")
        first = next((c for c, m in members_of.items() if demo is not None and demo in m), None)
        others = sorted(c for c, m in members_of.items() if c != first and len(m) >= VOLUNTEER_MEMBERS[1])
        chosen = ([first] if first is not None else []) + rng.sample(others, min(len(others), 3))
        teams = []
        names = {a.pk: a.name for a in Area.objects.filter(pk__in=chosen)}
        for community in chosen[:VOLUNTEER_COMMUNITIES]:
            pool = members_of[community]
            size = min(len(pool), rng.randint(*VOLUNTEER_MEMBERS))
            if size < 3:
                continue
            members = rng.sample(pool, size)
            if demo is not None and demo in pool and demo not in members:
                members[-1] = demo
            members.sort(key=lambda u: u.pk)
            leader = next(u for u in members if u is not demo)
            grids = sorted(communities[community], key=lambda g: g.area.code)
            officer = ctx.users.get("shequ")
            in_scope = officer is not None and any(a.pk == community for a in officer.areas.all())
            team = Team(
                name=f"{names[community]}房东自治巡查队",
                kind=TeamKind.LANDLORDS,
                area_id=community,
                members=members,
                leader=leader,
                planner=officer if officer is not None and in_scope else grid_teams[grids[0].area.pk].leader,
                created_at=ctx.at(founded - days(rng.randint(5, 20)), rng.randint(9, 16)),
            )
            teams.append(team)
            self._volunteer_patrols(team, grids, founded, demo)
        return teams

    def _volunteer_patrols(self, team: Team, grids: list[Grid], founded: dt.date, demo: User | None) -> None:
        ctx, rng = self.ctx, self.rng
        day = founded + days(rng.randrange(14))
        turn = 0
        while day < ctx.today - days(1):
            grid = grids[turn % len(grids)]
            turn += 1
            if grid.route:
                stops = _stretch(rng, grid.route, 12)
                present = rng.sample(team.members, min(len(team.members), rng.randint(2, 4)))
                if demo is not None and demo in team.members and demo not in present and rng.random() < 0.5:
                    present[-1] = demo
                start = ctx.at(day, 19, rng.choice((0, 30)))
                self._walk(
                    team, grid, PatrolKind.NIGHT, start, stops, present, off_route=True, pace=(120, 420)
                )
            day += days(14)
        self._last_night(team, grids, demo)

    def _last_night(self, team: Team, grids: list[Grid], demo: User | None) -> None:
        """The demo landlord's team, in wanggy's grid: out since 21:30 last night, scans until after midnight,
        not finished yet (a finding of it waits in wanggy's queue: patrols.py)."""
        ctx, rng, world = self.ctx, self.rng, self.world
        grid = next((g for g in grids if g.area.pk == world.wanggy_grid), None)
        if grid is None or demo is None or demo not in team.members or not grid.route:
            return
        yesterday = ctx.today - days(1)
        start = ctx.at(yesterday, 21, 30)
        stops = grid.route[: min(12, len(grid.route))]
        walkers = [demo, *[m for m in team.members if m is not demo][:2]]
        patrol = Patrol(
            team=team,
            area_id=grid.area.pk,
            kind=PatrolKind.NIGHT,
            window_start=start,
            window_end=ctx.at(ctx.today, 1, 30),
            created_at=ctx.work_time(rng, yesterday - days(2)),
            status=PatrolStatus.IN_PROGRESS,
            stops=stops,
            started_at=start + dt.timedelta(minutes=5),
        )
        # Eight stops a slow half hour apart (they talk to the tenants): the last ones after midnight.
        for n, building in enumerate(stops[:8]):
            at = start + dt.timedelta(minutes=15 + 25 * n + rng.randint(-3, 3))
            user = walkers[0] if n < 2 else walkers[1 + n % (len(walkers) - 1)] if len(walkers) > 1 else demo
            scan = Scan(patrol, building, grid.area.pk, user, at, position=_near(rng, grid.where[building]))
            patrol.scans.append(scan)
        self.patrols.append(patrol)
        self.last_night = patrol  # its finding is chosen once the years are played (patrols.py)

    # --- evidence and tonight --------------------------------------------------------------------------------

    def _plant_speed(self, grid_teams: dict[int, Team]) -> None:
        """In another grid of the demo community, last week: a scan whose position is far from the one before,
        seconds later (a phone lent to a colleague, a position made up): a hint for the supervisor."""
        world, rng = self.world, self.rng
        here = next((g for g in self.grids.values() if g.area.pk == world.wanggy_grid), None)
        if here is None:
            return
        neighbours = [
            g for g in self.grids.values() if g.area.parent_id == here.area.parent_id and g is not here
        ]
        for grid in sorted(neighbours, key=lambda g: g.area.code):
            team = grid_teams[grid.area.pk]
            walked = [
                p
                for p in self.patrols
                if p.team is team and p.kind == PatrolKind.DAY and len(p.scans) > 3 and p.started_at
                if p.started_at < self.this_week and p.started_at >= self.this_week - days(7)
            ]
            if not walked:
                continue
            patrol = walked[-1]
            first = next((s for s in patrol.scans[1:] if s.position is not None), None)
            if first is None:
                continue
            far = max(grid.route, key=lambda b: (distance_m(grid.where[first.building_id], grid.where[b]), b))
            metres = distance_m(grid.where[first.building_id], grid.where[far])
            if metres < 300:
                continue
            seconds = max(5, round((metres - 100) * 3.6 / rng.randint(60, 90)))
            at = first.at + dt.timedelta(seconds=seconds)
            scan = Scan(patrol, far, grid.area.pk, first.user, at, position=_near(rng, grid.where[far], 5))
            patrol.scans.insert(patrol.scans.index(first) + 1, scan)
            return

    def _tonight(self, team: Team | None) -> None:
        """wanggy's team: a night patrol tonight over the grid's buildings not patrolled this week."""
        ctx, rng = self.ctx, self.rng
        if team is None or team.area_id not in self.grids:
            return
        grid = self.grids[team.area_id]
        done = {s.building_id for p in self.patrols for s in p.scans if s.at >= self.this_week}
        stops = [b for b in grid.route if b not in done][:15]
        if not stops:
            return
        start = ctx.at(ctx.today, 19, 30)
        patrol = Patrol(
            team=team,
            area_id=grid.area.pk,
            kind=PatrolKind.NIGHT,
            window_start=start,
            window_end=start + dt.timedelta(hours=2, minutes=30),
            created_at=ctx.at(ctx.today - days(1), 16, rng.randrange(60)),
            status=PatrolStatus.PLANNED,
            stops=stops,
        )
        self.patrols.append(patrol)


def _grids(world: World) -> dict[int, Grid]:
    """Every grid with its buildings' positions, walking route and premises."""
    premises: dict[int, list[Place]] = {}
    for place in world.places:
        premises.setdefault(place.building_id, []).append(place)
    grids = {
        a.pk: Grid(area=a, route=[], where={}, premises={})
        for a in Area.objects.filter(level=AreaLevel.GRID).order_by("code")
    }
    rows = Building.objects.order_by("pk").values_list("pk", "grid_id", "latitude", "longitude")
    for pk, grid_id, lat, lng in rows:
        grid = grids.get(grid_id)
        if grid is None or lat is None or lng is None:
            continue  # a building without a position is left out of the routes
        grid.where[pk] = (float(lat), float(lng))
        grid.premises[pk] = premises.get(pk, [])
    for grid in grids.values():
        if grid.where:
            centre = (
                sum(p[0] for p in grid.where.values()) / len(grid.where),
                sum(p[1] for p in grid.where.values()) / len(grid.where),
            )
            grid.route = walking_route(grid.where, centre)
    return grids


def _worker(rng: random.Random, grid: Area, joined: dt.datetime) -> User:
    male = rng.random() < 0.5
    return User(
        username=f"gw-{grid.code}",
        role=Role.GRID_WORKER,
        full_name=person_name(rng, male),
        mobile=mobile(rng),
        password=f"!{rng.getrandbits(160):040x}",  # unusable: not one of the demo logins
        date_joined=joined,
    )


def _near(rng: random.Random, where: tuple[float, float], metres: float = 12) -> tuple[Decimal, Decimal]:
    """A phone's position near a building: off by a few metres to a few tens."""
    lat, lng = where
    dy = rng.gauss(0, metres) / 111_320
    dx = rng.gauss(0, metres) / (111_320 * math.cos(math.radians(lat)))
    return (Decimal(f"{lat + dy:.6f}"), Decimal(f"{lng + dx:.6f}"))


def _stretch(rng: random.Random, route: list[int], n: int) -> list[int]:
    """`n` neighbouring buildings of a route, from a random place in it."""
    if len(route) <= n:
        return list(route)
    offset = rng.randrange(len(route) - n + 1)
    return route[offset : offset + n]
