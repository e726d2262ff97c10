"""The registry of the demo district (landlords, buildings, premises, rooms, tenant households) as
unsaved model instances, a chunk of about a thousand buildings at a time."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from firegrid.areas.choices import UnitKind
from firegrid.registry.choices import BuildingStructure, BuildingUse, PremisesKind, PremisesStatus, RoomUse
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold

from .. import data
from .areas import GridPlan, SubdistrictPlan
from .outlines import BUILDING_SPREAD, district_outlines
from .people import LANDLORD_BORN, TENANT_BORN, IdNumbers, mobile, person_name, tenant_region
from .streams import seeded_rng

# --- the registry's shape at scale 1: the 2019 campaign's survey (mission.md, drive 3 and 4) -----------

BUILDINGS = 1644
SHOPS = 1175
MIXED_USE = 81
# Not published: "more than 3,200 tenant households" live in these, a few rental premises per building.
RESIDENTIAL = 2100
FOUR_CATEGORY = 211

# The survey of the 铁拳行动 started in October 2019; tenants moved in before it.
SURVEY_DATE = dt.date(2019, 10, 8)
CHUNK_BUILDINGS = 1000
# The ID-number space (birth dates × 999 sequence numbers, about 15 million for tenants) holds tenant
# households up to about scale 4,000; 2,000 (3.3 million buildings, 6.7 million premises) leaves room.
MAX_SCALE = 2000


def apportion(total: int, weights: Sequence[int], minimum: int = 0) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder), each ≥ `minimum`."""
    if total < minimum * len(weights):
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} each out of {total}")
    rest = total - minimum * len(weights)
    weight_sum = sum(weights)
    parts = [minimum + rest * w // weight_sum for w in weights]
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(rest * weights[i] % weight_sum), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def _share(total: int, upto: int, whole: int) -> int:
    """How much of `total` falls before position `upto` of `whole` (cumulative rounding down)."""
    return total * upto // whole if whole else 0


def _tenths(value: int) -> Decimal:
    """Tenths of a unit as a two-place Decimal, the way the database gives it back (12.30)."""
    return Decimal(value * 10).scaleb(-2)


def _degrees(value: float) -> Decimal:
    return Decimal(round(value * 1_000_000)).scaleb(-6)


def _weighted_sample(rng: random.Random, indexes: Sequence[int], weights: Sequence[int], k: int) -> list[int]:
    """k of `indexes` without replacement, each drawn with chance ∝ its weight (Efraimidis–Spirakis)."""
    keyed = sorted(((rng.random() ** (1.0 / weights[i]), i) for i in indexes), reverse=True)
    return [i for _, i in keyed[:k]]


# --- the registry -----------------------------------------------------------------------------------------


@dataclass
class Chunk:
    buildings_done: int  # cumulative, for progress
    landlords: list[Landlord] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    premises: list[Premises] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    tenants: list[TenantHousehold] = field(default_factory=list)


@dataclass
class _Slot:
    grid: GridPlan
    number: int  # building number within the community: gives a unique address


@dataclass
class _Owner:
    landlord: Landlord
    grid_code: str
    owned: int = 0


_SLEEPING_COUNTS = (1, 2, 3, 4, 5, 6, 7)
_SLEEPING_WEIGHTS = (14, 28, 26, 15, 8, 5, 4)
_SHOP_SIDES = ("东侧", "西侧")
_HOUSE_STRUCTURES = (
    BuildingStructure.BRICK_CONCRETE,
    BuildingStructure.FRAME,
    BuildingStructure.BRICK_WOOD,
    BuildingStructure.WOOD,
)


class RegistryGenerator:
    """The registry of the demo district at `scale`, in chunks of about `CHUNK_BUILDINGS` buildings.

    `grid_pks` maps grid codes to Area ids and `unit_pks` unit names to Unit ids (the loader passes the
    saved ones; tests may pass made-up ids to generate without a database).
    """

    def __init__(
        self,
        plan: list[SubdistrictPlan],
        *,
        seed: int,
        scale: int,
        grid_pks: Mapping[str, int],
        unit_pks: Mapping[str, int],
        chunk_buildings: int = CHUNK_BUILDINGS,
    ):
        if not 1 <= scale <= MAX_SCALE:
            raise ValueError(f"scale must be a whole number from 1 to {MAX_SCALE}")
        self.plan = plan
        self.scale = scale
        self.grid_pks = grid_pks
        self.outlines = district_outlines(plan, seed, data.DISTRICT_CODE)
        self.total_buildings = BUILDINGS * scale
        self.chunk_count = max(1, math.ceil(self.total_buildings / chunk_buildings))
        self.rng = seeded_rng(seed, "registry")
        self.landlord_ids = IdNumbers(LANDLORD_BORN, seed, "landlord-ids")
        self.tenant_ids = IdNumbers(TENANT_BORN, seed, "tenant-ids")
        self.landlord_count = 0
        self.tenant_count = 0
        # Buildings per grid: per subdistrict by its share, then over its grids, at least one each.
        self.grid_counts: list[tuple[GridPlan, int]] = []
        sub_counts = apportion(self.total_buildings, [s.data.share for s in plan])
        for sub, count in zip(plan, sub_counts, strict=True):
            grids = sub.grids
            weights = [g.weight * g.community.weight for g in grids]
            self.grid_counts += zip(grids, apportion(count, weights, minimum=1), strict=True)
        self.total_weight = sum(g.community.subdistrict.data.shop_weight * n for g, n in self.grid_counts)
        # Employers of four-category landlords: officials and public payroll work for the state.
        units = [u for u in data.UNITS if u.name in unit_pks]
        state = [u for u in units if u.kind in (UnitKind.GOVERNMENT, UnitKind.INSTITUTION)]
        self.any_units = [unit_pks[u.name] for u in units]
        self.any_cum = list(itertools.accumulate(u.weight for u in units))
        self.state_units = [unit_pks[u.name] for u in state]
        self.state_cum = list(itertools.accumulate(u.weight for u in state))
        self._previous_owner: _Owner | None = None

    # --- chunks ---

    def _slots(self) -> Iterator[_Slot]:
        numbers: dict[str, itertools.count] = {}
        for grid, count in self.grid_counts:
            counter = numbers.setdefault(grid.community.code, itertools.count())
            for _ in range(count):
                yield _Slot(grid, next(counter))

    def chunks(self) -> Iterator[Chunk]:
        slots = self._slots()
        total = self.total_buildings
        done, weight_done = 0, 0
        for c in range(1, self.chunk_count + 1):
            upto = c * total // self.chunk_count
            batch = list(itertools.islice(slots, upto - done))
            weights = [s.grid.community.subdistrict.data.shop_weight for s in batch]
            weight_upto = weight_done + sum(weights)
            k, tw = self.scale, self.total_weight
            quotas = {
                "shops": _share(SHOPS * k, weight_upto, tw) - _share(SHOPS * k, weight_done, tw),
                "mixed": _share(MIXED_USE * k, weight_upto, tw) - _share(MIXED_USE * k, weight_done, tw),
                "residential": _share(RESIDENTIAL * k, upto, total) - _share(RESIDENTIAL * k, done, total),
                "four": _share(FOUR_CATEGORY * k, upto, total) - _share(FOUR_CATEGORY * k, done, total),
            }
            chunk = Chunk(buildings_done=upto)
            self._fill(chunk, batch, weights, **quotas)
            done, weight_done = upto, weight_upto
            yield chunk

    def _fill(
        self,
        chunk: Chunk,
        batch: list[_Slot],
        weights: Sequence[int],
        *,
        shops: int,
        mixed: int,
        residential: int,
        four: int,
    ) -> None:
        rng, n = self.rng, len(batch)
        everything = range(n)
        mixed_at = set(_weighted_sample(rng, everything, weights, mixed))
        # Most shops are single ground-floor shop fronts; about one in ten sits in a pair.
        pairs = min(shops // 10, n - len(mixed_at))
        two_shops = set(_weighted_sample(rng, [i for i in everything if i not in mixed_at], weights, pairs))
        singles = shops - 2 * pairs
        one_shop = set(_weighted_sample(rng, [i for i in everything if i not in two_shops], weights, singles))
        if len(one_shop) != singles:
            raise ValueError("chunk too small for its shops")
        shop_counts = [2 if i in two_shops else 1 if i in one_shop else 0 for i in everything]
        # A few business buildings have no rental dwelling; every other building has at least one.
        business = [i for i in everything if shop_counts[i] or i in mixed_at]
        no_dwelling = set(rng.sample(business, min(len(business), max(n - residential, round(n * 0.06)))))
        with_dwelling = [i for i in everything if i not in no_dwelling]
        dwellings = [0 if i in no_dwelling else 1 for i in everything]
        extra = residential - len(with_dwelling)
        if not 0 <= extra <= 3 * len(with_dwelling):
            raise ValueError("chunk cannot hold its residential premises")
        for i in rng.sample(with_dwelling * 3, extra):  # up to 3 more per building, one per floor
            dwellings[i] += 1
        four_at = set(rng.sample(range(n), four))
        for i, slot in enumerate(batch):
            self._building(chunk, slot, shop_counts[i], i in mixed_at, dwellings[i], i in four_at)

    # --- one building ---

    def _building(
        self, chunk: Chunk, slot: _Slot, shops: int, has_mixed: bool, dwellings: int, four: bool
    ) -> None:
        rng = self.rng
        grid, community = slot.grid, slot.grid.community
        sub = community.subdistrict
        street = community.streets[slot.number % len(community.streets)]
        address = f"{data.DISTRICT_NAME}{sub.name}{street}{slot.number // len(community.streets) + 1}号"

        # Floors: the ground floor holds the shops and mixed-use premises, dwellings are above them.
        mixed_top = (2 if rng.random() < 0.6 else 1) if has_mixed else 0
        first_dwelling_floor = mixed_top + 1 if has_mixed else (2 if shops else 1)
        if shops or has_mixed:
            use = (
                (BuildingUse.MIXED if rng.random() < 0.7 else BuildingUse.SELF_BUILT)
                if dwellings
                else (BuildingUse.COMMERCIAL if shops else BuildingUse.INDUSTRIAL)
            )
        else:
            use = BuildingUse.RESIDENTIAL if rng.random() < 0.25 else BuildingUse.SELF_BUILT
        base_floors = {
            BuildingUse.RESIDENTIAL: (5, 7),
            BuildingUse.COMMERCIAL: (2, 4),
            BuildingUse.INDUSTRIAL: (1, 3),
        }.get(use, (2, 5))
        floors = max(rng.randint(*base_floors), first_dwelling_floor + dwellings - 1, mixed_top, 1)
        if use == BuildingUse.INDUSTRIAL:
            structure = BuildingStructure.STEEL if rng.random() < 0.5 else BuildingStructure.BRICK_CONCRETE
        elif use == BuildingUse.RESIDENTIAL:
            structure = BuildingStructure.FRAME if rng.random() < 0.7 else BuildingStructure.BRICK_CONCRETE
        else:
            structure = rng.choices(_HOUSE_STRUCTURES, cum_weights=(62, 82, 96, 100))[0]
        # Near the grid's seed, inside its outline; drawn where the position always was, so the rest of
        # the registry stream (and data) stays as it was, and so does the buildings' layout within a grid
        # (up to its scale): the long-term phase's walking routes, and the patrols on them, are unchanged.
        d_lat, d_lng = (
            rng.uniform(-BUILDING_SPREAD, BUILDING_SPREAD),
            rng.uniform(-BUILDING_SPREAD, BUILDING_SPREAD),
        )
        lng, lat = self.outlines.place(grid.code, d_lng, d_lat)
        building = Building(
            grid_id=self.grid_pks[grid.code],
            address=address,
            name=f"{slot.number % 20 + 1}幢" if use == BuildingUse.RESIDENTIAL else "",
            latitude=_degrees(lat),
            longitude=_degrees(lng),
            floors=floors,
            height_m=_tenths(floors * rng.randint(29, 34)),
            structure=structure,
            year_built=rng.randint(1982, 2018),
            use=use,
        )
        chunk.buildings.append(building)

        premises: list[Premises] = []
        for d in range(dwellings):
            low = first_dwelling_floor + d
            high = floors if d == dwellings - 1 else low
            label = "整幢" if (low, high) == (1, floors) else f"{low}楼" if low == high else f"{low}-{high}楼"
            premises.append(
                Premises(
                    building=building,
                    kind=PremisesKind.RESIDENTIAL,
                    unit_label=label,
                    floor_from=low,
                    floor_to=high,
                )
            )
        for s in range(shops):
            label = "1楼店面" if shops == 1 else f"1楼{_SHOP_SIDES[s]}店面"
            premises.append(self._business(building, PremisesKind.SHOP, label, 1, 1, sub))
        if has_mixed:
            label = "1-2楼" if mixed_top == 2 else ("1楼后场" if shops else "1楼")
            premises.append(self._business(building, PremisesKind.MIXED_USE, label, 1, mixed_top, sub))

        for p in premises:
            self._rooms_and_tenants(chunk, p)
        chunk.premises += premises
        self._owners(chunk, premises, grid, address, four)

    def _business(
        self, building: Building, kind: str, label: str, low: int, high: int, sub: SubdistrictPlan
    ) -> Premises:
        rng = self.rng
        kinds = data.SHOP_KINDS if kind == PremisesKind.SHOP else data.MIXED_USE_KINDS
        name = f"{data.DISTRICT_NAME}{sub.data.short}{rng.choice(data.BUSINESS_BRANDS)}{rng.choice(kinds)}"
        return Premises(
            building=building, kind=kind, unit_label=label, floor_from=low, floor_to=high, business_name=name
        )

    # --- rooms (房不漏间) and tenant households ---

    def _rooms_and_tenants(self, chunk: Chunk, p: Premises) -> None:
        rng = self.rng
        rooms: list[Room] = []
        floors = p.floor_to - p.floor_from + 1

        def room(number: str, use: str, tenths: int, window: float = 0.92) -> Room:
            r = Room(
                premises=p, number=number, area_m2=_tenths(tenths), use=use, has_window=rng.random() < window
            )
            rooms.append(r)
            return r

        def sleeping_rooms(count: int) -> list[Room]:
            return [
                room(
                    f"{p.floor_from + j % floors}{j // floors + 1:02d}",
                    RoomUse.SLEEPING,
                    rng.randint(80, 240),
                )
                for j in range(count)
            ]

        sleeping: list[Room] = []
        if p.kind == PremisesKind.RESIDENTIAL:
            # A few are shared rentals (群租房): ten rooms or more, each let separately.
            p.is_shared_rental = rng.random() < 0.025
            count = (
                rng.randint(10, 15)
                if p.is_shared_rental
                else rng.choices(_SLEEPING_COUNTS, _SLEEPING_WEIGHTS)[0]
            )
            sleeping = sleeping_rooms(count)
            room("厨房", RoomUse.KITCHEN, rng.randint(40, 100), window=0.85)
            vacant = rng.random() < 0.05
        elif p.kind == PremisesKind.SHOP:
            room("店面", RoomUse.BUSINESS, rng.randint(150, 600), window=1.0)
            if rng.random() < 0.4:
                room("仓库", RoomUse.STORAGE, rng.randint(50, 250), window=0.5)
            vacant = rng.random() < 0.04
        else:  # mixed use: trade or production, storage, and people sleeping under the same roof
            room("经营区", RoomUse.BUSINESS, rng.randint(200, 800), window=1.0)
            if rng.random() < 0.6:
                room("仓库", RoomUse.STORAGE, rng.randint(50, 300), window=0.4)
            sleeping = sleeping_rooms(rng.randint(1, 3))
            vacant = rng.random() < 0.03
        total = sum(int(r.area_m2 * 10) for r in rooms)
        p.floor_area_m2 = _tenths(total * rng.randint(115, 145) // 100 + 1)
        p.status = PremisesStatus.VACANT if vacant else PremisesStatus.ACTIVE
        chunk.rooms += rooms
        if not sleeping:
            return

        moved_in_first = None
        if not vacant:
            if p.is_shared_rental:
                let = rng.sample(sleeping, len(sleeping) - rng.randint(0, 2))
            elif p.kind == PremisesKind.RESIDENTIAL and rng.random() < 0.62:
                let = []  # one household rents the whole dwelling
            else:
                let = rng.sample(sleeping, rng.randint(1, len(sleeping)))
            if let:
                for r in let:
                    people = rng.choices((1, 2, 3), (50, 35, 15))[0]
                    r.occupants = people
                    moved_in = self._tenant(chunk, p, r, people, None)
                    moved_in_first = min(moved_in_first or moved_in, moved_in)
            else:
                people = rng.randint(1, min(5, 3 * len(sleeping)))
                for i in range(people):
                    sleeping[i % len(sleeping)].occupants += 1
                moved_in_first = self._tenant(chunk, p, None, people, None)
        if rng.random() < (0.2 if vacant else 0.12):
            # A household that has moved out: the registry keeps who lived there before.
            moved_out = (moved_in_first or SURVEY_DATE) - dt.timedelta(days=rng.randint(1, 120))
            self._tenant(chunk, p, None, rng.randint(1, 4), moved_out)

    def _tenant(
        self, chunk: Chunk, p: Premises, room: Room | None, people: int, moved_out: dt.date | None
    ) -> dt.date:
        rng = self.rng
        region = tenant_region(rng)
        id_number, male = self.tenant_ids.make(self.tenant_count, region)
        self.tenant_count += 1
        if moved_out is None:
            moved_in = SURVEY_DATE - dt.timedelta(days=rng.randint(5, 1800))
        else:
            moved_in = moved_out - dt.timedelta(days=rng.randint(60, 1500))
        chunk.tenants.append(
            TenantHousehold(
                premises=p,
                room=room,
                head_name=person_name(rng, male),
                id_number=id_number,
                mobile=mobile(rng) if rng.random() < 0.9 else "",
                people=people,
                moved_in=moved_in,
                moved_out=moved_out,
            )
        )
        return moved_in

    # --- landlords: 1–3 premises each, usually in one building ---

    def _owners(
        self, chunk: Chunk, premises: list[Premises], grid: GridPlan, address: str, four: bool
    ) -> None:
        rng = self.rng
        previous = self._previous_owner
        if (
            len(premises) >= 2
            and previous is not None
            and previous.grid_code == grid.code
            and previous.owned < 3
            and rng.random() < 0.05
        ):
            # The last premises belongs to the landlord next door.
            premises[-1].landlord = previous.landlord
            previous.owned += 1
            premises = premises[:-1]
        primary = None
        i = 0
        while i < len(premises):
            size = min(rng.choices((1, 2, 3), (40, 35, 25))[0], len(premises) - i)
            owner = _Owner(self._landlord(chunk, grid, address, four and primary is None), grid.code, size)
            for p in premises[i : i + size]:
                p.landlord = owner.landlord
            primary = primary or owner
            i += size
        self._previous_owner = primary

    def _landlord(self, chunk: Chunk, grid: GridPlan, address: str, four: bool) -> Landlord:
        rng = self.rng
        id_number, male = self.landlord_ids.make(self.landlord_count, data.LOCAL_REGION)
        self.landlord_count += 1
        if rng.random() >= 0.6:  # lives elsewhere in the community
            community = grid.community
            street = rng.choice(community.streets)
            address = f"{data.DISTRICT_NAME}{community.subdistrict.name}{street}{rng.randint(1, 300)}号"
        landlord = Landlord(
            name=person_name(rng, male),
            id_number=id_number,
            mobile=mobile(rng) if rng.random() < 0.95 else "",
            address=address,
            area_id=self.grid_pks[grid.code],
        )
        if four:
            self._four_category(landlord)
        chunk.landlords.append(landlord)
        return landlord

    def _four_category(self, landlord: Landlord) -> None:
        """Party members most often; officials and public payroll work for a state employer."""
        rng = self.rng
        x = rng.random()
        flags: tuple[str, ...]
        if x < 0.46:
            flags = ("is_party_member",)
        elif x < 0.58:
            flags = ("is_party_member", "is_official")
        elif x < 0.70:
            flags = ("is_party_member", "is_public_payroll")
        elif x < 0.84:
            flags = ("is_public_payroll",)
        elif x < 0.88:
            flags = ("is_official", "is_public_payroll")
        elif x < 0.94:
            flags = ("is_party_member", "is_deputy")
        else:
            flags = ("is_deputy",)
        for flag in flags:
            setattr(landlord, flag, True)
        if landlord.is_official or landlord.is_public_payroll:
            landlord.employer_unit_id = rng.choices(self.state_units, cum_weights=self.state_cum)[0]
        else:
            landlord.employer_unit_id = rng.choices(self.any_units, cum_weights=self.any_cum)[0]
