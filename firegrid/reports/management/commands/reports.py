"""`firegrid reports snapshot --campaign CODE --day YYYY-MM-DD [--correction --reason …]`."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firegrid.campaigns.models import Campaign
from firegrid.reports.models import GeneratedVia
from firegrid.reports.services import generate_snapshot


class Command(BaseCommand):
    help = "Daily reports (日报): generate a campaign's snapshot for a day."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        snapshot = sub.add_parser("snapshot", help="generate (or show) the snapshot of one day")
        snapshot.add_argument("--campaign", required=True, help="the campaign's code")
        snapshot.add_argument("--day", help="YYYY-MM-DD (default: today)")
        snapshot.add_argument("--correction", action="store_true", help="make a new version (needs --reason)")
        snapshot.add_argument("--reason", default="", help="why the day is generated again")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        try:
            campaign = Campaign.objects.get(code=options["campaign"])
        except Campaign.DoesNotExist:
            raise CommandError(f"no campaign with the code {options['campaign']!r}") from None
        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day must be YYYY-MM-DD, not {options['day']!r}") from None
        try:
            snapshot = generate_snapshot(
                campaign,
                day,
                reason=options["reason"],
                correction=options["correction"],
                via=GeneratedVia.COMMAND,
            )
        except ValidationError as error:
            raise CommandError("; ".join(m for msgs in error.message_dict.values() for m in msgs)) from None
        self.stdout.write(f"{campaign.code} {day} v{snapshot.version}: {snapshot.rows.count()} rows")
