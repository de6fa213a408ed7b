from __future__ import annotations

from typing import Any

import pytest

from apps.blocks.base import BlockExecutionError, BlockInputError
from apps.blocks.library import time_blocks
from apps.blocks.library.time_blocks import (
    MAX_COUNTDOWN_REPEATS,
    CountdownTimerBlock,
    GetCurrentDateAndTimeBlock,
    GetCurrentTimeBlock,
)
from tests.blocks.outputs import outputs_of


@pytest.fixture
def recorded_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr(time_blocks.asyncio, "sleep", sleep)
    return sleeps


async def test_countdown_sleeps_the_sum_of_its_units_before_each_repeat(recorded_sleeps: list[float]) -> None:
    data = {"input_message": "ring", "seconds": 5, "minutes": "1", "hours": 1, "days": "1", "repeat": 2}

    outputs = await outputs_of(CountdownTimerBlock, data)

    assert outputs == [("output_message", "ring"), ("output_message", "ring")]
    assert recorded_sleeps == [90065, 90065]


async def test_countdown_of_zero_does_not_sleep(recorded_sleeps: list[float]) -> None:
    assert await outputs_of(CountdownTimerBlock, {}) == [("output_message", "timer finished")]
    assert recorded_sleeps == []


async def test_countdown_refuses_a_duration_that_is_no_whole_number() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(CountdownTimerBlock, {"minutes": "1.5"})

    assert str(raised.value) == "minutes must be a whole number, got '1.5'"


async def test_countdown_bounds_its_repeats() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(CountdownTimerBlock, {"repeat": MAX_COUNTDOWN_REPEATS + 1})

    assert str(raised.value) == f"repeat must be at most {MAX_COUNTDOWN_REPEATS}, got {MAX_COUNTDOWN_REPEATS + 1}"


@pytest.mark.parametrize(
    ("user_timezone", "suffix"),
    [("Asia/Kathmandu", "+05:45"), ("not-set", "+00:00"), (None, "+00:00"), ("Not/AZone", "+00:00")],
)
async def test_use_user_timezone_takes_the_zone_from_the_execution_context(user_timezone: Any, suffix: str) -> None:
    data = {"trigger": "go", "format_type": {"discriminator": "iso8601", "use_user_timezone": True}}

    outputs = await outputs_of(GetCurrentDateAndTimeBlock, data, user_timezone=user_timezone)

    assert outputs[0][1].endswith(suffix)


async def test_without_use_user_timezone_the_blocks_own_zone_applies() -> None:
    data = {"trigger": "go", "format_type": {"discriminator": "iso8601", "timezone": "America/St_Johns"}}

    outputs = await outputs_of(GetCurrentTimeBlock, data, user_timezone="Asia/Kathmandu")

    assert outputs[0][1].endswith(("-03:30", "-02:30"))  # Newfoundland standard or daylight time


async def test_a_timezone_outside_upstreams_list_is_refused() -> None:
    data = {"trigger": "go", "format_type": {"discriminator": "strftime", "timezone": "Mars/Olympus"}}

    with pytest.raises(BlockInputError) as raised:
        await outputs_of(GetCurrentTimeBlock, data)

    assert list(raised.value.field_errors) == ["format_type"]
    assert raised.value.field_errors["format_type"].startswith("Input should be 'UTC', 'Pacific/Honolulu', ")
