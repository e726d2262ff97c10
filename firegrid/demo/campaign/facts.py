"""The 2019 campaign's name, dates and figures, and the clock of the replay (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

CODE = "tiequan-2019"
NAME = "铁拳行动"
STARTS_ON = dt.date(2019, 10, 1)
FOUR_CATEGORY_DUE = dt.date(2019, 10, 31)
ENDS_ON = dt.date(2019, 11, 30)
# The survey (摸底排查): every door knocked in the first round, 1–23 October (each grid at its own pace);
# locked doors, landlords not found and premises not rented visited again, all by 31 October.
SURVEY_FIRST_ROUND_DAYS = 23
SURVEY_ENDS_ON = dt.date(2019, 10, 31)
TARGETS = 1095
FOUR_CATEGORY_TARGETS = 211
FAILED_RECHECKS = 106  # "100+ landlords not fixing things as required"
ENFORCED = 6  # a handful: overdue → escalated → enforcement, then accepted
LEAFLETS = 12_000
CONTACT_CARDS = 1_080
BATCH_SIZE = 2000
SYSTEM_NAME = "系统"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
