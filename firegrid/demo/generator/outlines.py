"""Area outlines of the demo district: polygons that tile it, level by level, and where each grid's
buildings stand.

The district is a convex polygon around its subdistricts' centres. Each level is the Voronoi diagram of
its areas' seed points clipped to the parent's polygon, so the children of an area tile it exactly (they
share their edges, leave no gap and overlap nowhere) and every cell is convex and holds its seed:

- subdistricts: seeded at their real centres (`data.SUBDISTRICTS`);
- communities: the seat (the first) at its subdistrict's centre, the others on a ring around it;
- grids: on a small ring around their community's seed, so a grid is a wedge of its community.

A grid's buildings gather in a square around the centre of its polygon (its centroid, or its seed if
that has more room), scaled once per grid to fit inside it (`Outlines.place`). Voronoi
bisectors are drawn in a plane where a degree of longitude is as long as it is here (cos 29° of a
degree of latitude); the polygons are rounded to 6 decimals (about 0.1 m) as stored, and every
containment question is asked of the rounded polygons, so what the tests check is what the map draws.

Pure Python and deterministic: one random stream (`outlines`), areas visited in the plan's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .areas import SubdistrictPlan
from .streams import seeded_rng

Point = tuple[float, float]  # (longitude, latitude) in degrees, GeoJSON's order
Polygon = list[Point]  # the exterior ring, counter-clockwise, not closed

# How much shorter a degree of longitude is than one of latitude at the district's latitude.
_KX = math.cos(math.radians(29.0))
# The district reaches this far (degrees of latitude) beyond its outermost subdistrict centres.
DISTRICT_MARGIN = 0.035
# Grids' seeds sit this far (degrees of latitude) from their community's, at most.
GRID_RING = 0.005
# A building stands within this many degrees (either way, in longitude and latitude) of its grid's centre
# before the grid's scale (the registry draws the offset: generator.registry).
BUILDING_SPREAD = 0.004
_DECIMALS = 6


# --- plane geometry (x, y) = (longitude × cos 29°, latitude) ------------------------------------------


def _to_plane(p: Point) -> Point:
    return (p[0] * _KX, p[1])


def _to_degrees(q: Point) -> Point:
    return (round(q[0] / _KX, _DECIMALS), round(q[1], _DECIMALS))


def signed_area(ring: Polygon) -> float:
    """Positive for a counter-clockwise ring (shoelace formula), in the ring's own units."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def contains(ring: Polygon, point: Point) -> bool:
    """Whether `point` lies inside `ring` (ray casting; works for any simple polygon)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _clip(ring: Polygon, seed: Point, other: Point) -> Polygon:
    """The part of a convex `ring` nearer to `seed` than to `other` (Sutherland–Hodgman, one half-plane)."""
    mx, my = (seed[0] + other[0]) / 2, (seed[1] + other[1]) / 2
    nx, ny = other[0] - seed[0], other[1] - seed[1]

    def side(p: Point) -> float:  # negative on the seed's side of the bisector
        return (p[0] - mx) * nx + (p[1] - my) * ny

    out: Polygon = []
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        sa, sb = side(a), side(b)
        if sa <= 0:
            out.append(a)
        if (sa < 0 < sb) or (sb < 0 < sa):
            t = sa / (sa - sb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return out


def voronoi_cells(parent: Polygon, seeds: list[Point]) -> list[Polygon]:
    """Each seed's Voronoi cell clipped to the convex `parent` (all in the plane)."""
    cells = []
    for i, seed in enumerate(seeds):
        cell = list(parent)
        for j, other in enumerate(seeds):
            if i != j:
                cell = _clip(cell, seed, other)
        cells.append(cell)
    return cells


def convex_hull(points: list[Point]) -> Polygon:
    """Counter-clockwise hull (Andrew's monotone chain)."""
    pts = sorted(set(points))

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: Polygon = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: Polygon = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _reach(ring: Polygon, centre: Point, angle: float) -> float:
    """How far from `centre` (inside the convex `ring`) its boundary lies in direction `angle`."""
    dx, dy = math.cos(angle), math.sin(angle)
    best = math.inf
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        ex, ey = b[0] - a[0], b[1] - a[1]
        denominator = dx * ey - dy * ex
        if abs(denominator) < 1e-15:
            continue
        # centre + s·d = a + u·e, solved for s (along the ray) and u (along the edge)
        wx, wy = a[0] - centre[0], a[1] - centre[1]
        s = (wx * ey - wy * ex) / denominator
        u = (wx * dy - wy * dx) / denominator
        if s > 0 and -1e-12 <= u <= 1 + 1e-12:
            best = min(best, s)
    return best if best < math.inf else 0.0


# --- the district --------------------------------------------------------------------------------------


@dataclass
class Outlines:
    """The polygon of every area of the plan by code (degrees, rounded as stored), and where in each grid
    its buildings gather (a centre and a scale)."""

    polygons: dict[str, Polygon] = field(default_factory=dict)
    grid_centres: dict[str, Point] = field(default_factory=dict)  # where a grid's buildings gather
    grid_scales: dict[str, float] = field(default_factory=dict)

    def geojson(self, code: str) -> dict[str, Any]:
        """The area's outline as a GeoJSON Polygon (RFC 7946: counter-clockwise, the ring closed)."""
        ring = self.polygons[code]
        return {"type": "Polygon", "coordinates": [[list(p) for p in [*ring, ring[0]]]]}

    def place(self, grid_code: str, d_lng: float, d_lat: float) -> Point:
        """A building's position: the grid's centre moved by (d_lng, d_lat) — an offset drawn within
        ±BUILDING_SPREAD degrees — times the grid's scale, which fits that whole square inside the grid's
        polygon. One scale per grid keeps the buildings' layout within a grid (and so the order a walking
        route visits them in) whatever the polygon's size."""
        ring = self.polygons[grid_code]
        lng0, lat0 = self.grid_centres[grid_code]
        scale = self.grid_scales[grid_code]
        d_lng, d_lat = d_lng * scale, d_lat * scale
        for _ in range(40):  # once: the square fits (a safety net for rounding at its very edge)
            point = (round(lng0 + d_lng, _DECIMALS), round(lat0 + d_lat, _DECIMALS))
            if contains(ring, point):
                return point
            d_lng, d_lat = d_lng / 2, d_lat / 2
        return (round(lng0, _DECIMALS), round(lat0, _DECIMALS))


def _centroid(ring: Polygon) -> Point:
    """The centre of mass of a polygon (inside it when convex), rounded as stored."""
    area = signed_area(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        cx, cy = cx + (x1 + x2) * cross, cy + (y1 + y2) * cross
    return (round(cx / (6 * area), _DECIMALS), round(cy / (6 * area), _DECIMALS))


def _fit(ring: Polygon, seed: Point) -> float:
    """The largest scale (1, 0.9, 0.81 …) at which the square of ±BUILDING_SPREAD around `seed` (a centre),
    with a little margin, lies inside the convex `ring`: then so does every building placed in it."""
    scale = 1.0
    reach = BUILDING_SPREAD * 1.02
    while scale > 1e-3:
        corners = [
            (seed[0] + sx * reach * scale, seed[1] + sy * reach * scale) for sx in (-1, 1) for sy in (-1, 1)
        ]
        if all(contains(ring, corner) for corner in corners):
            return scale
        scale *= 0.9
    return scale


def _rounded(cell: Polygon) -> Polygon:
    ring = [_to_degrees(q) for q in cell]
    # Rounding can make two neighbouring vertices one: drop the repeat.
    return [p for i, p in enumerate(ring) if p != ring[i - 1]] if len(ring) > 1 else ring


def _ring_seeds(
    rng: Any,
    cell: Polygon,
    centre: Point,
    count: int,
    *,
    near: float = 0.35,
    reach: float = 0.65,
    most: float = math.inf,
) -> list[Point]:
    """`count` points around `centre`, evenly turned (with a little jitter), each between `near` and `reach`
    of the way to the cell's boundary in its direction, and no farther than `most`."""
    start = rng.uniform(0, 2 * math.pi)
    seeds = []
    for k in range(count):
        angle = start + 2 * math.pi * k / count + rng.uniform(-0.25, 0.25) * math.pi / count
        distance = min(_reach(cell, centre, angle) * rng.uniform(near, reach), most)
        seeds.append((centre[0] + distance * math.cos(angle), centre[1] + distance * math.sin(angle)))
    return seeds


def district_outlines(plan: list[SubdistrictPlan], seed: int, district_code: str) -> Outlines:
    """The outlines of the district (`district_code`), its subdistricts, communities and grids."""
    rng = seeded_rng(seed, "outlines")
    outlines = Outlines()

    def keep_degrees(code: str, cell: Polygon) -> Polygon:
        """Store the rounded cell (degrees, counter-clockwise)."""
        ring = _rounded(cell)
        if signed_area(ring) < 0:
            ring.reverse()
        outlines.polygons[code] = ring
        return ring

    def keep(code: str, cell: Polygon) -> Polygon:
        """Store the rounded cell; its children are cut from exactly what is stored (in the plane)."""
        return [_to_plane(p) for p in keep_degrees(code, cell)]

    centres = [_to_plane((sub.data.lng, sub.data.lat)) for sub in plan]
    hull = convex_hull(centres)
    mid = (sum(p[0] for p in hull) / len(hull), sum(p[1] for p in hull) / len(hull))
    padded = []
    for x, y in hull:
        length = math.hypot(x - mid[0], y - mid[1]) or 1.0
        factor = (length + DISTRICT_MARGIN) / length
        padded.append((mid[0] + (x - mid[0]) * factor, mid[1] + (y - mid[1]) * factor))
    district = keep(district_code, convex_hull(padded))

    for sub, sub_cell in zip(plan, voronoi_cells(district, centres), strict=True):
        sub_ring = keep(sub.code, sub_cell)
        centre = _to_plane((sub.data.lng, sub.data.lat))
        # The others well out: the seat (the town centre, the densest) keeps room for its grids' buildings.
        seeds = [centre, *_ring_seeds(rng, sub_ring, centre, len(sub.communities) - 1, near=0.55, reach=0.85)]
        cells = voronoi_cells(sub_ring, seeds)
        for community, community_cell, middle in zip(sub.communities, cells, seeds, strict=True):
            community_ring = keep(community.code, community_cell)
            count = len(community.grids)
            grid_seeds = _ring_seeds(rng, community_ring, middle, count, reach=0.5, most=GRID_RING)
            for grid, grid_cell, grid_seed in zip(
                community.grids, voronoi_cells(community_ring, grid_seeds), grid_seeds, strict=True
            ):
                ring = keep_degrees(grid.code, grid_cell)
                # The buildings gather where the cell has most room: its centroid, or its seed.
                centre, scale = max(
                    ((p, _fit(ring, p)) for p in (_centroid(ring), _to_degrees(grid_seed))),
                    key=lambda c: c[1],
                )
                outlines.grid_centres[grid.code], outlines.grid_scales[grid.code] = centre, scale
    return outlines
