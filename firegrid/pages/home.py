"""The figures on the home page: what is registered inside the user's scope, by area.

Every figure is a link to the list behind it, and that list's count equals the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User, grids_within
from firegrid.core.filters import filtered_list_url
from firegrid.core.permissions import Action, can
from firegrid.registry.choices import PremisesKind
from firegrid.registry.models import Building, Landlord, Premises, Room, TenantHousehold


@dataclass
class Figure:
    label: str
    value: int
    url: str


@dataclass
class AreaRow:
    area: Area
    counts: dict[str, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


def scope_figures(user: User) -> list[Figure]:
    figures = [
        Figure(
            _("建筑（幢）"),
            Building.objects.visible_to(user).count(),
            filtered_list_url("registry:building_list"),
        )
    ]
    by_kind = dict(
        Premises.objects.visible_to(user)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    for kind in PremisesKind:
        figures.append(
            Figure(
                str(kind.label),
                by_kind.get(kind.value, 0),
                filtered_list_url("registry:premises_list", kind=kind.value),
            )
        )
    figures.append(
        Figure(
            _("房间（间）"), Room.objects.visible_to(user).count(), filtered_list_url("registry:room_list")
        )
    )
    if can(user, Action.VIEW, TenantHousehold):
        figures.append(
            Figure(
                _("在住租户"),
                TenantHousehold.objects.visible_to(user).current().count(),
                filtered_list_url("registry:tenanthousehold_list", current="true"),
            )
        )
    figures.append(
        Figure(
            _("四类人员房东"),
            Landlord.objects.visible_to(user).four_category().count(),
            filtered_list_url("registry:landlord_list", four_category="true"),
        )
    )
    return figures


def area_breakdown(user: User) -> list[AreaRow]:
    """Premises by kind for each area one level below the user's scope roots (subdistricts for the district)."""
    roots = Area.objects.filter(path__in=user.scope_paths).exclude(level=AreaLevel.GRID)
    rows = [AreaRow(area=child) for child in Area.objects.filter(parent__in=roots).order_by("code")]
    if not rows:
        return []
    by_area = {row.area.pk: row for row in rows}
    membership = grids_within(row.area for row in rows)
    for grid_id, kind, n in (
        Premises.objects.visible_to(user)
        .order_by()
        .values_list("building__grid_id", "kind")
        .annotate(n=Count("id"))
    ):
        for area in membership.get(grid_id, []):
            counts = by_area[area.pk].counts
            counts[kind] = counts.get(kind, 0) + n
            counts["total"] = counts.get("total", 0) + n
    for row in rows:
        row.links = {
            kind.value: filtered_list_url("registry:premises_list", area=row.area.pk, kind=kind.value)
            for kind in PremisesKind
        }
        row.links["total"] = filtered_list_url("registry:premises_list", area=row.area.pk)
    return rows
