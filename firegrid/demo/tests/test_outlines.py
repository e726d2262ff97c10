"""The demo's area outlines: every level tiles its parent, and every building stands in its grid."""

import random

import pytest

from firegrid.demo import data
from firegrid.demo.generator import RegistryGenerator, district_plan
from firegrid.demo.generator.outlines import contains, district_outlines, signed_area

SEED = 2019


@pytest.fixture(scope="module")
def plan():
    return district_plan(SEED)


@pytest.fixture(scope="module")
def outlines(plan):
    return district_outlines(plan, SEED, data.DISTRICT_CODE)


def families(plan):
    """(parent code, child codes) for every area with children."""
    yield data.DISTRICT_CODE, [sub.code for sub in plan]
    for sub in plan:
        yield sub.code, [c.code for c in sub.communities]
        for community in sub.communities:
            yield community.code, [g.code for g in community.grids]


def bounds(ring):
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lngs), max(lngs), min(lats), max(lats)


def test_every_area_has_a_counter_clockwise_outline(plan, outlines):
    codes = {data.DISTRICT_CODE} | {code for _parent, children in families(plan) for code in children}
    assert set(outlines.polygons) == codes
    assert all(len(ring) >= 3 and signed_area(ring) > 0 for ring in outlines.polygons.values())


def test_children_tile_their_parent(plan, outlines):
    rng = random.Random(5)
    for parent, children in families(plan):
        whole = outlines.polygons[parent]
        parts = [outlines.polygons[c] for c in children]
        # No gap and no overlap adds up: the parts' areas are the whole's (up to rounding to 0.1 m).
        assert sum(signed_area(p) for p in parts) == pytest.approx(signed_area(whole), rel=1e-3)
        # … and a point of the parent lies in exactly one child (a gap: none; an overlap: two).
        west, east, south, north = bounds(whole)
        tried = 0
        while tried < 60:
            point = (rng.uniform(west, east), rng.uniform(south, north))
            if not contains(whole, point):
                continue
            tried += 1
            assert sum(contains(p, point) for p in parts) == 1, (parent, point)


def test_the_district_lies_where_the_demo_says(outlines):
    west, east, south, north = bounds(outlines.polygons[data.DISTRICT_CODE])
    assert 118.8 <= west and east <= 119.2 and 28.8 <= south and north <= 29.2


def test_same_seed_same_outlines(plan, outlines):
    assert district_outlines(district_plan(SEED), SEED, data.DISTRICT_CODE) == outlines
    assert district_outlines(district_plan(2020), 2020, data.DISTRICT_CODE) != outlines


def test_generated_buildings_stand_in_their_grid(plan, outlines):
    grids = [g for sub in plan for g in sub.grids]
    generator = RegistryGenerator(
        plan,
        seed=SEED,
        scale=1,
        grid_pks={g.code: i for i, g in enumerate(grids)},
        unit_pks={u.name: i for i, u in enumerate(data.UNITS)},
    )
    checked = 0
    for chunk in generator.chunks():
        for building in chunk.buildings:
            ring = outlines.polygons[grids[building.grid_id].code]
            assert contains(ring, (float(building.longitude), float(building.latitude))), building.address
            checked += 1
    assert checked == generator.total_buildings
