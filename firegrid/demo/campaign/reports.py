"""Reports: one daily snapshot per day of the campaign, read from the history just written, so the
burn-down and the rankings can be shown for every day."""

from __future__ import annotations

from django.apps import apps

from firegrid.campaigns.models import Campaign

from .facts import days


def take_daily_snapshots(campaign: Campaign) -> int:
    """One daily report per day of the campaign, from the history just written (reports app)."""
    if not apps.is_installed("firegrid.reports"):
        return 0  # the daily reports come with firegrid.reports; nothing to snapshot without it
    from firegrid.reports.models import GeneratedVia
    from firegrid.reports.services import generate_snapshot

    day, made = campaign.starts_on, 0
    while day <= campaign.ends_on:
        # Made by the demo loader replaying history, not by the scheduled job: the page says so.
        generate_snapshot(campaign, day, actor=None, via=GeneratedVia.DEMO)
        day += days(1)
        made += 1
    return made
