"""The 2018 fire incident record (火警火灾, issue 15 part 5): the seed of the long-term drive — 553 fire
alarms in the district that year, 284 of them (51.4 %) in 樟潭街道, a key area since 2015.

- **How many where**: 284 in 樟潭街道; the other 269 over the other subdistricts and towns in proportion to
  their premises.
- **When**: over 2018, more in winter (heating, charging indoors) and in the evening.
- **What**: 85 % 火警 (a call, no damage), 15 % 火灾; causes — electrical 38 %, e-bike 22 %, cooking 18 %,
  smoking 8 %, other 6 %, unknown 8 %; a fire's direct loss 500–60,000 yuan, rarely someone hurt.
- **The address as the caller gave it**: 88 % at a premises of the registry — most written as the registry
  has it, some with full-width digits or spaces (normalised), some with a character wrong or missing
  (a fuzzy proposal for an officer) — and 12 % somewhere else (a street corner, a market): unmatched.

Written in bulk as history (no audit entries), then matched with the register's own matcher
(`incidents.services.match_incidents`), as an import would be.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.incidents.choices import IncidentCause, IncidentKind
from firegrid.incidents.models import FireIncident
from firegrid.incidents.services import match_incidents
from firegrid.registry.models import Premises

from .context import Context

YEAR = 2018
TOTAL = 553
KEY_SUBDISTRICT = "樟潭街道"
IN_KEY = 284
CAUSES = (
    (IncidentCause.ELECTRICAL, 38),
    (IncidentCause.EBIKE, 22),
    (IncidentCause.COOKING, 18),
    (IncidentCause.SMOKING, 8),
    (IncidentCause.OTHER, 6),
    (IncidentCause.UNKNOWN, 8),
)
# Month weights (January first): winter heavier.
MONTHS = (12, 11, 9, 7, 6, 6, 7, 7, 7, 8, 10, 12)
HOURS = (*range(0, 24), *range(17, 23), *range(17, 23), *range(6, 9))
ELSEWHERE = ("路口", "菜市场东侧", "公交站旁绿化带", "停车场", "河堤步道")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def run(ctx: Context) -> int:
    rng = ctx.rng("incidents")
    subdistricts = list(Area.objects.filter(level=AreaLevel.SUBDISTRICT).order_by("code"))
    key = next((a for a in subdistricts if a.name == KEY_SUBDISTRICT), None)
    if key is None or FireIncident.objects.exists():
        return 0
    places = {a.pk: _premises_of(a) for a in subdistricts}
    others = [a for a in subdistricts if a.pk != key.pk and places[a.pk]]
    shares = _split(TOTAL - IN_KEY, [len(places[a.pk]) for a in others])
    plan = [key] * IN_KEY + [a for a, n in zip(others, shares, strict=True) for _ in range(n)]
    rng.shuffle(plan)
    incidents = [_incident(rng, area, places[area.pk]) for area in plan]
    incidents.sort(key=lambda i: i.occurred_at)
    for n, incident in enumerate(incidents, start=1):
        incident.reference = f"QJ{YEAR}{n:05d}"
    FireIncident.objects.bulk_create(incidents, batch_size=1000)
    match_incidents(list(FireIncident.objects.select_related("area").order_by("pk")))
    return len(incidents)


def _premises_of(area: Area) -> list[tuple[str, str]]:
    return list(
        Premises.objects.filter(building__grid__path__startswith=area.path)
        .order_by("pk")
        .values_list("building__address", "unit_label")
    )


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` in proportion to `weights` (largest remainders)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: -(exact[i] - counts[i]))[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _incident(rng: random.Random, area: Area, places: list[tuple[str, str]]) -> FireIncident:
    month = rng.choices(range(1, 13), MONTHS)[0]
    day = rng.randrange(1, 29)
    occurred = dt.datetime(
        YEAR, month, day, rng.choice(HOURS), rng.randrange(60), tzinfo=timezone.get_current_timezone()
    )
    fire = rng.random() < 0.15
    cause = rng.choices([c for c, _w in CAUSES], [w for _c, w in CAUSES])[0]
    return FireIncident(
        reference="",
        occurred_at=occurred,
        kind=IncidentKind.FIRE if fire else IncidentKind.ALARM,
        cause=cause,
        address=_address(rng, area, places),
        area=area,
        deaths=0,
        injuries=1 if fire and rng.random() < 0.06 else 0,
        loss_yuan=Decimal(rng.randrange(500, 60_000)) if fire else Decimal(0),
    )


def _address(rng: random.Random, area: Area, places: list[tuple[str, str]]) -> str:
    roll = rng.random()
    if roll >= 0.88:
        return f"衢江区{area.name}{rng.choice(ELSEWHERE)}"
    address, unit = rng.choice(places)
    text = address if unit == "整幢" else f"{address}{unit}"
    if roll < 0.66:
        return text  # as the registry has it
    if roll < 0.80:
        return text.translate(FULL_WIDTH).replace("号", " 号 ")  # full-width digits, spaces
    # A character missing (the caller in a hurry): a fuzzy proposal at best.
    cut = rng.randrange(len(text) // 2, len(text))
    return text[:cut] + text[cut + 1 :]
