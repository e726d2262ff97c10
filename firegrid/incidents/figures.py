"""Hotspots (火警多发): incidents per subdistrict and month of a year, each count a link to the list whose
count equals it, and each subdistrict's share of the district's year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area, User

from .models import FireIncident


@dataclass
class HotspotRow:
    area: Area
    months: list[tuple[int, str]] = field(default_factory=list)  # (count, link) per month 1–12
    total: int = 0
    link: str = ""
    share: Decimal | None = None  # % of the year's incidents in view


def subdistrict_of() -> dict[int, int]:
    """area id → the id of its subdistrict (itself for a subdistrict); the district maps to nothing."""
    areas = dict(Area.objects.values_list("pk", "parent_id"))
    levels = dict(Area.objects.values_list("pk", "level"))
    out: dict[int, int] = {}
    for pk in areas:
        node: int | None = pk
        while node is not None and levels[node] not in (AreaLevel.SUBDISTRICT, AreaLevel.DISTRICT):
            node = areas[node]
        if node is not None and levels[node] == AreaLevel.SUBDISTRICT:
            out[pk] = node
    return out


def list_link(**params: object) -> str:
    return (
        f"{reverse('incidents:fireincident_list')}?{urlencode({k: v for k, v in params.items() if v != ''})}"
    )


def hotspots(user: User, year: int) -> tuple[list[HotspotRow], int]:
    """Every subdistrict with incidents in view in `year`, most first; and the year's total in view."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    counts = (
        FireIncident.objects.visible_to(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(month=ExtractMonth("occurred_at", tzinfo=tz))
        .order_by()
        .values_list("area_id", "month")
        .annotate(n=Count("pk"))
    )
    up = subdistrict_of()
    per: dict[int, list[int]] = {}
    for area_id, month, n in counts:
        sub = up.get(area_id)
        if sub is None:
            continue
        per.setdefault(sub, [0] * 12)[month - 1] += n
    total = sum(sum(m) for m in per.values())
    areas = Area.objects.in_bulk(list(per))
    rows = []
    for sub, months in per.items():
        row = HotspotRow(area=areas[sub], total=sum(months), link=list_link(area=sub, year=year))
        row.months = [(n, list_link(area=sub, year=year, month=i + 1)) for i, n in enumerate(months)]
        if total:
            row.share = (Decimal(row.total * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        rows.append(row)
    rows.sort(key=lambda r: (-r.total, r.area.code))
    return rows, total
