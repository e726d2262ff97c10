"""Builders for report tests: a campaign, and plan histories written as rows (a scene, not user actions)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from firegrid.campaigns.models import Campaign, CampaignTarget
from firegrid.rectification.choices import PlanState
from firegrid.rectification.models import Plan, PlanMove
from firegrid.registry.models import Premises

if TYPE_CHECKING:
    from firegrid.areas.models import User


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def make_campaign(code: str = "tq", days_before: int = 10, days_after: int = 20, **kw: Any) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name=kw.pop("name", "铁拳行动"),
        code=code,
        starts_on=today - dt.timedelta(days=days_before),
        ends_on=today + dt.timedelta(days=days_after),
        status=kw.pop("status", "running"),
        **kw,
    )


def target(campaign: Campaign, *premises: Premises, joined_on: dt.date | None = None) -> None:
    """Make the premises targets, members from `joined_on` (default: the campaign's first day), recorded a
    day before the campaign starts (so a report of any of its days, made whenever, knows them)."""
    day = joined_on or campaign.starts_on
    for p in premises:
        CampaignTarget.objects.create(
            campaign=campaign, premises=p, joined_on=day, added_at=at(day - dt.timedelta(days=1))
        )


def history(
    campaign: Campaign, premises: Premises, officer: User, moves: list[tuple[dt.datetime, str]]
) -> Plan:
    """A plan of `premises` in `campaign` whose moves reached these states at these times."""
    plan = Plan.objects.create(
        premises=premises,
        campaign=campaign,
        landlord=premises.landlord,
        officer=officer,
        state=moves[-1][1] if moves else PlanState.DRAFT,
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    previous = ""
    for time, state in moves:
        PlanMove.objects.create(
            plan=plan, name="create", from_state=previous, to_state=state, actor_name="test", time=time
        )
        previous = state
    return plan
