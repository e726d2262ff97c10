"""Writes the demo district into the database: area tree, departments, units, registry, one user per role."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import reset_queries, transaction
from django.db.models import Count, Q
from django.utils import timezone

from firegrid.areas.choices import AreaLevel, DepartmentKind, Role
from firegrid.areas.models import Area, Department, Unit, User
from firegrid.areas.services import create_area
from firegrid.registry.choices import FourCategory, PremisesKind
from firegrid.registry.models import FOUR_CATEGORY_Q, Building, Landlord, Premises, Room, TenantHousehold

from . import data
from .contractors import create_contractors
from .generator import MAX_SCALE, RegistryGenerator, district_plan, mobile, person_name, seeded_rng
from .generator.outlines import Outlines, district_outlines
from .progress import Progress, Stream

if TYPE_CHECKING:
    from firegrid.outreach.models import Contractor

    from .generator import SubdistrictPlan

DEFAULT_SEED = 2019
# Rows per INSERT. SQLite caps it lower by itself (999 parameters per statement).
BATCH_SIZE = 2000

WANGGY_COMMUNITY = "樟树潭社区"
T = TypeVar("T")


# Four-category landlords, seen from Unit (FOUR_CATEGORY_Q through Unit.landlords).
FOUR_CATEGORY_Q_ON_UNIT = functools.reduce(
    operator.or_, (Q(**{f"landlords__{flag}": True}) for flag in FourCategory.values)
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.SYSTEM_ADMIN, "陈志强"),
    DemoUser("commander", Role.DISTRICT_COMMANDER, "徐建华"),
    DemoUser("fire", Role.DEPARTMENT_OFFICER, "周卫东"),
    DemoUser("zhangtan", Role.SUBDISTRICT_OFFICER, "郑丽萍"),
    DemoUser("shequ", Role.COMMUNITY_OFFICER, "吴晓燕"),
    DemoUser("wanggy", Role.GRID_WORKER, "王国庆"),
    DemoUser("liaison", Role.UNIT_LIAISON, "姜文斌"),
    DemoUser("landlord", Role.LANDLORD, ""),  # the landlord's own name
    DemoUser("contractor", Role.CONTRACTOR, ""),  # the contractor's own name
)


def demo_loaded() -> bool:
    return Area.objects.filter(code=data.DISTRICT_CODE).exists()


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    progress_stream: Stream | None = None,
    progress_tty: bool | None = None,
    today: dt.date | None = None,
) -> bool:
    """Build the demo district as it stands on `today` (default: the local date). Returns False (and
    changes nothing) when district 330803 already exists."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be a whole number from 1 to {MAX_SCALE}")
    if demo_loaded():
        return False
    plan = district_plan(seed)
    with transaction.atomic():
        if demo_loaded():
            return False
        areas = _create_areas(plan, district_outlines(plan, seed, data.DISTRICT_CODE))
        departments = _create_departments(areas)
        units = _create_units(areas, seed)
    generator = RegistryGenerator(
        plan,
        seed=seed,
        scale=scale,
        grid_pks={code: a.pk for code, a in areas.items() if a.level == AreaLevel.GRID},
        unit_pks={u.name: u.pk for u in units},
    )
    _load_registry(generator, Progress(generator.total_buildings, stream=progress_stream, tty=progress_tty))
    with transaction.atomic():
        _create_users(areas, departments, seed)
    # A few plans in every state, made through the real services by the demo's grid worker.
    from .rectification import load_rectification_demo

    with transaction.atomic():
        load_rectification_demo(seed)
    # The 2019 campaign 铁拳行动 replayed day by day, with its daily reports (its own transaction).
    from .campaign import load_campaign_replay

    load_campaign_replay(seed)
    # The years since (firegrid.demo.longterm): visits, plans, tenant moves, self-inspections, grades and
    # their history, up to this morning (its own transactions).
    from .longterm import graded_at, load_longterm

    today = today or timezone.localdate()
    if load_longterm(seed=seed, today=today, scale=scale, stream=progress_stream, tty=progress_tty) is None:
        # No long-term phase (a larger scale): the grades of every premises from what the replay left
        # (the demo writes its rows directly, so no inspection signal graded them on the way). The phase
        # ends with the same computation (its "grades" phase).
        from firegrid.risk.choices import GradeCause
        from firegrid.risk.services import recompute_grades

        recompute_grades(Premises.objects.all(), cause=GradeCause.COMMAND, now=graded_at(today))
    return True


def _create_areas(plan: list[SubdistrictPlan], outlines: Outlines) -> dict[str, Area]:
    """Through the area service, so materialised paths are right (it writes an audit entry per area);
    each with its outline, the demo's own tiling of the district (generator.outlines)."""

    def create(level: str, name: str, code: str, parent: Area | None = None) -> Area:
        return create_area(
            actor=None, level=level, name=name, code=code, parent=parent, outline=outlines.geojson(code)
        )

    district = create(AreaLevel.DISTRICT, data.DISTRICT_NAME, data.DISTRICT_CODE)
    areas = {district.code: district}
    for sub in plan:
        s = create(AreaLevel.SUBDISTRICT, sub.name, sub.code, district)
        areas[s.code] = s
        for community in sub.communities:
            c = create(AreaLevel.COMMUNITY, community.name, community.code, s)
            areas[c.code] = c
            for grid in community.grids:
                g = create(AreaLevel.GRID, grid.name, grid.code, c)
                areas[g.code] = g
    return areas


def _create_departments(areas: dict[str, Area]) -> dict[str, Department]:
    departments = [Department(name=name, kind=kind) for name, kind in data.DEPARTMENTS]
    for sd in data.SUBDISTRICTS:
        if sd.name.endswith("街道"):
            departments.append(
                Department(
                    name=f"{data.DISTRICT_NAME}{sd.name}办事处",
                    kind=DepartmentKind.SUBDISTRICT_OFFICE,
                    area=areas[data.DISTRICT_CODE + sd.code_suffix],
                )
            )
    Department.objects.bulk_create(departments)
    return {d.kind: d for d in departments if d.kind != DepartmentKind.SUBDISTRICT_OFFICE}


def _create_units(areas: dict[str, Area], seed: int) -> list[Unit]:
    rng = seeded_rng(seed, "units")
    by_short = {sd.short: areas[data.DISTRICT_CODE + sd.code_suffix] for sd in data.SUBDISTRICTS}
    units = [
        Unit(
            name=u.name,
            kind=u.kind,
            area=by_short[u.subdistrict] if u.subdistrict else areas[data.DISTRICT_CODE],
            contact_name=person_name(rng, rng.random() < 0.5),
            contact_mobile=mobile(rng),
        )
        for u in data.UNITS
    ]
    return Unit.objects.bulk_create(units)


def _load_registry(generator: RegistryGenerator, progress: Progress) -> None:
    """A data load, not an edit: rows are written directly in bulk, with no per-row audit entries.

    One transaction per chunk of ~1,000 buildings keeps memory and transaction size flat at any scale.
    bulk_create returns primary keys (PostgreSQL; SQLite ≥ 3.35), which the next model's rows refer to.
    The next chunk is generated in a thread while this one is written (the database driver releases the
    GIL while it waits), which takes about a third off a large load on PostgreSQL.
    """
    progress.update(0)
    for chunk in prefetch(generator.chunks()):
        with transaction.atomic():
            Landlord.objects.bulk_create(chunk.landlords, batch_size=BATCH_SIZE)
            Building.objects.bulk_create(chunk.buildings, batch_size=BATCH_SIZE)
            Premises.objects.bulk_create(chunk.premises, batch_size=BATCH_SIZE)
            Room.objects.bulk_create(chunk.rooms, batch_size=BATCH_SIZE)
            TenantHousehold.objects.bulk_create(chunk.tenants, batch_size=BATCH_SIZE)
        # With DEBUG on, Django keeps every query's SQL: a large load would hold gigabytes of it.
        reset_queries()
        progress.update(chunk.buildings_done)
    progress.finish()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Iterate `items` in a background thread, at most `depth` items ahead (so memory stays bounded)."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        ready.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put((end, None))
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put((end, exc))

    worker = threading.Thread(target=produce, name="demo-generator", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ready.get()
            if item is end:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _create_users(areas: dict[str, Area], departments: dict[str, Department], seed: int) -> None:
    rng = seeded_rng(seed, "users")
    zhangtan = areas[data.DISTRICT_CODE + "001"]
    community = next(a for a in areas.values() if a.parent_id == zhangtan.pk and a.name == WANGGY_COMMUNITY)
    grid = min((a for a in areas.values() if a.parent_id == community.pk), key=lambda a: a.code)
    liaison_unit, landlord = _liaison_unit_and_landlord(grid)
    contractor = create_contractors(areas, seed)
    scope: dict[str, dict[str, Any]] = {
        Role.SYSTEM_ADMIN: {"is_staff": True, "is_superuser": True},
        Role.DEPARTMENT_OFFICER: {"department": departments[DepartmentKind.FIRE]},
        Role.UNIT_LIAISON: {"unit": liaison_unit},
        Role.LANDLORD: {"landlord": landlord},
        Role.CONTRACTOR: {"contractor": contractor},
    }
    areas_of: dict[str, list[Area]] = {
        Role.SUBDISTRICT_OFFICER: [zhangtan],
        Role.COMMUNITY_OFFICER: [community],
        Role.GRID_WORKER: [grid],
    }
    for spec in DEMO_USERS:
        if spec.role == Role.LANDLORD and landlord is None:
            continue  # no landlord in the grid worker's grid (cannot happen at scale 1 with the default seed)
        # Landlords and contractors sign in as themselves: their own name and registered mobile.
        owners: dict[str, Landlord | Contractor | None] = {
            Role.LANDLORD: landlord,
            Role.CONTRACTOR: contractor,
        }
        owner = owners.get(spec.role)
        user = User.objects.create_user(
            username=spec.username,
            password=data.DEMO_PASSWORD,
            role=spec.role,
            full_name=spec.full_name or (owner.name if owner is not None else ""),
            mobile=owner.mobile if owner is not None else mobile(rng),
            # The demo password is published: outside development each demo user must change it first.
            must_change_password=not settings.DEV_DEFAULTS,
            **scope.get(spec.role, {}),
        )
        if spec.role in areas_of:
            user.areas.set(areas_of[spec.role])


def _liaison_unit_and_landlord(grid: Area) -> tuple[Unit | None, Landlord | None]:
    """The liaison's unit claims several four-category landlords, if it can one of the demo landlord.

    The demo landlord has tenants in the grid worker's grid, so the grid worker, the liaison and the
    landlord all see the same premises.
    """
    claimed = Count("landlords", filter=FOUR_CATEGORY_Q_ON_UNIT)
    busiest = Unit.objects.annotate(n=claimed).order_by("-n", "pk")  # pk: collation-free ties
    with_tenants = Landlord.objects.filter(
        premises__building__grid=grid, premises__tenant_households__moved_out__isnull=True
    ).distinct()
    in_grid = busiest.filter(n__gte=3, pk__in=with_tenants.filter(FOUR_CATEGORY_Q).values("employer_unit"))
    unit = in_grid.first() or busiest.first()
    # The demo landlord tries the portal (sign-in by SMS code): a mobile of their own, shared with nobody.
    shared = Landlord.objects.order_by().values("mobile").annotate(n=Count("pk")).filter(n__gt=1)
    reachable = ~Q(mobile="") & ~Q(mobile__in=shared.values("mobile"))
    for candidates in (
        with_tenants.filter(FOUR_CATEGORY_Q, employer_unit=unit),
        with_tenants,
        Landlord.objects.filter(premises__building__grid=grid).distinct(),
    ):
        landlord = candidates.filter(reachable).order_by("pk").first() or candidates.order_by("pk").first()
        if landlord is not None:
            return unit, landlord
    return unit, None


def demo_counts() -> dict[str, int]:
    """The figures printed after a load (and when the demo is already there)."""
    district = Area.objects.filter(code=data.DISTRICT_CODE).first()
    premises = Premises.objects.all()
    by_kind = dict(premises.values_list("kind").annotate(n=Count("pk")).order_by())
    zhangtan = (
        premises.filter(
            building__grid__path__startswith=Area.objects.get(code=data.DISTRICT_CODE + "001").path
        ).count()
        if district
        else 0
    )
    return {
        "subdistricts": Area.objects.filter(level=AreaLevel.SUBDISTRICT).count(),
        "communities": Area.objects.filter(level=AreaLevel.COMMUNITY).count(),
        "grids": Area.objects.filter(level=AreaLevel.GRID).count(),
        "departments": Department.objects.count(),
        "units": Unit.objects.count(),
        "buildings": Building.objects.count(),
        "rental premises": by_kind.get(PremisesKind.RESIDENTIAL, 0),
        "shops": by_kind.get(PremisesKind.SHOP, 0),
        "mixed-use premises": by_kind.get(PremisesKind.MIXED_USE, 0),
        "premises in 樟潭街道": zhangtan,
        "shared rentals": premises.filter(is_shared_rental=True).count(),
        "rooms": Room.objects.count(),
        "current tenant households": TenantHousehold.objects.filter(moved_out__isnull=True).count(),
        "landlords": Landlord.objects.count(),
        "four-category landlords": Landlord.objects.four_category().count(),
        "users": User.objects.count(),
        **_campaign_counts(),
        **_longterm_counts(),
    }


def _longterm_counts() -> dict[str, int]:
    """The long-term phase's figures (firegrid.demo.longterm): what happened since December 2019."""
    from firegrid.inspections.models import Inspection
    from firegrid.longterm.models import SelfInspection
    from firegrid.rectification.choices import CLOSED_STATES
    from firegrid.rectification.models import Plan
    from firegrid.risk.models import GradeChange

    from .longterm import START

    since = dt.datetime.combine(START, dt.time(), tzinfo=timezone.get_current_timezone())
    plans = Plan.objects.filter(campaign=None)
    return {
        "visits since 2019-12": Inspection.objects.filter(submitted_at__gte=since).count(),
        "plans since 2019-12": plans.count(),
        "  open today": plans.exclude(state__in=CLOSED_STATES).count(),
        "tenant households moved in since 2019-12": TenantHousehold.objects.filter(
            moved_in__gte=START
        ).count(),
        "landlord portal accounts": User.objects.filter(role=Role.LANDLORD).count(),
        "self-inspections": SelfInspection.objects.count(),
        "grade changes": GradeChange.objects.count(),
    }


def _campaign_counts() -> dict[str, int]:
    """The 2019 campaign replay's figures (firegrid.demo.campaign)."""
    from firegrid.campaigns.models import Campaign

    from .campaign import CODE

    campaign = Campaign.objects.filter(code=CODE).first()
    if campaign is None:
        return {"campaign targets (铁拳行动)": 0, "four-category claims": 0}
    return {
        "campaign targets (铁拳行动)": campaign.targets.count(),
        "four-category claims": campaign.claims.count(),
    }
