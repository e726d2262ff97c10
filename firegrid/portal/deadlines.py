"""The landlord's countdown (整改倒计时): from the nearest deadline among the hazards still to fix, never from
the plan's own deadline alone — a plan due in 30 days may hold an item due today (立即整改), and "还剩 30 天"
would then tell the landlord the wrong thing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from firegrid.inspections.choices import CLOSED_STATUSES
from firegrid.rectification.choices import PROOF_STATES, PlanState
from firegrid.rectification.models import Plan, PlanItem

if TYPE_CHECKING:
    from firegrid.areas.models import User

# Fewer days than this left: the countdown turns orange.
SOON_DAYS = 3

# An item still to fix: its hazard is neither removed nor voided.
OPEN_ITEM_Q = ~Q(hazard__status__in=CLOSED_STATUSES)


def with_open_deadline(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans annotated with `open_deadline`: the earliest deadline of their items still to fix."""
    return plans.annotate(
        open_deadline=Min("items__deadline", filter=~Q(items__hazard__status__in=CLOSED_STATUSES))
    )


def countdown(
    plan: Plan, today: dt.date | None = None, *, deadline: dt.date | None = None
) -> dict[str, str] | None:
    """The big figure of an open plan: 还剩 5 天 / 今天到期 / 已逾期 2 天, counted to `deadline` (the plan's
    nearest open item deadline when given, else the plan's deadline) on today's local date, with a tone
    for its colour; 等待复查 while the recheck is awaited; nothing for a draft or an ended plan."""
    if plan.is_closed or plan.state == PlanState.DRAFT:
        return None
    if plan.state == PlanState.RECHECK_REQUESTED:
        return {"text": _("等待复查"), "tone": "wait"}
    return days_text(((deadline or plan.deadline) - (today or timezone.localdate())).days)


def days_text(days: int) -> dict[str, str]:
    if days > 0:
        text = ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", days) % {"n": days}
        return {"text": text, "tone": "soon" if days <= SOON_DAYS else "ok"}
    if days == 0:
        return {"text": _("今天到期"), "tone": "soon"}
    return {"text": ngettext("已逾期 %(n)s 天", "已逾期 %(n)s 天", -days) % {"n": -days}, "tone": "late"}


def open_items(user: User) -> QuerySet[PlanItem]:
    """The hazards the landlord still has to fix: items of their plans in a state that takes their work
    (PROOF_STATES: not a draft, not awaiting the recheck, not ended), hazard not yet removed."""
    plans = Plan.objects.visible_to(user).filter(state__in=PROOF_STATES)
    return PlanItem.objects.filter(OPEN_ITEM_Q, plan__in=plans)


def nearest_deadline(user: User, today: dt.date | None = None) -> dict[str, object] | None:
    """The landlord's nearest open deadline, named: the item, its plan and premises, and the countdown to it.
    None when nothing is left to fix."""
    item = (
        open_items(user)
        .select_related("hazard__item", "plan__premises__building")
        .order_by("deadline", "plan_id", "pk")
        .first()
    )
    if item is None:
        return None
    today = today or timezone.localdate()
    same_day = open_items(user).filter(deadline=item.deadline).count()
    return {
        "item": item,
        "plan": item.plan,
        "url": reverse("portal:plan", args=[item.plan.public_key]) + f"#item-{item.pk}",
        "premises": item.plan.premises,
        "deadline": item.deadline,
        "others": same_day - 1,
        **days_text((item.deadline - today).days),
    }
