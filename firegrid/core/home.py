"""The figures on the home page: what is registered inside the user's scope, by area.

Every figure is a link to the list behind it, and that list's count equals the figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from firegrid.areas.choices import LEVEL_ORDER, AreaLevel
from firegrid.areas.models import Area
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


def _url(name: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name) + (f"?{query}" if query else "")


def scope_figures(user) -> list[Figure]:
    figures = [
        Figure(_("建筑（幢）"), Building.objects.visible_to(user).count(), _url("registry:building_list"))
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
                str(kind.label), by_kind.get(kind.value, 0), _url("registry:premises_list", kind=kind.value)
            )
        )
    figures.append(Figure(_("房间（间）"), Room.objects.visible_to(user).count(), _url("registry:room_list")))
    if can(user, Action.VIEW, TenantHousehold):
        figures.append(
            Figure(
                _("在住租户"),
                TenantHousehold.objects.visible_to(user).current().count(),
                _url("registry:tenanthousehold_list", current="true"),
            )
        )
    figures.append(
        Figure(
            _("四类人员房东"),
            Landlord.objects.visible_to(user).four_category().count(),
            _url("registry:landlord_list", four_category="true"),
        )
    )
    return figures


def area_breakdown(user) -> list[AreaRow]:
    """Premises by kind for each area one level below the user's scope roots (subdistricts for the district)."""
    roots = Area.objects.filter(path__in=user.scope_paths)
    if not roots:
        return []
    child_levels = {LEVEL_ORDER[LEVEL_ORDER.index(r.level) + 1] for r in roots if r.level != AreaLevel.GRID}
    if not child_levels:
        return []
    children = list(Area.objects.filter(parent__in=roots).order_by("code"))
    by_prefix = {c.path: AreaRow(area=c) for c in children}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grid_paths = dict(Area.objects.filter(level=AreaLevel.GRID).values_list("pk", "path"))
    rows = (
        Premises.objects.visible_to(user)
        .order_by()
        .values_list("building__grid_id", "kind")
        .annotate(n=Count("id"))
    )
    for grid_id, kind, n in rows:
        path = grid_paths.get(grid_id, "")
        for prefix in by_prefix:
            if path.startswith(prefix):
                counts[prefix][kind] += n
                counts[prefix]["total"] += n
                break
    for prefix, row in by_prefix.items():
        row.counts = dict(counts[prefix])
        row.links = {
            kind.value: _url("registry:premises_list", area=row.area.pk, kind=kind.value)
            for kind in PremisesKind
        }
        row.links["total"] = _url("registry:premises_list", area=row.area.pk)
    return list(by_prefix.values())
