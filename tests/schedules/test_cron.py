from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.schedules.cron import Cron
from apps.schedules.exceptions import InvalidCronError, InvalidTimezoneError

PARIS = ZoneInfo("Europe/Paris")


def test_next_run_of_a_weekday_morning_schedule_skips_the_weekend() -> None:
    cron = Cron.parse("0 9 * * 1-5", "Europe/Paris")
    friday_noon = datetime(2026, 3, 6, 12, 0, tzinfo=PARIS)
    assert cron.next_after(friday_noon) == datetime(2026, 3, 9, 9, 0, tzinfo=PARIS)


def test_next_run_is_strictly_after_the_moment() -> None:
    cron = Cron.parse("*/15 * * * *", "UTC")
    assert cron.next_after(datetime(2026, 1, 1, 10, 15, tzinfo=UTC)) == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)


def test_the_tick_of_a_late_firing_is_the_last_match_before_it() -> None:
    cron = Cron.parse("*/15 * * * *", "UTC")
    assert cron.previous_at_or_before(datetime(2026, 1, 1, 10, 29, 59, tzinfo=UTC)) == datetime(
        2026, 1, 1, 10, 15, tzinfo=UTC
    )
    assert cron.previous_at_or_before(datetime(2026, 1, 1, 10, 15, 0, tzinfo=UTC)) == datetime(
        2026, 1, 1, 10, 15, tzinfo=UTC
    )


def test_the_tick_crosses_days_and_time_zones() -> None:
    cron = Cron.parse("30 23 * * *", "America/New_York")
    # 02:00 UTC on 2 Jan is 21:00 on 1 Jan in New York: the last tick was 23:30 on 31 Dec there.
    tick = cron.previous_at_or_before(datetime(2026, 1, 2, 2, 0, tzinfo=UTC))
    assert tick is not None
    assert tick.astimezone(UTC) == datetime(2026, 1, 1, 4, 30, tzinfo=UTC)


def test_day_of_month_and_day_of_week_must_both_match_as_beat_reads_them() -> None:
    cron = Cron.parse("0 0 13 * 5", "UTC")  # Friday the 13th
    assert cron.next_after(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 2, 13, tzinfo=UTC)


def test_a_leap_day_schedule_finds_its_next_run() -> None:
    cron = Cron.parse("0 12 29 2 *", "UTC")
    assert cron.next_after(datetime(2026, 3, 1, tzinfo=UTC)) == datetime(2028, 2, 29, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "expression",
    ["", "* * * *", "* * * * * *", "61 * * * *", "* 25 * * *", "* * 0 * *", "* * * 13 *", "abc * * * *", "*/0 * * * *"],
)
def test_malformed_cron_expressions_are_refused(expression: str) -> None:
    with pytest.raises(InvalidCronError):
        Cron.parse(expression, "UTC")


def test_a_schedule_that_never_fires_is_refused() -> None:
    with pytest.raises(InvalidCronError, match="never occurs"):
        Cron.parse("0 0 31 2 *", "UTC")


def test_unknown_time_zones_are_refused() -> None:
    with pytest.raises(InvalidTimezoneError):
        Cron.parse("* * * * *", "Mars/Olympus_Mons")
    with pytest.raises(InvalidTimezoneError):
        Cron.parse("* * * * *", "../../etc/passwd")
