"""A daily report long enough to fold on a phone: the test district with `EXTRA` more grids under 樟树潭社区,
each with one target premises of a four-category landlord claimed by a unit of its own. Every extra unit's
premises is accepted (100 %); the liaison's unit (衢江区住建局, landlord_a) stays at 0 % and ranks last,
outside the first `layout.TOP` rows; 衢江区教育局 (the other liaison's unit) has one accepted premises in
grid B. The snapshot is of yesterday."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from firegrid import testing as t
from firegrid.areas.choices import AreaLevel
from firegrid.campaigns.models import Claim
from firegrid.reports import services
from firegrid.reports.testing import at, history, make_campaign, target

EXTRA = 14


def build(district, personas, extra: int = EXTRA) -> SimpleNamespace:
    d = district
    day = timezone.localdate() - dt.timedelta(days=1)
    before = day - dt.timedelta(days=1)
    campaign = make_campaign()
    officer = personas.grid_worker

    def claim(landlord, unit) -> None:
        Claim.objects.create(
            campaign=campaign,
            landlord=landlord,
            unit=unit,
            claimed_by=personas.commander,
            claimed_at=at(before, 8),
        )

    def accepted(premises) -> None:
        history(campaign, premises, officer, [(at(before), "notified"), (at(before, 15), "accepted")])

    units = []
    for n in range(1, extra + 1):
        grid = t.make_area(AreaLevel.GRID, f"樟树潭{n:02d}网格", d.c1)
        unit = t.make_unit(f"衢江区测试局{n:02d}")
        landlord = t.make_landlord(f"测试房东{n:02d}", area=grid, is_official=True, employer_unit=unit)
        premises = t.make_premises(t.make_building(grid, f"樟潭街道测试巷{n}号"), landlord)
        target(campaign, premises)
        accepted(premises)
        claim(landlord, unit)
        units.append(unit)
    other_landlord = t.make_landlord("王丽华", area=d.grid_b, is_official=True, employer_unit=d.other_unit)
    other_premises = t.make_premises(d.building_b, other_landlord, unit_label="3楼")
    target(campaign, d.premises_a, d.premises_b, other_premises)
    accepted(other_premises)
    claim(d.landlord_a, d.unit)
    claim(other_landlord, d.other_unit)
    snapshot = services.generate_snapshot(campaign, day)
    return SimpleNamespace(campaign=campaign, day=day, snapshot=snapshot, units=units)
