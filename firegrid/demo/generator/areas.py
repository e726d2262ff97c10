"""The area tree of the demo district: subdistricts, communities (社区/村) and grids of 衢江区, with codes,
streets and centres."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .. import data
from .streams import seeded_rng


@dataclass
class GridPlan:
    code: str
    name: str
    weight: int
    community: CommunityPlan = field(repr=False)


@dataclass
class CommunityPlan:
    code: str
    name: str
    is_village: bool
    streets: tuple[str, ...]
    lat: float
    lng: float
    weight: int
    subdistrict: SubdistrictPlan = field(repr=False)
    grids: list[GridPlan] = field(default_factory=list)


@dataclass
class SubdistrictPlan:
    data: data.SubdistrictData
    code: str
    communities: list[CommunityPlan] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def grids(self) -> list[GridPlan]:
        return [g for c in self.communities for g in c.grids]


def district_plan(seed: int) -> list[SubdistrictPlan]:
    """The subdistricts, communities (社区/村) and grids of 衢江区, with codes, streets and centres."""
    rng = seeded_rng(seed, "areas")
    villages = list(data.VILLAGE_POOL)
    rng.shuffle(villages)
    plan = []
    for sd in data.SUBDISTRICTS:
        sub = SubdistrictPlan(data=sd, code=data.DISTRICT_CODE + sd.code_suffix)
        if sd.communities:
            names = list(sd.communities)
        elif sd.name.endswith("镇"):
            names = [f"{sd.short}社区", f"{sd.short}村"] + [villages.pop() for _ in range(rng.randint(0, 1))]
        else:
            seat = sd.short if sd.short.endswith("村") else f"{sd.short}村"  # 举村乡's seat is 举村
            names = [seat] + [villages.pop() for _ in range(rng.randint(1, 2))]
        urban_streets = list(data.URBAN_STREETS.get(sd.short, ()))
        rng.shuffle(urban_streets)
        residents_no, village_no = itertools.count(1), itertools.count(201)
        for index, name in enumerate(names):
            is_village = name.endswith("村")
            number = next(village_no) if is_village else next(residents_no)
            if is_village:
                streets = tuple(f"{name}{g}组" for g in range(1, rng.randint(3, 6) + 1))
            elif urban_streets:
                take = min(rng.randint(2, 4), len(urban_streets))
                streets = tuple(urban_streets.pop() for _ in range(take))
            else:
                streets = tuple(f"{sd.short}{e}" for e in rng.sample(data.TOWN_STREET_ENDINGS, 3))
            urban = sd.short in data.URBAN_STREETS
            # The first community is the seat (樟树潭社区 for 樟潭): it sits at the centre and weighs double.
            spread = 0.004 if index == 0 else (0.018 if urban else 0.03)
            community = CommunityPlan(
                code=f"{sub.code}{number:03d}",
                name=name,
                is_village=is_village,
                streets=streets,
                lat=sd.lat + rng.uniform(-spread, spread),
                lng=sd.lng + rng.uniform(-spread, spread),
                weight=rng.randint(6, 14) * (2 if index == 0 else 1),
                subdistrict=sub,
            )
            grid_count = rng.randint(3, 5) if urban and not is_village else rng.randint(2, 3)
            for g in range(1, grid_count + 1):
                community.grids.append(
                    GridPlan(
                        code=f"{community.code}{g:03d}",
                        name=f"{name}第{data.CHINESE_ORDINALS[g - 1]}网格",
                        weight=rng.randint(8, 12),
                        community=community,
                    )
                )
            sub.communities.append(community)
        plan.append(sub)
    return plan
