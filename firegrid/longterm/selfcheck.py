"""房东自查: the self-check list, the periods a landlord self-inspects in, and the queue source of
self-inspections drawn for verification (registered from `LongtermConfig.ready()`).

**The self-check list** is derived from the published checklist template rather than stored in it: the
bundled template (`zj-2019.1`) has no "self-checkable" flag and a published version never changes. The
items in `SELF_CHECK_CODES` are those a landlord can judge alone, without measuring or a standard at hand:
a clear escape route, no anti-theft bars blocking escape, no improvised wiring, no heaters in bedrooms, no
e-bikes or their batteries indoors, no cooking in bedrooms, a compliant gas hose, no flammables stored, an
extinguisher present and in date, a smoke alarm. Of those, the ones that apply to the premises' kind form
its list (the template's `applies_to`). `PHOTO_CODES` are the items answered "符合" with a photo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from firegrid.areas.models import User
from firegrid.inspections.choices import InspectionKind
from firegrid.inspections.models import ChecklistItem, ChecklistTemplate
from firegrid.registry.choices import PremisesStatus
from firegrid.registry.models import Premises

from .choices import QueueKind
from .models import SelfInspection
from .queue import QueueEntry, QueueSource

# Checklist item codes a landlord can check alone (see the module docstring), in the order asked.
SELF_CHECK_CODES: tuple[str, ...] = (
    "EXIT-01",  # 通道楼梯出口保持畅通
    "EXIT-03",  # 防盗窗不得妨碍逃生
    "ELEC-02",  # 禁止私拉乱接电线
    "ELEC-05",  # 卧室禁用大功率电热器具
    "EBIKE-02",  # 室内不得停放电动车
    "EBIKE-04",  # 电池不得入户充电
    "GAS-02",  # 卧室内不得生火做饭
    "GAS-04",  # 燃气软管合规
    "FIRE-03",  # 不得存放易燃易爆物品
    "EQUIP-01",  # 按规定配置灭火器
    "EQUIP-02",  # 灭火器完好有效
    "EQUIP-03",  # 安装独立式感烟报警器
)

# The items whose answer "符合" the landlord proves with a photo (one each): those whose good state one
# picture shows — the escape route clear, the extinguisher in its place, its gauge in the green, the smoke
# alarm on the ceiling. The others declare an absence (no improvised wiring, no heater, no e-bike, no
# flammables indoors), which no photo proves, so none is asked for. A "不符合" answer needs no photo (one is
# kept if given): the grid worker's visit is the evidence of a hazard.
PHOTO_CODES: tuple[str, ...] = ("EXIT-01", "EQUIP-01", "EQUIP-02", "EQUIP-03")


def current_template() -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.current()


def self_check_items(premises: Premises, template: ChecklistTemplate | None = None) -> list[ChecklistItem]:
    """The premises' self-check list from `template` (default: the published one), in `SELF_CHECK_CODES`
    order."""
    template = template or current_template()
    if template is None:
        return []
    items = {
        item.code: item
        for item in template.items.filter(code__in=SELF_CHECK_CODES)
        if item.applies_to_premises(premises)
    }
    return [items[code] for code in SELF_CHECK_CODES if code in items]


# --- periods ------------------------------------------------------------------------------------------------


def interval_months() -> int:
    return int(settings.FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS)


def period_of(day: dt.date) -> dt.date:
    """The first day of the self-inspection period holding `day` (periods start in January and last
    `FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS` months)."""
    months = interval_months()
    month = (day.month - 1) // months * months + 1
    return dt.date(day.year, month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_period(day: dt.date) -> dt.date:
    return period_of(add_months(period_of(day), -1))


def next_period(period: dt.date) -> dt.date:
    return add_months(period_of(period), interval_months())


def period_end(period: dt.date) -> dt.date:
    """The last day of the period starting on `period`."""
    return next_period(period) - dt.timedelta(days=1)


def due_premises(user: User, today: dt.date) -> list[Premises]:
    """The landlord's premises in use (在租) without a self-inspection for today's period: what the portal's
    home and the reminder ask for (`owed.py` says who owes)."""
    done = SelfInspection.objects.filter(premises=OuterRef("pk"), period=period_of(today))
    return list(
        Premises.objects.visible_to(user)
        .filter(status=PremisesStatus.ACTIVE)
        .exclude(Exists(done))
        .select_related("building")
    )


# --- the queue source: drawn, not yet verified --------------------------------------------------------------


def _verification_candidates(today: dt.date) -> Iterable[tuple[str, QuerySet[Any]]]:
    yield QueueKind.VERIFICATION, SelfInspection.objects.awaiting_verification().values("premises_id")


def _verification_entries(user: User, today: dt.date, premises_ids: Sequence[int]) -> Iterable[QueueEntry]:
    rows = (
        SelfInspection.objects.visible_to(user)
        .awaiting_verification()
        .filter(premises_id__in=premises_ids)
        .select_related("draw")
        .order_by("premises_id", "period")
    )
    seen: set[int] = set()
    for row in rows:
        if row.premises_id in seen:
            continue
        seen.add(row.premises_id)
        assert row.draw is not None  # by awaiting_verification
        drawn = row.draw.drawn_at.date()
        yield QueueEntry(
            premises_id=row.premises_id,
            kind=QueueKind.VERIFICATION,
            inspection_kind=InspectionKind.SURVEY,
            reason=_("自查抽检核实（%(period)s 自查）") % {"period": f"{row.period:%Y-%m}"},
            days_overdue=max(0, (today - drawn).days),
        )


VERIFICATION_SOURCE = QueueSource("self_inspection", _verification_candidates, _verification_entries)
