"""Schedule errors, rendered by the one exception handler."""

from __future__ import annotations

from apps.core.exceptions import ApplicationError, NotFoundError


class InvalidCronError(ApplicationError):
    status_code = 422
    code = "INVALID_CRON"
    hint = "Give five cron fields: minute hour day-of-month month day-of-week."


class InvalidTimezoneError(ApplicationError):
    status_code = 422
    code = "INVALID_TIMEZONE"
    hint = "Give an IANA time zone name, such as 'America/New_York'."


class ScheduleNotFoundError(NotFoundError):
    def __init__(self, schedule_id: object) -> None:
        super().__init__(f"Schedule #{schedule_id} not found")
