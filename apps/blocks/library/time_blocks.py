"""Clock blocks: the current time, date and date-time, and a countdown timer.

`format_type` is a union discriminated by its `discriminator` field, as upstream saves it in
graphs: `{"discriminator": "strftime", "format": ..., "timezone": ...}` or
`{"discriminator": "iso8601", "timezone": ...}`. With `use_user_timezone` the timezone in the
execution context (`user_timezone`, the user's profile setting) wins when the user has set one.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.blocks.time_formats import (
    DateISO8601Format,
    DateStrftimeFormat,
    ISO8601Format,
    StrftimeFormat,
    TimeISO8601Format,
    TimeStrftimeFormat,
)

MAX_COUNTDOWN_REPEATS = 10_000


def _now(format_type: Any, context: dict[str, Any]) -> datetime.datetime:
    zone = ZoneInfo(format_type.timezone)
    user_timezone = context.get("user_timezone")
    # "not-set" is the profile's default (upstream's sentinel for "never chosen").
    if format_type.use_user_timezone and user_timezone and user_timezone != "not-set":
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):  # an unknown zone keeps the block's own
            zone = ZoneInfo(user_timezone)
    return datetime.datetime.now(tz=zone)


def _iso(moment: datetime.datetime, format_type: BaseModel) -> str:
    return moment.isoformat(
        timespec="microseconds" if getattr(format_type, "include_microseconds", False) else "seconds"
    )


def _seconds_since_utc(text: str, parse_format: str) -> float:
    parsed = datetime.datetime.strptime(text, parse_format).replace(tzinfo=datetime.UTC)
    return abs((datetime.datetime.now(datetime.UTC) - parsed).total_seconds())


class GetCurrentTimeBlock(Block):
    id = "a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa"
    description = "This block outputs the current time."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current time")
        format_type: TimeStrftimeFormat | TimeISO8601Format = SchemaField(
            discriminator="discriminator",
            description="Format type for time output (strftime with custom format or ISO 8601)",
            default=TimeStrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        time: str = SchemaField(description="Current time in the specified format (default: %H:%M:%S)")

    test_input = [
        {"trigger": "Hello"},
        {"trigger": "Hello", "format_type": {"discriminator": "strftime", "format": "%H:%M"}},
        {"trigger": "Hello", "format_type": {"discriminator": "iso8601", "timezone": "UTC"}},
    ]
    test_output = [
        ("time", lambda t: _seconds_since_utc(t, "%H:%M:%S") % 86400 < 10),
        ("time", lambda t: _seconds_since_utc(t, "%H:%M") % 86400 < 70),
        ("time", lambda t: t.startswith("T") and t.endswith("+00:00") and len(t) == len("T12:34:56+00:00")),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        moment = _now(input_data.format_type, context)
        if isinstance(input_data.format_type, TimeISO8601Format):
            yield "time", "T" + _iso(moment, input_data.format_type).split("T", 1)[1]
        else:
            yield "time", moment.strftime(input_data.format_type.format)


class GetCurrentDateBlock(Block):
    id = "b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1"
    description = "This block outputs the current date with an optional offset."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current date")
        offset: int | str = SchemaField(
            title="Days Offset", description="Offset in days from the current date", default=0
        )
        format_type: DateStrftimeFormat | DateISO8601Format = SchemaField(
            discriminator="discriminator",
            description="Format type for date output (strftime with custom format or ISO 8601)",
            default=DateStrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        date: str = SchemaField(description="Current date in the specified format (default: YYYY-MM-DD)")

    test_input = [
        {"trigger": "Hello", "offset": "7"},
        {"trigger": "Hello", "offset": "7", "format_type": {"discriminator": "strftime", "format": "%m/%d/%Y"}},
        {"trigger": "Hello", "offset": "0", "format_type": {"discriminator": "iso8601", "timezone": "UTC"}},
    ]
    test_output = [
        ("date", lambda d: abs(_seconds_since_utc(d, "%Y-%m-%d") - 7 * 86400) <= 86400),
        ("date", lambda d: abs(_seconds_since_utc(d, "%m/%d/%Y") - 7 * 86400) <= 86400),
        ("date", lambda d: _seconds_since_utc(d, "%Y-%m-%d") <= 86400),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        # Upstream: an offset that is not a whole number counts as 0; the date is now *minus* offset days.
        try:
            offset = int(input_data.offset)
        except ValueError:
            offset = 0
        day = _now(input_data.format_type, context) - datetime.timedelta(days=offset)
        if isinstance(input_data.format_type, DateISO8601Format):
            yield "date", day.date().isoformat()
        else:
            yield "date", day.strftime(input_data.format_type.format)


class GetCurrentDateAndTimeBlock(Block):
    id = "716a67b3-6760-42e7-86dc-18645c6e00fc"
    description = "This block outputs the current date and time."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        trigger: str = SchemaField(description="Trigger any data to output the current date and time")
        format_type: StrftimeFormat | ISO8601Format = SchemaField(
            discriminator="discriminator",
            description="Format type for date and time output (strftime with custom format or ISO 8601/RFC 3339)",
            default=StrftimeFormat(discriminator="strftime"),
        )

    class Output(BlockSchemaOutput):
        date_time: str = SchemaField(
            description="Current date and time in the specified format (default: YYYY-MM-DD HH:MM:SS)"
        )

    test_input = [
        {"trigger": "Hello"},
        {"trigger": "Hello", "format_type": {"discriminator": "strftime", "format": "%Y/%m/%d"}},
        {"trigger": "Hello", "format_type": {"discriminator": "iso8601", "timezone": "Asia/Kolkata"}},
    ]
    test_output = [
        ("date_time", lambda t: _seconds_since_utc(t, "%Y-%m-%d %H:%M:%S") < 10),
        ("date_time", lambda t: _seconds_since_utc(t, "%Y/%m/%d") <= 86400),
        (
            "date_time",
            lambda t: (
                t.endswith("+05:30")
                and abs((datetime.datetime.now(datetime.UTC) - datetime.datetime.fromisoformat(t)).total_seconds()) < 10
            ),
        ),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        moment = _now(input_data.format_type, context)
        if isinstance(input_data.format_type, ISO8601Format):
            yield "date_time", _iso(moment, input_data.format_type)
        else:
            yield "date_time", moment.strftime(input_data.format_type.format)


def _whole_number(name: str, value: int | str) -> int:
    try:
        return int(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from error


class CountdownTimerBlock(Block):
    """Sleeps without holding a worker thread (asyncio), then emits the message; `repeat` times over."""

    id = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
    description = "This block triggers after a specified duration."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        input_message: Any = SchemaField(
            advanced=False, description="Message to output after the timer finishes", default="timer finished"
        )
        seconds: int | str = SchemaField(advanced=False, description="Duration in seconds", default=0)
        minutes: int | str = SchemaField(advanced=False, description="Duration in minutes", default=0)
        hours: int | str = SchemaField(advanced=False, description="Duration in hours", default=0)
        days: int | str = SchemaField(advanced=False, description="Duration in days", default=0)
        repeat: int = SchemaField(description="Number of times to repeat the timer", default=1)

    class Output(BlockSchemaOutput):
        output_message: Any = SchemaField(description="Message after the timer finishes")

    test_input = [
        {"seconds": 1},
        {"input_message": "Custom message", "repeat": 2},
        {"input_message": {"step": "done"}, "seconds": "0"},
    ]
    test_output = [
        ("output_message", "timer finished"),
        ("output_message", "Custom message"),
        ("output_message", "Custom message"),
        ("output_message", {"step": "done"}),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        total_seconds = (
            _whole_number("seconds", input_data.seconds)
            + _whole_number("minutes", input_data.minutes) * 60
            + _whole_number("hours", input_data.hours) * 3600
            + _whole_number("days", input_data.days) * 86400
        )
        if input_data.repeat > MAX_COUNTDOWN_REPEATS:
            raise ValueError(f"repeat must be at most {MAX_COUNTDOWN_REPEATS}, got {input_data.repeat}")
        for _ in range(input_data.repeat):
            if total_seconds > 0:
                await asyncio.sleep(total_seconds)
            yield "output_message", input_data.input_message
