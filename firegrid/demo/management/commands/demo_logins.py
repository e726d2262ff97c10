"""`python manage.py demo_logins`: where to sign in, and as whom, on the demo district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation

from firegrid.areas.choices import Role
from firegrid.areas.models import User
from firegrid.demo.data import DEMO_PASSWORD, SITE_URL
from firegrid.demo.loader import DEMO_USERS
from firegrid.demo.management.commands.demo import day
from firegrid.demo.progress import display_width, pad
from firegrid.longterm.choices import QueueKind
from firegrid.longterm.queue import kind_counts
from firegrid.longterm.selfcheck import due_premises


class Command(BaseCommand):
    help = (
        "Print the site address and the demo users (role, username, password), and what the grid worker "
        "and the landlord have to do today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=day, default=None, help="the day the demo was loaded for (default: today)"
        )

    def handle(self, *args: Any, today: dt.date | None = None, **options: Any) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
        present = [d for d in DEMO_USERS if d.username in users]
        if not present:
            self.stdout.write("No demo users. Load the demo first: python manage.py demo")
            return
        rows = [("角色 role", "用户名 username", "密码 password", "姓名 name")]
        rows += [
            (str(Role(d.role).label), d.username, DEMO_PASSWORD, users[d.username].full_name) for d in present
        ]
        widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write(f"Firegrid demo: {SITE_URL}")
        self.stdout.write("")
        for n, row in enumerate(rows):
            self.stdout.write("  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        landlord = users.get("landlord")
        if landlord is not None and landlord.mobile:
            self.stdout.write("")
            self.stdout.write(
                f"房东（手机验证码）landlord portal: {SITE_URL}portal/login/  手机 mobile {landlord.mobile}"
                "  — the code is printed in the server console"
            )
        self._today(users, today or timezone.localdate())

    def _today(self, users: dict[str, User], today: dt.date) -> None:
        """What wanggy's queue holds today and whether the landlord owes this month's self-inspection."""
        worker, landlord = users.get("wanggy"), users.get("landlord")
        with translation.override("zh-hans"):
            if worker is not None:
                counts = kind_counts(worker, today=today)
                parts = [f"{QueueKind(k).label} {n}" for k, n in counts.items() if k != "total" and n]
                self.stdout.write("")
                self.stdout.write(
                    f"今日任务 wanggy's work queue on {today.isoformat()}: {counts.get('total', 0)}"
                    + (f"  ({' · '.join(parts)})" if parts else "")
                )
            if landlord is not None:
                due = len(due_premises(landlord, today))
                self.stdout.write(f"本月自查 landlord's self-inspections due this month: {due}")
