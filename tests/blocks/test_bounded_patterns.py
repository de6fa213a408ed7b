"""Users' patterns (regular expressions, templates, markup, arithmetic) end in bounded time and memory.

Each of these inputs used to hold the process that evaluated it: for ever (a
backtracking regular expression, a template looping 10**10 times) or until it ran
out of memory. pytest-timeout turns a hang back into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apps.blocks.base import BlockExecutionError, BlockInputError
from apps.blocks.library.io import AgentOutputBlock
from apps.blocks.library.maths import CalculatorBlock
from apps.blocks.library.text import ExtractTextInformationBlock, FillTextTemplateBlock, MatchTextPatternBlock
from apps.blocks.library.xml_parser import XMLParserBlock
from tests.blocks.outputs import outputs_of

pytestmark = pytest.mark.timeout(60)

CATASTROPHIC = {"text": "a" * 5000 + "!", "match": "(a+)+$"}


@pytest.fixture
def short_limits(settings) -> None:
    settings.PATTERN_TIME_LIMIT_SECONDS = 1.0
    settings.PATTERN_MEMORY_LIMIT_MB = 64


async def test_a_backtracking_pattern_is_matched_at_once() -> None:
    outputs = await outputs_of(MatchTextPatternBlock, {**CATASTROPHIC, "data": "x"})

    assert outputs == [("negative", "x")]


async def test_upstream_flags_map_onto_the_linear_time_engine() -> None:
    insensitive = {"text": "ABC", "match": "ab", "data": "x", "case_sensitive": False}
    single_line = {"text": "a\nb", "match": "a.b", "data": "x", "dot_all": False}

    assert await outputs_of(MatchTextPatternBlock, insensitive) == [("positive", "x")]
    assert await outputs_of(MatchTextPatternBlock, {**insensitive, "case_sensitive": True}) == [("negative", "x")]
    assert await outputs_of(MatchTextPatternBlock, single_line) == [("negative", "x")]
    assert await outputs_of(MatchTextPatternBlock, {**single_line, "dot_all": True}) == [("positive", "x")]


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"^(?!\s*$).+", "first line", ["first line"]),  # as an exported agent writes "not blank"
        (r"^(?!\s*$).+", "   ", []),
        (r"(a)\1", "xaab", ["aa"]),
        (r"(?<!a)b", "ab cb", ["b"]),
        (r"(?P<x>o)(?P=x)", "foo", ["oo"]),
        (r"end\Z", "the end", ["end"]),
    ],
)
async def test_constructs_the_linear_engine_lacks_match_as_pythons_re_does(
    pattern: str, text: str, found: list[str]
) -> None:
    outputs = await outputs_of(ExtractTextInformationBlock, {"text": text, "pattern": pattern, "find_all": True})

    assert [value for name, value in outputs if name == "positive"] == found


async def test_a_backtracking_pattern_with_a_lookbehind_stops_at_the_time_limit(short_limits) -> None:
    # The lookbehind sends the pattern to Python's backtracking engine; the child's CPU limit ends it.
    data = {"text": "a" * 40 + "!", "match": r"(a+)+$(?<!b)", "data": "x"}

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(MatchTextPatternBlock, data)

    assert str(raised.value) == "Evaluating the pattern took longer than 1 seconds"


async def test_finding_all_matches_stops_at_the_time_limit(short_limits) -> None:
    # Each match is found in linear time, but every search rescans the rest of the text for `a*b`.
    data = {"text": "a" * 400_000, "pattern": "a*b|a", "find_all": True}

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(ExtractTextInformationBlock, data)

    assert str(raised.value) == "Evaluating the pattern took longer than 1 seconds"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 10 ** 1000000 }}", "Template error: 10 ** 1000000 is too large for a template"),
        (
            "{{ 'ab' * 10 ** 9 }}",
            "Template error: Repeating a sequence of 2 items 1000000000 times is too large for a template",
        ),
        (
            "{{ [0] * 10 ** 9 }}",
            "Template error: Repeating a sequence of 1 items 1000000000 times is too large for a template",
        ),
        (
            "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
            "Rendered text is longer than 1000000 characters",
        ),
    ],
)
async def test_a_template_that_would_allocate_too_much_is_refused_before_it_does(template, message) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(FillTextTemplateBlock, {"values": {}, "format": template})

    assert str(raised.value) == message


async def test_a_template_that_loops_without_end_stops_at_the_time_limit(short_limits) -> None:
    nested = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(FillTextTemplateBlock, {"values": {}, "format": nested})

    assert str(raised.value) == "Evaluating the pattern took longer than 1 seconds"


async def test_a_template_that_allocates_in_one_call_stops_at_the_memory_limit(short_limits) -> None:
    padded = "{{ '{:>900000000}'.format(1) | length }}"

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(FillTextTemplateBlock, {"values": {}, "format": padded})

    assert str(raised.value) == "Evaluating the pattern used more memory than allowed"


async def test_the_sandbox_recovers_after_a_child_was_killed(short_limits) -> None:
    with pytest.raises(BlockExecutionError):
        await outputs_of(FillTextTemplateBlock, {"values": {}, "format": "{{ '{:>900000000}'.format(1) }}"})

    outputs = await outputs_of(FillTextTemplateBlock, {"values": {"name": "Ada"}, "format": "Hi {{ name }}"})

    assert outputs == [("output", "Hi Ada")]


def _sandbox_children() -> list[Path]:
    return [
        process
        for process in Path("/proc").iterdir()
        if process.name.isdigit()
        and b"apps.blocks.sandbox_child" in _read(process / "cmdline")
        and _read(process / "stat").split(b") ", 1)[-1].split()[1] == str(os.getpid()).encode()
    ]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended meanwhile
        return b""


async def test_templates_run_in_a_process_without_our_environment() -> None:
    await outputs_of(FillTextTemplateBlock, {"values": {}, "format": "{{ 1 }}"})

    children = _sandbox_children()
    assert children
    for child in children:
        variables = {entry.split(b"=", 1)[0] for entry in _read(child / "environ").split(b"\0") if entry}
        assert variables == {b"PATH", b"PYTHONPATH"}


async def test_agent_output_reports_a_runaway_format_in_its_output(short_limits) -> None:
    data = {"value": "v", "name": "out", "format": "{{ 'x' * 10 ** 9 }}"}

    outputs = await outputs_of(AgentOutputBlock, data)

    assert outputs == [
        (
            "output",
            "Error: Template error: Repeating a sequence of 1 items 1000000000 times is too large for a template, v",
        )
    ]


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<a>" + "<?" * 200_000, "Unclosed processing instruction <?."),
        ("<a>" + "<!--" * 200_000, "Unclosed comment <!--."),
        ("<a" + " " * 200_000 + "b>x</a>", "Mismatched tags: a_b and a"),
    ],
)
async def test_markup_that_made_the_reader_quadratic_is_read_in_one_pass(markup, message) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(XMLParserBlock, {"input_xml": markup})

    assert str(raised.value) == message


async def test_a_run_of_angle_brackets_is_text() -> None:
    outputs = await outputs_of(XMLParserBlock, {"input_xml": "<a>" + "<" * 100_000 + "</a>"})

    assert outputs == [("parsed_xml", {"a": "<" * 100_000})]


@pytest.mark.parametrize(
    ("operation", "a", "b", "expected"),
    [("Power", 10.0, 400.0, "nan"), ("Multiply", 1e308, 10.0, "inf"), ("Power", 2.0, 1e6, "nan")],
)
async def test_calculator_arithmetic_is_bounded_floats(operation, a, b, expected) -> None:
    outputs = await outputs_of(CalculatorBlock, {"operation": operation, "a": a, "b": b})

    assert [(pin, str(value)) for pin, value in outputs] == [("result", expected)]


async def test_calculator_refuses_a_number_too_large_for_a_float() -> None:
    with pytest.raises(BlockInputError) as raised:
        await outputs_of(CalculatorBlock, {"operation": "Power", "a": 10**400, "b": 10**400})

    assert raised.value.field_errors == {"a": "Input should be a valid number", "b": "Input should be a valid number"}
