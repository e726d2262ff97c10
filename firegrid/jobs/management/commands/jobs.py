"""`firegrid jobs …`: run due scheduled jobs (for cron), run one job now, list runs and registered jobs,
or keep the embedded scheduler in the foreground."""

from __future__ import annotations

import json
import threading
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firegrid.jobs import scheduler, services
from firegrid.jobs.models import JobRun, JobStatus
from firegrid.jobs.registry import UnknownJob, registry


class Command(BaseCommand):
    help = "Background and scheduled jobs: run-due, run, list, registered, scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        sub.add_parser(
            "run-due",
            help="Run every scheduled job whose time has come today and that has no run yet (safe every minute).",
        )
        run = sub.add_parser("run", help="Run one job here and now.")
        run.add_argument("name")
        run.add_argument(
            "--key",
            help="What the run is for (a daily job: the date, 2026-11-29). A failed or stalled run with this "
            "key runs again; without --key the run is a new ad-hoc one.",
        )
        run.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A job parameter (JSON or text).",
        )
        listing = sub.add_parser("list", help="Recent runs.")
        listing.add_argument("--limit", type=int, default=20)
        listing.add_argument("--name")
        listing.add_argument("--status", choices=JobStatus.values)
        sub.add_parser("registered", help="Registered jobs and their schedules.")
        sub.add_parser(
            "scheduler",
            help="Check for due jobs every minute, in the foreground (embedded mode without a web server).",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {
            "run-due": self.run_due,
            "run": self.run,
            "list": self.list_runs,
            "registered": self.registered,
            "scheduler": self.scheduler,
        }
        handlers[subcommand](**options)

    def run_due(self, **options: Any) -> None:
        runs = services.run_due(dispatch=False)
        for run in runs:
            self._report(run)
        if not runs:
            self.stdout.write("nothing due")

    def run(self, *, name: str, key: str | None, param: list[str], **options: Any) -> None:
        try:
            registry.get(name)
        except UnknownJob as exc:
            known = ", ".join(job.name for job in registry.all()) or "none"
            raise CommandError(f"{exc} (registered: {known})") from None
        params = dict(_param(text) for text in param)
        existing = JobRun.objects.filter(name=name, key=key).first() if key else None
        try:
            if existing is None:
                run = services.enqueue(name, key=key, params=params, actor=None, inline=True)
            elif existing.status == JobStatus.FAILED or services.is_stale(existing):
                run = services.retry(existing, actor=None, inline=True)
            else:
                self.stdout.write(
                    f"{name} [{key}] is {existing.status} (run {existing.pk}, {existing.claimed_by or 'queued'}): not run again"
                )
                return
        except (ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from None
        self._report(run)
        if run.status == JobStatus.FAILED:
            raise CommandError(f"{name} failed:\n{run.error}")

    def list_runs(self, *, limit: int, name: str | None, status: str | None, **options: Any) -> None:
        qs = JobRun.objects.all()
        if name:
            qs = qs.filter(name=name)
        if status:
            qs = qs.filter(status=status)
        now = timezone.now()
        for run in qs[:limit]:
            queued = timezone.localtime(run.queued_at).strftime("%Y-%m-%d %H:%M:%S")
            took = (
                f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
                if run.finished_at and run.started_at
                else ""
            )
            stale = " STALE" if services.is_stale(run, now) else ""
            progress = f"{run.progress_done}/{run.progress_total}" if run.progress_total else ""
            first_error = run.error.strip().splitlines()[-1] if run.error.strip() else ""
            self.stdout.write(
                f"{run.pk:>6} {queued} {run.name} [{run.key}] {run.status}{stale} {progress} {took} "
                f"{run.claimed_by} {run.message} {first_error}".rstrip()
            )

    def registered(self, **options: Any) -> None:
        now = timezone.now()
        for job in registry.all():
            schedule = job.schedule
            when = f"{schedule} (Asia/Shanghai)" if schedule else "on demand"
            due = schedule.due_slot(now) if schedule else None
            latest = (
                JobRun.objects.filter(name=job.name, key=schedule.key(due)).first()
                if schedule and due
                else None
            )
            today = f" today {due:%H:%M}: {latest.status if latest else 'no run yet'}" if due else ""
            self.stdout.write(f"{job.name}  {job.label}  {when}{today}")

    def scheduler(self, **options: Any) -> None:
        self.stdout.write(f"checking for due jobs every {scheduler.INTERVAL_SECONDS} s (Ctrl-C stops)")
        try:
            scheduler.loop(threading.Event(), first=0)
        except KeyboardInterrupt:
            pass

    def _report(self, run: JobRun) -> None:
        line = f"{run.name} [{run.key}] run {run.pk}: {run.status}"
        if run.message:
            line += f" — {run.message}"
        if run.result is not None:
            line += f" — {json.dumps(run.result, ensure_ascii=False, default=str)[:300]}"
        self.stdout.write(line)


def _param(text: str) -> tuple[str, object]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise CommandError(f"--param {text!r}: write NAME=VALUE")
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw
