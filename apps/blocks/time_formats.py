"""The `format_type` choices of the clock blocks, in the shape upstream saves in graphs.

The timezone lives inside `format_type` (not on the block) because that is where saved
graphs carry it. The list of zones is upstream's: one representative zone per UTC offset.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

TimezoneName = Literal[
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Caracas",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Paris",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Kabul",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Australia/Eucla",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
    "Etc/GMT-12",
    "Etc/GMT+12",
]


class _ZonedFormat(BaseModel):
    timezone: TimezoneName = "UTC"
    # When true, the user's profile timezone (if set) overrides `timezone`.
    use_user_timezone: bool = False


class TimeStrftimeFormat(_ZonedFormat):
    discriminator: Literal["strftime"]
    format: str = "%H:%M:%S"


class TimeISO8601Format(_ZonedFormat):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False


class DateStrftimeFormat(_ZonedFormat):
    discriminator: Literal["strftime"]
    format: str = "%Y-%m-%d"


class DateISO8601Format(_ZonedFormat):
    discriminator: Literal["iso8601"]


class StrftimeFormat(_ZonedFormat):
    discriminator: Literal["strftime"]
    format: str = "%Y-%m-%d %H:%M:%S"


class ISO8601Format(_ZonedFormat):
    discriminator: Literal["iso8601"]
    include_microseconds: bool = False
