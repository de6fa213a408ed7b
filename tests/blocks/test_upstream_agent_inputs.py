"""Nodes as exported AutoGPT agents save them (`input_default`, copied from real agent files)
run with values arriving on their linked pins."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from apps.blocks.base import Block, BlockExecutionError
from apps.blocks.library.basic import UniversalTypeConverterBlock
from apps.blocks.library.branching import ConditionBlock
from apps.blocks.library.dictionaries import AddToDictionaryBlock
from apps.blocks.library.http import HttpMethod, SendWebRequestBlock
from apps.blocks.library.iteration import StepThroughItemsBlock
from apps.blocks.library.lists import RemoveFromListBlock
from apps.blocks.library.text import CombineTextsBlock, ExtractTextInformationBlock, MatchTextPatternBlock
from apps.blocks.library.time_blocks import CountdownTimerBlock, GetCurrentDateAndTimeBlock, GetCurrentDateBlock
from tests.blocks.outputs import outputs_of


def _utc_today(days: int = 0) -> str:
    """Today (UTC) shifted by `days`; tests accept the day before too, in case midnight passed meanwhile."""
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)).date().isoformat()


@pytest.mark.parametrize(
    ("block_class", "saved", "linked", "expected"),
    [
        (ConditionBlock, {"value2": "0", "operator": "=="}, {"value1": 0}, [("result", True), ("yes_output", 0)]),
        (
            AddToDictionaryBlock,
            {"key": "Timestamp", "value": None, "entries": {}, "dictionary": {}},
            {"value": "2025-01-01"},
            [("updated_dictionary", {"Timestamp": "2025-01-01"})],
        ),
        (UniversalTypeConverterBlock, {"type": "number", "value": "1"}, {}, [("value", 1.0)]),
        (
            RemoveFromListBlock,
            {"list": [], "value": "TEMP", "return_item": False},
            {"list": ["TEMP", "kept"]},
            [("updated_list", ["kept"])],
        ),
        (
            StepThroughItemsBlock,
            {"items": [], "items_str": "", "items_object": {}},
            {"items": ["only"]},
            [("item", "only"), ("key", 0)],
        ),
        (
            CombineTextsBlock,
            {"input": ["", ""], "delimiter": "\n\n"},
            {"input": ["First", "Second"]},  # the engine's merge of `input_$_0` and `input_$_1`
            [("output", "First\n\nSecond")],
        ),
        (
            MatchTextPatternBlock,
            {"match": "^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$", "dot_all": False, "case_sensitive": False},
            {"text": "Ada@Example.com", "data": "valid"},
            [("positive", "valid")],
        ),
        (
            ExtractTextInformationBlock,
            {"group": 1, "pattern": "<email>(.*?)<\\/email>"},
            {"text": "Found: <email>ada@example.com</email>"},
            [("positive", "ada@example.com"), ("matched_results", ["ada@example.com"]), ("matched_count", 1)],
        ),
        (
            GetCurrentDateBlock,
            {"offset": "-1", "trigger": "go", "format_type": {"discriminator": "iso8601"}},
            {},
            [("date", lambda date: date in (_utc_today(1), _utc_today()))],
        ),
        (
            # An older saved shape: `format` beside the block's fields instead of inside `format_type`.
            GetCurrentDateBlock,
            {"format": "%Y-%m-%d", "offset": 0, "trigger": "go"},
            {},
            [("date", lambda date: date in (_utc_today(), _utc_today(-1)))],
        ),
        (
            GetCurrentDateAndTimeBlock,
            {"format_type": {"format": "%Y-%m-%d", "timezone": "UTC", "discriminator": "strftime"}},
            {"trigger": "go"},
            [("date_time", lambda date: date in (_utc_today(), _utc_today(-1)))],
        ),
    ],
)
async def test_saved_node_runs(
    block_class: type[Block], saved: dict[str, Any], linked: dict[str, Any], expected: list[tuple[str, Any]]
) -> None:
    outputs = await outputs_of(block_class, {**saved, **linked})

    assert [pin for pin, _ in outputs] == [pin for pin, _ in expected]
    for (_, value), (_, wanted) in zip(outputs, expected, strict=True):
        assert wanted(value) if callable(wanted) else value == wanted


def test_a_saved_countdown_with_seconds_as_text_is_accepted() -> None:
    saved = {"days": 0, "hours": 0, "repeat": 1, "minutes": 0, "seconds": "15", "input_message": "timer finished"}

    parsed = CountdownTimerBlock().parse_input(saved)

    assert (parsed.seconds, parsed.repeat, parsed.input_message) == ("15", 1, "timer finished")


def test_a_saved_web_request_with_upstream_file_fields_is_accepted() -> None:
    saved = {"files": [], "method": "GET", "headers": {}, "files_name": "file", "json_format": True}

    parsed = SendWebRequestBlock().parse_input({**saved, "url": "https://example.com"})

    assert (parsed.method, parsed.headers, parsed.json_format, parsed.files) == (HttpMethod.GET, {}, True, [])


async def test_sending_files_as_json_fails_with_upstreams_message_rather_than_dropping_them() -> None:
    data = {"url": "https://example.com", "files": ["data:text/plain;base64,SGk="]}

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(SendWebRequestBlock, data)

    assert str(raised.value) == (
        "json_format=True cannot be combined with file uploads; set json_format=False and put form fields in `body`."
    )
