"""Cron schedules ("5 0 * * *") for scheduled jobs, read in the site's time zone (Asia/Shanghai).

Five fields — minute, hour, day of month, month, day of week (0 or 7 = Sunday) — each `*`, a number, a
range `a-b`, a step `*/n` or `a-b/n`, or a comma list of these. As in cron, when both day fields are
restricted a day matching either one counts. The same text becomes the Celery beat entry, so the
embedded scheduler and Celery agree on when a job is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# (name, lowest, highest) of the five fields, in cron order; the names are Celery's crontab arguments.
FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day_of_month", 1, 31),
    ("month_of_year", 1, 12),
    ("day_of_week", 0, 7),
)


class ScheduleError(ValueError):
    pass


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                start, end = (int(v) for v in base.split("-", 1))
            else:
                start = int(base)
                # "5/15" means from 5 to the end in steps of 15, as in Vixie cron.
                end = high if step_text else start
        except ValueError:
            raise ScheduleError(f"{name}: {part!r} is not a number, range or step") from None
        if step < 1 or not (low <= start <= end <= high):
            raise ScheduleError(f"{name}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday … 6 = Saturday
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != len(FIELDS):
            raise ScheduleError(f"{expression!r}: a schedule has 5 fields (minute hour day month weekday)")
        minutes, hours, days, months, weekdays = (
            _parse_field(text, *field) for text, field in zip(parts, FIELDS, strict=True)
        )
        return cls(
            expression=" ".join(parts),
            minutes=minutes,
            hours=hours,
            days=days,
            months=months,
            weekdays=frozenset(d % 7 for d in weekdays),
            days_restricted=parts[2] != "*",
            weekdays_restricted=parts[4] != "*",
        )

    def __str__(self) -> str:
        return self.expression

    @property
    def daily(self) -> bool:
        """At most one slot a day: its runs are keyed by the date alone."""
        return len(self.minutes) == 1 and len(self.hours) == 1

    def runs_on(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday

    def slots_on(self, day: dt.date, zone: dt.tzinfo) -> list[dt.datetime]:
        if not self.runs_on(day):
            return []
        return [
            dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
            for hour in sorted(self.hours)
            for minute in sorted(self.minutes)
        ]

    def due_slot(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Today's latest slot that has come (local time), or None before the first one.

        Only today's: a run missed yesterday is not made up (a daily job's next run covers it), but a
        run missed this morning — the server was down at 00:05 — is due at the next check.
        """
        zone = site_zone()
        local = timezone.localtime(now or timezone.now(), zone)
        passed = [slot for slot in self.slots_on(local.date(), zone) if slot <= local]
        return passed[-1] if passed else None

    def key(self, slot: dt.datetime) -> str:
        """What a scheduled run is for: the date for a daily job, the slot's minute otherwise."""
        return slot.date().isoformat() if self.daily else slot.strftime("%Y-%m-%dT%H:%M")

    def celery_fields(self) -> dict[str, str]:
        """The five fields as keyword arguments of celery.schedules.crontab."""
        return {name: text for (name, _low, _high), text in zip(FIELDS, self.expression.split(), strict=True)}


def site_zone() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE)
