"""Demo contractors (施工单位): a dozen tradesmen of every trade serving the district's subdistricts,
with free slots over the next two weeks, so a landlord of the demo can book one for their plan.

Rows are written directly (no audit entries), like the rest of the demo: a scene, not user actions.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from firegrid.areas.choices import AreaLevel
from firegrid.areas.models import Area
from firegrid.outreach.choices import Trade
from firegrid.outreach.models import Contractor, Slot
from firegrid.registry.models import Landlord

from .generator import mobile, seeded_rng

# (name, trade, company, qualification, subdistricts served by their place in code order: 0 is 樟潭街道).
CONTRACTORS: tuple[tuple[str, str, str, str, tuple[int, ...]], ...] = (
    ("王建军电工队", Trade.ELECTRICIAN, "衢江区安邦电力安装有限公司", "低压电工作业证 T330803198", (0, 1)),
    ("徐立新", Trade.ELECTRICIAN, "", "低压电工作业证 T330803204", (2, 3)),
    ("祝国平泥瓦班", Trade.MASON, "", "", (0,)),
    ("郑宏伟", Trade.MASON, "衢州宏伟建筑劳务有限公司", "建筑施工特种作业证", (1, 2, 3)),
    ("毛德胜木工坊", Trade.CARPENTER, "", "", (0, 2)),
    ("江永福", Trade.CARPENTER, "", "", (1, 3)),
    (
        "衢江燃气安装服务部",
        Trade.GAS_FITTER,
        "衢州市天然气有限公司衢江服务部",
        "燃气燃烧器具安装维修资质",
        (0, 1, 2, 3),
    ),
    ("方志刚", Trade.GAS_FITTER, "", "燃气燃烧器具安装维修资质（个人）", (0,)),
    (
        "安泰消防器材",
        Trade.FIRE_EQUIPMENT,
        "衢州安泰消防设备有限公司",
        "消防设施维护保养检测资质",
        (0, 1, 2, 3),
    ),
    ("三衢消防器材门市部", Trade.FIRE_EQUIPMENT, "", "", (0, 1)),
    ("叶春华水电安装", Trade.PLUMBER, "", "低压电工作业证 T330803311", (0, 3)),
    ("周建设防火门窗", Trade.OTHER, "衢江区建设门窗厂", "防火门安装", (2, 3)),
)
# The demo contractor user signs in as the first one: an electrician of 樟潭街道, where the demo landlord's
# premises are.
DEMO_CONTRACTOR = 0
DAYS_AHEAD = 14
SHIFTS = ((9, 11), (14, 16))


def create_contractors(areas: dict[str, Area], seed: int) -> Contractor:
    """Write the demo contractors and their slots; return the one the demo contractor user is."""
    rng = seeded_rng(seed, "contractors")
    subdistricts = sorted(
        (a for a in areas.values() if a.level == AreaLevel.SUBDISTRICT), key=lambda a: a.code
    )
    taken: set[str] = set()
    created = []
    for name, trade, company, qualification, served in CONTRACTORS:
        number = mobile(rng)
        # A contractor's mobile signs them in: it must lead to them alone, not to a landlord as well.
        while number in taken or Landlord.objects.filter(mobile=number).exists():
            number = mobile(rng)
        taken.add(number)
        contractor = Contractor.objects.create(
            name=name, trade=trade, company=company, qualification=qualification, mobile=number
        )
        contractor.areas.set([subdistricts[i % len(subdistricts)] for i in served])
        created.append(contractor)
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    slots = []
    for contractor in created:
        # Each works some days of the fortnight, mornings and afternoons.
        for offset in range(1, DAYS_AHEAD + 1):
            if rng.random() > 0.45:
                continue
            day = today + dt.timedelta(days=offset)
            for start, end in SHIFTS:
                slots.append(
                    Slot(
                        contractor=contractor,
                        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(start)), zone),
                        ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(end)), zone),
                    )
                )
    Slot.objects.bulk_create(slots)
    return created[DEMO_CONTRACTOR]
