"""The daily report read on a phone: the reader's own row first (their area, their unit, or the district total
for the command), the areas under it, every section folded behind a summary line with its headline figure,
and long rankings cut to the first `TOP` rows plus the reader's own, the rest behind 展开全部.

Nothing is left out of the page: every row and every figure's link stays in the HTML (figures are traceable),
and the cut is CSS at phone width only, so the desktop shows the full tables. `?all=<dimension>` opens one
section in full without a script; static/firegrid/rankings.js opens it in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count

from firegrid.areas.choices import AREA_ROLES, DISTRICT_WIDE_ROLES, Role
from firegrid.campaigns.ranking import PHONE_TOP

from .computing import AREA_DIMENSIONS
from .models import RANKED, Dimension

if TYPE_CHECKING:
    from firegrid.areas.models import User

    from .models import DailySnapshot, SnapshotRow

# Rows a long ranking shows on a phone before 展开全部 (the reader's own row is shown besides).
TOP = PHONE_TOP

# The area dimension under each one, for "the areas under the reader's own".
CHILD_DIMENSION = {
    Dimension.TOTAL: Dimension.SUBDISTRICT,
    Dimension.SUBDISTRICT: Dimension.COMMUNITY,
    Dimension.COMMUNITY: Dimension.GRID,
}


def own_rows(sections: list[dict[str, Any]], user: User) -> list[SnapshotRow]:
    """The reader's own rows: the district total for the command; an area officer's top areas (the rows of
    their scope whose parent is outside it); a unit liaison's unit."""
    rows = [row for section in sections for row in section["rows"]]
    if user.is_superuser or user.role in DISTRICT_WIDE_ROLES:
        return [r for r in rows if r.dimension == Dimension.TOTAL]
    if user.role in AREA_ROLES:
        areas = [r for r in rows if r.dimension in AREA_DIMENSIONS.values()]
        keys = {r.key for r in areas}
        return [r for r in areas if r.parent_key not in keys]
    if user.role == Role.UNIT_LIAISON and user.unit_id is not None:
        return [r for r in rows if r.dimension == Dimension.UNIT and r.key == str(user.unit_id)]
    return []


def children_of(sections: list[dict[str, Any]], own: list[SnapshotRow]) -> tuple[str, list[SnapshotRow]]:
    """The label and rows of the areas directly under the reader's own area (one level down), in rank order.
    Only for a single own area: a reader over several areas reads them as their own cards."""
    if len(own) != 1 or own[0].dimension not in CHILD_DIMENSION:
        return "", []
    parent = own[0]
    dimension = CHILD_DIMENSION[Dimension(parent.dimension)]
    section = next((s for s in sections if s["dimension"] == dimension), None)
    if section is None:
        return "", []
    # Subdistricts have no parent key (the district is the root); other areas name their parent.
    want = "" if parent.dimension == Dimension.TOTAL else parent.key
    return str(section["label"]), [r for r in section["rows"] if r.parent_key == want]


def arrange(
    snapshot: DailySnapshot, sections: list[dict[str, Any]], user: User, show_all: str = ""
) -> dict[str, Any]:
    """Mark each section's rows for the phone (own: highlighted and pinned first; folded: after the first
    `TOP`), give each section its summary's headline, and return the own rows and the areas under them."""
    own = own_rows(sections, user)
    # The district total is the command's card, not a row to pick out of a ranking.
    own_ids = {row.pk for row in own if row.dimension != Dimension.TOTAL}
    # How many rows each ranking has in the whole report (an area officer sees only their part of it).
    sizes = {
        entry["dimension"]: entry["n"]
        for entry in snapshot.rows.order_by().values("dimension").annotate(n=Count("pk"))
    }
    for row in own:
        row.out_of = sizes.get(row.dimension, 0)
    for section in sections:
        rows = section["rows"]
        folded = 0
        for position, row in enumerate(rows, start=1):
            row.is_own = row.pk in own_ids
            row.folded = position > TOP and not row.is_own
            folded += row.folded
        mine = [row for row in rows if row.is_own]
        section.update(
            anchor=f"section-{section['dimension']}",
            ranked=section["dimension"] in RANKED,
            size=len(rows),
            out_of=sizes.get(section["dimension"], len(rows)),
            own=mine[0] if len(mine) == 1 else None,
            leader=rows[0] if rows else None,
            # The four categories end with their total row; the district total is its only row.
            total=rows[-1] if section["dimension"] in (Dimension.TOTAL, Dimension.FOUR_CATEGORY) else None,
            folded=folded,
            show_all=show_all == section["dimension"],
        )
    children_label, children = children_of(sections, own)
    return {"own": own, "children": children, "children_label": children_label}
