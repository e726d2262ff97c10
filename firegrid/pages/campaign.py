"""The command's home: the campaign at a glance — where it stands in its period, and its key figures as the
newest daily report counted them, each a link to that report's list of the premises behind it (so the
list's count is the figure). Read as the dashboard reads its headline figures (dashboards.figures): one
definition, never a second count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from firegrid.areas.models import User
from firegrid.campaigns import status
from firegrid.campaigns.models import Campaign
from firegrid.dashboards import figures as dashboard
from firegrid.reports.models import DailySnapshot

from .home import Figure


@dataclass
class CampaignCard:
    campaign: Campaign
    period: str  # 还剩 12 天 / 最后一天 / 已结束 / 3 天后开始
    running: bool
    snapshot: DailySnapshot | None
    figures: list[Figure] = field(default_factory=list)
    completion: float | None = None  # a rate of two figures: shown, not a link
    dashboard_url: str = ""


def home_campaign(user: User, today: dt.date | None = None) -> Campaign | None:
    """The campaign the command follows today: the one running, else the latest that has started, else the
    next one planned."""
    today = today or timezone.localdate()
    campaigns = Campaign.objects.visible_to(user)
    return (
        campaigns.running_on(today).order_by("-starts_on", "-pk").first()
        or campaigns.filter(starts_on__lte=today).order_by("-starts_on", "-pk").first()
        or campaigns.order_by("starts_on", "pk").first()
    )


def period_text(campaign: Campaign, today: dt.date) -> str:
    if status.is_over(campaign, today):
        return _("已结束")
    if today < campaign.starts_on:
        days = (campaign.starts_on - today).days
        return ngettext("%(n)s 天后开始", "%(n)s 天后开始", days) % {"n": days}
    days = (campaign.ends_on - today).days
    if days == 0:
        return _("今天是最后一天")
    return ngettext("还剩 %(n)s 天", "还剩 %(n)s 天", days) % {"n": days}


def campaign_card(user: User, today: dt.date | None = None) -> CampaignCard | None:
    """The district roles' campaign status; None for everyone else, or when there is no campaign."""
    if not user.is_district_wide:
        return None
    today = today or timezone.localdate()
    campaign = home_campaign(user, today)
    if campaign is None:
        return None
    snapshot = dashboard.newest_snapshot(campaign, today)
    card = CampaignCard(
        campaign=campaign,
        period=period_text(campaign, today),
        running=not status.is_over(campaign, today) and today >= campaign.starts_on,
        snapshot=snapshot,
        dashboard_url=reverse("dashboards:campaign", args=[campaign.pk]),
    )
    if snapshot is None:
        return card
    rows = dashboard.scope_rows(snapshot, user)
    headline, links = dashboard.summary(snapshot, rows)

    def link(figure: str) -> str:
        # One report row is one list; the district's total row is the command's.
        return dashboard.snapshot_list_url(snapshot, rows[0], figure) if len(rows) == 1 else ""

    card.figures = [
        Figure(_("整治对象"), int(headline["targets"]), links["targets"]),
        Figure(_("已排查"), sum(r.surveyed for r in rows), link("surveyed")),
        Figure(_("已验收"), int(headline["accepted"]), links["accepted"]),
        Figure(_("逾期"), sum(r.overdue for r in rows), link("overdue")),
    ]
    card.completion = float(headline["completion"])
    return card
