"""今日任务 — the work queue: what to visit today in the user's scope, as a walking route.

The queue is computed on every request from facts each write keeps in its own transaction (a grade's
`next_due`, a visit's `answered_at`, a plan's state …): an inspection that covers an item takes it out of
every queue as it commits (two workers who opened the same item both see it until one of them submits).

**Sources** (`register_queue_source`) give, per kind, the candidate premises ids read from an index over
the few rows that are owed (grades by `next_due`, return visits not yet answered, plans in 待复查, partial
indexes on the other sources), and describe the items of a page of premises. The queue is `pk IN` their
union within the user's scope, so the database starts from the candidates or from the area, whichever is
smaller; each kind's flag is one `pk IN` (counting every kind is one query, whatever the sources). Nothing
tests every premises of the area: at 2 M premises that test was the seconds of the page (bench/README.md,
make bench-longterm). Built in here: re-inspections due today or overdue (risk grades), return visits
owed (锁门 / 找不到 / 装修 with no later visit), rechecks requested by landlords (plans in 待复查).
Self-inspections drawn for verification, tenant moves, patrol findings and ledger rows to verify register
their own sources.

**Order**: grouped by grid (by code), then by building along a nearest-neighbour route over the buildings'
coordinates from the worker's position (`origin`, optional) or the grid's centre (the mean of its
buildings); buildings without coordinates last, by address. Inside a building: by grade (red first), then
the longest overdue. A queue wider than `ROUTE_LIMIT` buildings (an officer's whole subdistrict) is ordered
by grid and address in the database instead. Pages hold `BUILDINGS_PER_PAGE` buildings.

Scope: every source reads through `visible_to(user)`; the union is `Premises.objects.visible_to(user)`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Max,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.areas.choices import AREA_ROLES, DISTRICT_WIDE_ROLES, AreaLevel, Role
from firegrid.areas.models import Area, User
from firegrid.core.permissions import Action, can
from firegrid.core.tables import join_sentences
from firegrid.inspections.choices import (
    InspectionKind,
    VisitOutcome,
)
from firegrid.inspections.coverage import covering_inspections
from firegrid.inspections.models import Inspection
from firegrid.rectification.choices import MoveName, PlanState
from firegrid.rectification.models import Plan
from firegrid.registry.models import Building, Premises
from firegrid.risk.choices import GRADE_RANK, RiskGrade
from firegrid.risk.models import PremisesGrade

from .choices import KIND_PRIORITY, QueueKind

BUILDINGS_PER_PAGE = 50
# Beyond this many buildings a nearest-neighbour route (quadratic: ~0.3 s at 1,000) is not worth it:
# nobody walks a route that long (a grid worker's queue is a few hundred premises).
ROUTE_LIMIT = 1000
# Items without a grade sort after green ones.
UNGRADED_RANK = 3
# Inspections the queue starts; a return visit repeats the kind of the visit it returns to.
STARTABLE_KINDS = frozenset({InspectionKind.SURVEY, InspectionKind.RECHECK, InspectionKind.ACCEPTANCE})

Origin = tuple[float, float]  # (latitude, longitude)


def may_view_queue(user: User | Any) -> bool:
    """Who has a work queue: the area roles (a grid worker's own, an officer's area by grid) and the
    district-wide roles — not landlords, unit liaisons or contractors."""
    return (
        isinstance(user, User)
        and user.is_active
        and (user.role in AREA_ROLES or user.role in DISTRICT_WIDE_ROLES)
        and can(user, Action.VIEW, PremisesGrade)
    )


def is_personal_queue(user: User) -> bool:
    """A grid worker works their queue item by item; officers see theirs by grid first."""
    return user.role == Role.GRID_WORKER


# --- sources ---------------------------------------------------------------------------------------------


@dataclass
class QueueEntry:
    """One reason to visit a premises today, as a source describes it."""

    premises_id: int
    kind: str  # a QueueKind value
    inspection_kind: str  # the inspection to start: survey, recheck or acceptance
    reason: str  # in the active language
    days_overdue: int = 0  # days past the day it was due (or waiting, for a requested recheck)
    link: str = ""  # the page where this reason is handled, when it is not the inspection (an alert case)

    @property
    def kind_label(self) -> str:
        return str(QueueKind(self.kind).label)


@dataclass(frozen=True)
class QueueSource:
    """A source of queue items.

    `candidates(today)` → (kind, premises ids) pairs: the premises with an item of that kind today, each a
    one-column queryset (`.values("premises_id")`) read from an index over the owed rows only — no
    correlated subquery, no test on every premises; a kind may come in several parts (premises flagged,
    premises of landlords flagged). `entries(user, today, premises_ids)` → the items of those premises
    (a page), read through `visible_to(user)`.
    """

    name: str
    candidates: Callable[[dt.date], Iterable[tuple[str, QuerySet[Any]]]]
    entries: Callable[[User, dt.date, Sequence[int]], Iterable[QueueEntry]]


QUEUE_SOURCES: dict[str, QueueSource] = {}


def register_queue_source(source: QueueSource) -> None:
    """Add a source of queue items (self-inspections drawn for verification, tenant reports, alarms …).
    Its kinds must be QueueKind values: their order is the priority between reasons of one premises."""
    QUEUE_SOURCES[source.name] = source


def candidates(today: dt.date) -> dict[str, list[QuerySet[Any]]]:
    """Every source's candidate sets by kind, in priority order (two sources of one kind — tenant reports
    from the portal and from a door plate — add up)."""
    merged: dict[str, list[QuerySet[Any]]] = defaultdict(list)
    for source in QUEUE_SOURCES.values():
        for kind, ids in source.candidates(today):
            merged[kind].append(ids.order_by())
    return dict(sorted(merged.items(), key=lambda kv: KIND_PRIORITY.get(kv[0], len(KIND_PRIORITY))))


def kind_qs(today: dt.date) -> dict[str, Q]:
    """{kind: Q over Premises}: one `pk IN (…)` per candidate set (a hashed subplan, found once)."""
    return {kind: reduce(or_, (Q(pk__in=ids) for ids in sets)) for kind, sets in candidates(today).items()}


# Re-inspections due (复查到期), from the risk grades' stored `next_due`: a submitted covering inspection
# grades its premises again inside its own transaction (risk.receivers), so it leaves the queue as it
# commits.
def _due_candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    grades = PremisesGrade.objects.values("premises_id")
    yield QueueKind.OVERDUE, grades.filter(next_due__lt=today)
    yield QueueKind.DUE, grades.filter(next_due=today)


def _due_entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    for grade in PremisesGrade.objects.visible_to(user).filter(
        premises_id__in=premises_ids, next_due__lte=today
    ):
        days = grade.days_overdue(today)
        when = _("逾期 %(days)s 天") % {"days": days} if days else _("今日到期")
        reasons = grade.reason_texts()[:2]
        yield QueueEntry(
            premises_id=grade.premises_id,
            kind=QueueKind.OVERDUE if days else QueueKind.DUE,
            inspection_kind=InspectionKind.SURVEY,
            reason=" · ".join([str(RiskGrade(grade.grade).label), when, *reasons]),
            days_overdue=days,
        )


# Return visits owed (回访): a visit that ended locked, not found or renovating, whose return day has come
# and which no later visit has answered (`Inspection.answered_at`, an index over the owed ones).
def _return_candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield QueueKind.RETURN_VISIT, Inspection.objects.return_visits_owed(due_by=today).values("premises_id")


def _return_entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    visits = Inspection.objects.visible_to(user).return_visits_owed(due_by=today)
    for visit in visits.filter(premises_id__in=premises_ids):
        assert visit.premises_id is not None and visit.return_visit_due is not None  # by the filter
        when = timezone.localtime(visit.submitted_at) if visit.submitted_at else visit.started_at
        yield QueueEntry(
            premises_id=visit.premises_id,
            kind=QueueKind.RETURN_VISIT,
            inspection_kind=visit.kind if visit.kind in STARTABLE_KINDS else InspectionKind.SURVEY,
            reason=_("上次%(outcome)s（%(date)s），应回访")
            % {"outcome": VisitOutcome(visit.outcome).label, "date": f"{when:%Y-%m-%d}"},
            days_overdue=max(0, (today - visit.return_visit_due).days),
        )


# Rechecks requested by landlords (plans in 待复查): an acceptance inspection settles them (it accepts the
# plan when every hazard is removed, else sends it back to rectifying).
def _recheck_candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield (
        QueueKind.RECHECK_REQUESTED,
        Plan.objects.filter(state=PlanState.RECHECK_REQUESTED).values("premises_id"),
    )


def _recheck_entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    plans = (
        Plan.objects.visible_to(user)
        .filter(premises_id__in=premises_ids, state=PlanState.RECHECK_REQUESTED)
        .annotate(requested_at=Max("moves__time", filter=Q(moves__name=MoveName.REQUEST_RECHECK)))
    )
    for premises_id, requested_at in plans.values_list("premises_id", "requested_at"):
        requested = timezone.localdate(requested_at) if requested_at else today
        yield QueueEntry(
            premises_id=premises_id,
            kind=QueueKind.RECHECK_REQUESTED,
            inspection_kind=InspectionKind.ACCEPTANCE,
            reason=_("房东已申请复查（%(date)s）") % {"date": f"{requested:%Y-%m-%d}"},
            days_overdue=max(0, (today - requested).days),
        )


register_queue_source(QueueSource("reinspection", _due_candidates, _due_entries))
register_queue_source(QueueSource("return_visit", _return_candidates, _return_entries))
register_queue_source(QueueSource("recheck", _recheck_candidates, _recheck_entries))


# --- the queue -------------------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """A premises to visit today: its main reason (which decides the inspection to start) and any others."""

    premises: Premises
    entries: list[QueueEntry]
    grade: str = ""
    rank: int = UNGRADED_RANK
    stop: int = 0  # its building's place on the route, from 1, counted across pages

    @property
    def id(self) -> int:
        return self.premises.pk

    @property
    def building(self) -> Building:
        return self.premises.building

    @property
    def main(self) -> QueueEntry:
        return self.entries[0]

    @property
    def kind(self) -> str:
        return self.main.kind

    @property
    def kind_label(self) -> str:
        return str(QueueKind(self.kind).label)

    @property
    def kinds(self) -> list[str]:
        return [e.kind for e in self.entries]

    @property
    def inspection_kind(self) -> str:
        return self.main.inspection_kind

    @property
    def inspection_kind_label(self) -> str:
        return str(InspectionKind(self.inspection_kind).label)

    @property
    def reasons(self) -> list[str]:
        return [e.reason for e in self.entries]

    @property
    def reason(self) -> str:
        return join_sentences(self.reasons)

    @property
    def days_overdue(self) -> int:
        return max(e.days_overdue for e in self.entries)

    @property
    def grade_label(self) -> str:
        return str(RiskGrade(self.grade).label) if self.grade else ""


@dataclass
class BuildingStop:
    """One building on the route, with its items."""

    building: Building
    number: int = 0  # place on the route, from 1, counted across pages
    items: list[QueueItem] = field(default_factory=list)


@dataclass
class QueuePage:
    stops: list[BuildingStop]
    number: int
    num_pages: int
    buildings: int  # buildings with items, all pages
    routed: bool  # ordered as a walking route (else by grid and address)

    @property
    def items(self) -> list[QueueItem]:
        return [item for stop in self.stops for item in stop.items]

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def queue_premises(
    user: User, today: dt.date, grid_ids: Sequence[int] | None = None, kind: str = ""
) -> QuerySet[Premises]:
    """Premises in the user's scope with at least one item today (of `kind`, if given): one `pk IN` over
    the union of the candidate sets, so the database may start from the candidates (a few per cent of the
    registry) or from the area, whichever is smaller."""
    sets = candidates(today)
    if kind:
        sets = {kind: sets[kind]} if kind in sets else {}
    parts = [ids for kind_sets in sets.values() for ids in kind_sets]
    if not parts or not may_view_queue(user):
        return Premises.objects.none()
    owed = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    premises = Premises.objects.visible_to(user).filter(pk__in=owed)
    if grid_ids is not None:
        premises = premises.filter(building__grid_id__in=grid_ids)
    return premises


def queue_count(user: User, *, today: dt.date) -> int:
    """Items in the user's queue today (one per premises): one COUNT."""
    return queue_premises(user, today).count()


def kind_counts(user: User, *, today: dt.date, grid_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Items and items per kind (a premises with two reasons counts once in `total`), in one query."""
    qs = kind_qs(today)
    premises = queue_premises(user, today, grid_ids).annotate(**{f"is_{k}": q for k, q in qs.items()})
    counts = premises.aggregate(
        total=Count("pk"), **{k: Count("pk", filter=Q(**{f"is_{k}": True})) for k in qs}
    )
    return {k: v or 0 for k, v in counts.items()}


@dataclass
class GridRow:
    """An officer's view of one grid: what is owed there today, per kind (an outcome view: grids in code
    order, never ranked)."""

    grid: Area
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return self.counts.get("total", 0)


def grid_rows(user: User, *, today: dt.date) -> list[GridRow]:
    """Every grid in the user's scope with its counts per kind (zero included), in code order."""
    qs = kind_qs(today)
    grids = Area.objects.filter(level=AreaLevel.GRID).order_by("code")
    if user.scope_grid_ids is not None:
        grids = grids.filter(pk__in=user.scope_grid_ids)
    by_grid: dict[int, dict[str, Any]] = {}
    rows = (
        queue_premises(user, today)
        .annotate(**{f"is_{k}": q for k, q in qs.items()})
        .order_by()
        .values("building__grid_id")
        .annotate(total=Count("pk"), **{k: Count("pk", filter=Q(**{f"is_{k}": True})) for k in qs})
    )
    for row in rows:
        by_grid[row["building__grid_id"]] = {k: v for k, v in row.items() if k != "building__grid_id"}
    return [GridRow(grid, {"total": 0, **dict.fromkeys(qs, 0), **by_grid.get(grid.pk, {})}) for grid in grids]


def walking_route(points: dict[int, Origin], start: Origin) -> list[int]:
    """Nearest neighbour: from `start`, always on to the closest building not yet visited (ties by id).

    Distances on a plane through `start` (equirectangular: exact enough across a district); quadratic,
    hence `ROUTE_LIMIT`.
    """
    scale = math.cos(math.radians(start[0]))

    def plane(p: Origin) -> tuple[float, float]:
        return (p[1] * scale, p[0])

    left = {pk: plane(p) for pk, p in points.items()}
    route: list[int] = []
    x, y = plane(start)
    while left:
        pk = min(left, key=lambda k: ((left[k][0] - x) ** 2 + (left[k][1] - y) ** 2, k))
        x, y = left.pop(pk)
        route.append(pk)
    return route


def _ordered_building_ids(
    user: User, premises: QuerySet[Premises], origin: Origin | None, page: int, per_page: int
) -> tuple[list[int], int, bool]:
    """The page's building ids in route order, the number of buildings in all, whether routed."""
    buildings = Building.objects.visible_to(user).filter(pk__in=premises.values("building_id"))
    start = (page - 1) * per_page
    # Every query here evaluates the queue's predicate (the costly part): a queue short enough to route is
    # read once, with no COUNT (bench/README.md, make bench-longterm); a longer one is counted and its
    # first ROUTE_LIMIT buildings come from the same read, in grid and natural address order (1号, 2号, 10号).
    in_order = buildings.order_by("grid__code", "sort_key", "pk")
    columns = ("pk", "grid_id", "grid__code", "latitude", "longitude", "sort_key")
    rows = list(in_order.values_list(*columns)[: ROUTE_LIMIT + 1])
    total = len(rows)
    if total > ROUTE_LIMIT:
        total = buildings.count()
        if start + per_page <= ROUTE_LIMIT:
            return [row[0] for row in rows[start : start + per_page]], total, False
        return list(in_order.values_list("pk", flat=True)[start : start + per_page]), total, False
    centres = {
        grid_id: (float(lat), float(lng))
        for grid_id, lat, lng in Building.objects.filter(
            grid_id__in={row[1] for row in rows}, latitude__isnull=False, longitude__isnull=False
        )
        .order_by()
        .values_list("grid_id")
        .annotate(lat=Avg("latitude"), lng=Avg("longitude"))
    }
    by_grid: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    codes: dict[int, str] = {}
    for row in rows:
        by_grid[row[1]].append(row)
        codes[row[1]] = row[2]
    ordered: list[int] = []
    for grid_id in sorted(by_grid, key=lambda g: codes[g]):
        in_grid = by_grid[grid_id]
        placed = {r[0]: (float(r[3]), float(r[4])) for r in in_grid if r[3] is not None and r[4] is not None}
        begin = origin or centres.get(grid_id)
        if placed and begin is not None:
            ordered += walking_route(placed, begin)
        ordered += [r[0] for r in sorted(in_grid, key=lambda r: (r[5], r[0])) if r[0] not in placed]
    return ordered[start : start + per_page], total, True


def work_queue(
    user: User,
    *,
    today: dt.date,
    origin: Origin | None = None,
    page: int = 1,
    per_page: int = BUILDINGS_PER_PAGE,
    grid_ids: Sequence[int] | None = None,
    kind: str = "",
) -> QueuePage:
    """One page of the user's queue today: up to `per_page` buildings on the route, each with its items.

    A fixed number of queries whatever the size: the buildings (count, then ids and coordinates), the
    grids' centres, the page's premises, their grades, and one query per source.
    """
    premises = queue_premises(user, today, grid_ids, kind)
    page = max(1, page)
    ids, total, routed = _ordered_building_ids(user, premises, origin, page, per_page)
    num_pages = max(1, math.ceil(total / per_page))
    if not ids:
        return QueuePage([], page, num_pages, total, routed)
    rows = list(premises.filter(building_id__in=ids).select_related("building__grid"))
    premises_ids = [p.pk for p in rows]
    entries: dict[int, list[QueueEntry]] = defaultdict(list)
    for source in QUEUE_SOURCES.values():
        for entry in source.entries(user, today, premises_ids):
            entries[entry.premises_id].append(entry)
    grades = dict(
        PremisesGrade.objects.visible_to(user)
        .filter(premises_id__in=premises_ids)
        .values_list("premises_id", "grade")
    )
    stops = {pk: BuildingStop(building=None) for pk in ids}  # type: ignore[arg-type]
    for p in rows:
        found = sorted(entries.get(p.pk, []), key=lambda e: KIND_PRIORITY.get(e.kind, len(KIND_PRIORITY)))
        if not found:
            continue  # its reason went between the two queries (covered just now)
        grade = grades.get(p.pk, "")
        rank = GRADE_RANK[RiskGrade(grade)] if grade else UNGRADED_RANK
        stop = stops[p.building_id]
        stop.building = p.building
        stop.items.append(QueueItem(premises=p, entries=found, grade=grade, rank=rank))
    first = (page - 1) * per_page + 1
    for number, pk in enumerate(ids, start=first):
        stops[pk].number = number
    ordered = [stops[pk] for pk in ids if stops[pk].items]
    for stop in ordered:
        stop.items.sort(key=lambda i: (i.rank, -i.days_overdue, i.premises.sort_key, i.premises.pk))
        for item in stop.items:
            item.stop = stop.number
    return QueuePage(ordered, page, num_pages, total, routed)


def covered_today(premises: Premises, *, today: dt.date) -> Inspection | None:
    """The covering inspection of `premises` submitted today, if any (the latest)."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return (
        covering_inspections()
        .filter(premises=premises, submitted_at__gte=start)
        .prefetch_related("inspectors")
        .order_by("-submitted_at")
        .first()
    )


def home_queue(user: User, *, today: dt.date, items: int = 3) -> dict[str, Any] | None:
    """A grid worker's home page starts with today's queue: its count and the next few items on the route."""
    if not is_personal_queue(user) or not may_view_queue(user):
        return None
    page = work_queue(user, today=today, per_page=items)
    return {"counts": {"total": queue_count(user, today=today)}, "items": page.items[:items]}
