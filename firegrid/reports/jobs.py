"""The daily report job: every evening a snapshot per running campaign.

The cron line comes from FIREGRID_DAILY_REPORT_TIME (default 17:00 Asia/Shanghai), read when the job
registry loads this module (after settings). The run's key is the date, so the framework runs it once a
day; `generate_snapshot` is idempotent too (a day that has a snapshot keeps it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from firegrid.campaigns.models import Campaign
from firegrid.jobs import job
from firegrid.rectification.jobs import run_day

from .longterm_report import generate_longterm_report
from .services import generate_snapshot

if TYPE_CHECKING:
    from firegrid.jobs.models import JobRun


def daily_cron(time: str) -> str:
    hour, minute = (int(part) for part in time.split(":"))
    return f"{minute} {hour} * * *"


@job(
    "reports.daily_snapshot",
    schedule=daily_cron(settings.FIREGRID_DAILY_REPORT_TIME),
    label=gettext_lazy("生成日报"),
)
def daily_snapshot(run: JobRun, **params: Any) -> dict[str, Any]:
    day = run_day(run)
    made: dict[str, int] = {}
    for campaign in Campaign.objects.running_on(day).order_by("pk"):
        snapshot = generate_snapshot(campaign, day)
        made[campaign.code] = snapshot.version
    return {"day": day.isoformat(), "snapshots": made}


@job("reports.longterm_report", schedule="30 1 * * *", label=gettext_lazy("生成长效管理日报"))
def longterm_report(run: JobRun, **params: Any) -> dict[str, Any]:
    """After the grades (00:30) and the month's verification draw (01:00): today's figures, frozen. A run
    for another day than today makes nothing (the figures cannot be recomputed for the past)."""
    day = run_day(run)
    if day != timezone.localdate():
        return {"day": day.isoformat(), "made": False}
    report = generate_longterm_report(day)
    return {"day": day.isoformat(), "version": report.version, "areas": len(report.content["areas"])}
