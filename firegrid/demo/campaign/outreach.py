"""Outreach (宣传) during the campaign: meetings, 12,000 leaflets, videos, boards, the equipment fair and
1,000+ contact cards."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area

from ..generator import seeded_rng
from .facts import CONTACT_CARDS, LEAFLETS, STARTS_ON, at, days

if TYPE_CHECKING:
    from .replay import Replay


def record_outreach(replay: Replay) -> None:
    """Mobilisation meetings (one for landlords on the public payroll), 12,000 leaflets handed out
    across the areas, videos, boards, the equipment fair and 1,000+ contact cards for tradesmen."""
    from firegrid.outreach import models as outreach

    Record = getattr(outreach, "OutreachRecord", None)
    if Record is None:
        return  # the outreach records come with firegrid.outreach's OutreachRecord
    Kind = outreach.OutreachKind
    rng = seeded_rng(replay.seed, "campaign-2019-outreach")
    recorder = replay.users.get("zhangtan") or replay.users["fire"]
    subdistricts = sorted(Area.objects.filter(level=AreaLevel.SUBDISTRICT), key=lambda a: a.code)
    zhangtan = subdistricts[0]
    communities = sorted(Area.objects.filter(parent=zhangtan), key=lambda a: a.code)
    rows = [
        Record(
            kind=Kind.MEETING,
            held_on=dt.date(2019, 10, 8),
            area=replay.district,
            audience="全区出租房东",
            attendance=1260,
            note="铁拳行动动员大会",
        ),
        Record(
            kind=Kind.MEETING,
            held_on=dt.date(2019, 10, 9),
            area=replay.district,
            audience="公职人员房东（四类人员）",
            attendance=211,
            note="四类人员房东专题会，单位认领并签订承诺书",
        ),
        Record(
            kind=Kind.VIDEO,
            held_on=dt.date(2019, 10, 10),
            area=zhangtan,
            audience="出租房东、租户",
            attendance=420,
            note="出租房火灾警示教育片",
        ),
        Record(
            kind=Kind.FAIR,
            held_on=dt.date(2019, 10, 19),
            area=zhangtan,
            audience="出租房东",
            attendance=560,
            note="消防器材展销会：灭火器、独立式感烟报警器",
        ),
    ]
    rows += [
        Record(
            kind=Kind.BOARD,
            held_on=dt.date(2019, 10, 12) + days(i % 5),
            area=c,
            audience="居民、租户",
            note="宣传展板：出租房屋消防安全“八严禁”",
        )
        for i, c in enumerate(communities)
    ]
    # 12,000 leaflets: half in 樟潭街道's communities, the rest over the other subdistricts.
    places = communities + subdistricts[1:]
    weights = [6] * len(communities) + [4] + [1] * (len(subdistricts) - 2)
    shares = [LEAFLETS * w // sum(weights) for w in weights]
    shares[0] += LEAFLETS - sum(shares)
    materials = ("《出租房屋消防安全“八严禁”》", "《出租房火灾典型案例》")
    for i, (area, copies) in enumerate(zip(places, shares, strict=True)):
        first = copies // 2
        for material, n in zip(materials, (first, copies - first), strict=True):
            rows.append(
                Record(
                    kind=Kind.MATERIALS,
                    held_on=STARTS_ON + days(2 + (i + rng.randrange(10)) % 20),
                    area=area,
                    audience="出租房东、租户",
                    material=material,
                    copies=n,
                )
            )
    cards = [CONTACT_CARDS // len(communities)] * len(communities)
    cards[0] += CONTACT_CARDS - sum(cards)
    rows += [
        Record(
            kind=Kind.CARDS,
            held_on=dt.date(2019, 10, 20) + days(i % 6),
            area=c,
            audience="出租房东",
            material="电工、泥瓦工、木工联系卡",
            copies=n,
        )
        for i, (c, n) in enumerate(zip(communities, cards, strict=True))
    ]
    for row in rows:
        row.campaign, row.recorded_by = replay.campaign, recorder
        row.full_clean()
    Record.objects.bulk_create(rows)
    for row in rows:  # recorded the evening it happened
        Record.objects.filter(pk=row.pk).update(
            created_at=at(row.held_on, 18), updated_at=at(row.held_on, 18)
        )
