"""Cron expressions, read the way beat reads them.

Beat fires a schedule through Celery's `crontab`, so its field parser is the one
authority on what an expression means: a day must match both the day-of-month and
the day-of-week fields (Celery's and upstream's APScheduler's reading; classic
cron's "either" differs). The times before and after a moment are computed here
from the same parsed sets, so `next_run_time` and the tick a firing belongs to
agree with what beat does.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from celery.schedules import crontab

from apps.schedules.exceptions import InvalidCronError, InvalidTimezoneError

# Far enough for a 29 February falling on a given weekday (28 years). Celery refuses
# a day that never occurs in the chosen months, so every parsed expression fires
# within this horizon; the bound only keeps a search finite.
HORIZON_DAYS = 366 * 29
MAX_EXPRESSION_LENGTH = 255


def zone_for(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidTimezoneError(f"Unknown time zone {name!r}: use an IANA name such as 'Europe/Paris'.") from error


@dataclass(frozen=True)
class Cron:
    """A five-field expression (minute, hour, day of month, month, day of week) in a time zone."""

    minute: str
    hour: str
    day_of_month: str
    month_of_year: str
    day_of_week: str
    zone: zoneinfo.ZoneInfo

    @classmethod
    def parse(cls, expression: str, timezone: str) -> Cron:
        fields = expression.split()
        if len(expression) > MAX_EXPRESSION_LENGTH or len(fields) != 5:
            raise InvalidCronError(
                f"Invalid cron expression {expression[:100]!r}: expected five fields "
                "(minute hour day-of-month month day-of-week), e.g. '0 9 * * 1-5'."
            )
        minute, hour, day_of_month, month_of_year, day_of_week = fields
        cron = cls(minute, hour, day_of_month, month_of_year, day_of_week, zone=zone_for(timezone))
        try:
            cron.celery_crontab  # noqa: B018  (parsing is what is being checked)
        except (ValueError, IndexError, ZeroDivisionError) as error:
            raise InvalidCronError(f"Invalid cron expression {expression!r}: {error}") from error
        return cron

    @cached_property
    def celery_crontab(self) -> crontab:
        return crontab(
            minute=self.minute,
            hour=self.hour,
            day_of_month=self.day_of_month,
            month_of_year=self.month_of_year,
            day_of_week=self.day_of_week,
        )

    @cached_property
    def _times(self) -> list[time]:
        return sorted(time(hour, minute) for hour in self.celery_crontab.hour for minute in self.celery_crontab.minute)

    def _fires_on(self, day: date) -> bool:
        schedule = self.celery_crontab
        return (
            day.month in schedule.month_of_year
            and day.day in schedule.day_of_month
            and day.isoweekday() % 7 in schedule.day_of_week  # Celery counts Sunday as 0
        )

    def next_after(self, moment: datetime) -> datetime | None:
        """The first firing strictly after `moment`, in the schedule's zone."""
        start = moment.astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS):
            day = start + timedelta(days=offset)
            if self._fires_on(day):
                for at in self._times:
                    candidate = datetime.combine(day, at, tzinfo=self.zone)
                    if candidate > moment:
                        return candidate
        return None

    def previous_at_or_before(self, moment: datetime) -> datetime | None:
        """The last firing at or before `moment`: the tick a firing at `moment` belongs to."""
        start = moment.astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS):
            day = start - timedelta(days=offset)
            if self._fires_on(day):
                for at in reversed(self._times):
                    candidate = datetime.combine(day, at, tzinfo=self.zone)
                    if candidate <= moment:
                        return candidate
        return None
