"""Deterministic generation of the demo district, with no database access.

`district_plan(seed)` gives the area tree (`areas`); `RegistryGenerator(...).chunks()` gives the registry
(landlords, buildings, premises, rooms, tenant households) as unsaved model instances, a chunk of about a
thousand buildings at a time so memory stays flat at any scale (`registry`), with people's ID numbers,
names and mobiles from `people` and every random stream from `streams`. The loader
(`firegrid.demo.loader`) writes them.

Determinism: every random choice comes from a `random.Random` seeded with a string made of the seed
(string seeds are hashed with SHA-512, so they do not depend on PYTHONHASHSEED); nothing iterates a set or
reads the clock. Dates are fixed around the 2019 survey, so the data does not change with "today". The
chunk size is part of the recipe: another CHUNK_BUILDINGS gives other (equally valid) data for a seed.

Exact figures (times the scale): buildings, shops, mixed-use and residential premises, four-category
landlords. They are shared out over chunks by cumulative rounding, so every chunk gets its exact part and
the parts add up to the total. Rooms, tenant households and landlords follow from random per-premises
choices: about proportional to the scale, not exact.
"""

from .areas import CommunityPlan, GridPlan, SubdistrictPlan, district_plan
from .people import LANDLORD_BORN, TENANT_BORN, IdNumbers, mobile, person_name
from .registry import (
    BUILDINGS,
    CHUNK_BUILDINGS,
    FOUR_CATEGORY,
    MAX_SCALE,
    MIXED_USE,
    RESIDENTIAL,
    SHOPS,
    SURVEY_DATE,
    Chunk,
    RegistryGenerator,
    apportion,
)
from .streams import seeded_rng

__all__ = [
    "BUILDINGS",
    "CHUNK_BUILDINGS",
    "FOUR_CATEGORY",
    "LANDLORD_BORN",
    "MAX_SCALE",
    "MIXED_USE",
    "RESIDENTIAL",
    "SHOPS",
    "SURVEY_DATE",
    "TENANT_BORN",
    "Chunk",
    "CommunityPlan",
    "GridPlan",
    "IdNumbers",
    "RegistryGenerator",
    "SubdistrictPlan",
    "apportion",
    "district_plan",
    "mobile",
    "person_name",
    "seeded_rng",
]
