"""The areas a part's figures are shown for (the 长效管理 page, its daily report, the home strip), and the
roll-up of per-grid counts into them — one walk for every part's `figure_rows` (risk, self-inspections,
patrols, points)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from .choices import AreaLevel
from .models import Area, User, grids_within


def figure_areas(user: User, area: Area | None = None) -> list[Area]:
    """`area` (else the user's scope roots, by code) first, then each child area by code — no children
    when every root is a grid."""
    roots = (
        [area] if area is not None else list(Area.objects.filter(path__in=user.scope_paths).order_by("code"))
    )
    if not roots or all(root.level == AreaLevel.GRID for root in roots):
        return roots
    return [*roots, *Area.objects.filter(parent__in=roots).order_by("code")]


class FigureRow(Protocol):
    """A row of figures for one area (each part's own dataclass)."""

    @property
    def area(self) -> Area: ...

    @property
    def figures(self) -> dict[str, int]: ...


class GridRollup:
    """Counts per grid added into the rows of every area that holds the grid (an area's figure is its
    grids' sum; a grid counts in its own row and in each of its ancestors' shown)."""

    def __init__(self, rows: Iterable[FigureRow]) -> None:
        self.rows = {row.area.pk: row for row in rows}
        self.membership = grids_within(row.area for row in self.rows.values())

    @property
    def grid_ids(self) -> list[int]:
        """The grids inside the rows' areas, in id order."""
        return sorted(self.membership)

    def add(self, counts: Iterable[Sequence[int]], keys: Sequence[str]) -> None:
        """`counts`: rows of (grid id, one count per key), as a `values_list(grid).annotate(…)` gives."""
        for grid_id, *values in counts:
            for inside in self.membership.get(grid_id, []):
                figures = self.rows[inside.pk].figures
                for key, value in zip(keys, values, strict=True):
                    figures[key] = figures.get(key, 0) + value
