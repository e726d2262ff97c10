"""`firegrid risk recompute [--all | --premises ID …]`: grade premises again now."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firegrid.registry.models import Premises
from firegrid.risk.choices import GradeCause
from firegrid.risk.services import recompute_grades


class Command(BaseCommand):
    help = "Risk grades (风险等级): compute premises grades again with the published rule set."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        recompute = sub.add_parser("recompute", help="grade premises again")
        recompute.add_argument("--all", action="store_true", help="every premises")
        recompute.add_argument("--premises", type=int, nargs="*", default=[], help="premises ids")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if not options["all"] and not options["premises"]:
            raise CommandError("say which premises: --all or --premises ID …")
        started = time.monotonic()
        premises = Premises.objects.all() if options["all"] else options["premises"]
        result = recompute_grades(premises, cause=GradeCause.COMMAND, now=timezone.now())
        counts = ", ".join(f"{name} {value}" for name, value in result.as_dict().items())
        self.stdout.write(f"graded: {counts} ({time.monotonic() - started:.1f} s)")
