"""Cron schedules read in Asia/Shanghai: when a slot is due, what its run is keyed by."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from firegrid.jobs.schedule import Cron, ScheduleError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_daily_job_is_due_from_its_minute_in_shanghai_time():
    cron = Cron.parse("5 0 * * *")
    with time_machine.travel(at("2026-11-29T00:04:00+08:00"), tick=False):
        assert cron.due_slot() is None
    with time_machine.travel(at("2026-11-29T00:06:00+08:00"), tick=False):
        slot = cron.due_slot()
    assert slot == dt.datetime(2026, 11, 29, 0, 5, tzinfo=SHANGHAI)
    assert cron.key(slot) == "2026-11-29"


def test_the_day_is_the_local_day_not_utc():
    cron = Cron.parse("5 0 * * *")
    # 16:06 UTC on the 28th is 00:06 on the 29th in Shanghai: the 29th's run is due.
    slot = cron.due_slot(at("2026-11-28T16:06:00+00:00"))
    assert cron.key(slot) == "2026-11-29"
    # 15:59 UTC on the 28th is 23:59 on the 28th: that day's slot, long passed.
    assert cron.key(cron.due_slot(at("2026-11-28T15:59:00+00:00"))) == "2026-11-28"


def test_a_missed_slot_stays_due_all_day_and_only_that_day():
    cron = Cron.parse("5 0 * * *")
    assert cron.key(cron.due_slot(at("2026-11-29T23:59:00+08:00"))) == "2026-11-29"
    assert cron.due_slot(at("2026-11-30T00:00:00+08:00")) is None  # not yesterday's, made up


def test_several_slots_a_day_are_keyed_by_minute_and_the_latest_passed_is_due():
    cron = Cron.parse("0 8-18 * * 1-5")  # every hour 08:00-18:00 on weekdays
    assert not cron.daily
    slot = cron.due_slot(at("2026-11-27T13:30:00+08:00"))  # a Friday
    assert cron.key(slot) == "2026-11-27T13:00"
    assert cron.due_slot(at("2026-11-27T07:59:00+08:00")) is None
    assert cron.due_slot(at("2026-11-29T13:30:00+08:00")) is None  # a Sunday


@pytest.mark.parametrize(
    ("expression", "day", "runs"),
    [
        ("0 9 * * 0", dt.date(2026, 11, 29), True),  # Sunday is 0 …
        ("0 9 * * 7", dt.date(2026, 11, 29), True),  # … and 7
        ("0 9 * * 1", dt.date(2026, 11, 29), False),
        ("0 9 1 * *", dt.date(2026, 12, 1), True),
        ("0 9 1 * *", dt.date(2026, 12, 2), False),
        ("0 9 1 * 0", dt.date(2026, 11, 29), True),  # both day fields: either one
        ("0 9 1 * 0", dt.date(2026, 12, 1), True),
        ("0 9 1 * 0", dt.date(2026, 12, 2), False),
        ("0 9 */10 2 *", dt.date(2027, 2, 11), True),  # 1, 11, 21, 31 of February
        ("0 9 */10 2 *", dt.date(2027, 3, 11), False),
    ],
)
def test_days(expression, day, runs):
    assert Cron.parse(expression).runs_on(day) is runs


def test_fields_lists_ranges_steps():
    cron = Cron.parse("0,30 1-3/2 * * *")
    assert cron.minutes == {0, 30} and cron.hours == {1, 3}
    assert Cron.parse("5/20 0 * * *").minutes == {5, 25, 45}
    assert Cron.parse("5   0 * * *").expression == "5 0 * * *"


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("5 0 * *", "5 fields"),
        ("60 0 * * *", "minute: '60' is outside 0-59"),
        ("5 24 * * *", "hour"),
        ("5 0 0 * *", "day_of_month"),
        ("5 0 * 13 *", "month_of_year"),
        ("5 0 * * MON", "day_of_week: 'MON' is not a number"),
        ("5 0 * * */0", "day_of_week"),
        ("5 3-1 * * *", "hour: '3-1'"),
    ],
)
def test_bad_schedules_are_refused_with_the_field_named(expression, error):
    with pytest.raises(ScheduleError, match=error.replace("*", r"\*")):
        Cron.parse(expression)


def test_the_same_fields_go_to_celery_beat():
    from celery.schedules import crontab

    fields = Cron.parse("5 0 * * 1-5").celery_fields()
    assert fields == {
        "minute": "5",
        "hour": "0",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "1-5",
    }
    beat = crontab(**fields)
    assert beat.minute == {5} and beat.hour == {0} and beat.day_of_week == {1, 2, 3, 4, 5}
