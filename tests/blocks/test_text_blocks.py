from __future__ import annotations

import pytest

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.text import (
    CombineTextsBlock,
    ExtractTextInformationBlock,
    FillTextTemplateBlock,
    MatchTextPatternBlock,
    TextReplaceBlock,
    TextSplitBlock,
)
from apps.blocks.library.xml_parser import XMLParserBlock
from apps.blocks.markup import MAX_DEPTH
from tests.blocks.outputs import outputs_of


@pytest.mark.parametrize(
    ("template", "unsafe"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe."),
        ("{{ cycler.__init__.__globals__ }}", "access to attribute '__init__' of 'type' object is unsafe."),
        (
            "{{ name.__class__.__base__.__subclasses__() }}",
            "access to attribute '__class__' of 'str' object is unsafe.",
        ),
    ],
)
async def test_fill_text_template_sandbox_refuses_unsafe_attribute_access(template, unsafe) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(FillTextTemplateBlock, {"values": {"name": "Ada"}, "format": template})

    assert str(raised.value) == f"Template error: {unsafe}"


async def test_fill_text_template_prints_nothing_for_an_unsafe_attribute() -> None:
    outputs = await outputs_of(FillTextTemplateBlock, {"values": {"name": "Ada"}, "format": "[{{ name.__class__ }}]"})

    assert outputs == [("output", "[]")]


async def test_fill_text_template_reports_a_syntax_error() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(FillTextTemplateBlock, {"values": {}, "format": "{% for x in %}"})

    assert str(raised.value) == "Template error: Expected an expression, got 'end of statement block'"


async def test_fill_text_template_accepts_values_wired_in_as_dynamic_pins() -> None:
    # The engine merges `values_#_email` links into `values`; `safe` is used by real agents.
    data = {"values": {"email": "a@b.c"}, "format": 'from:{{email | safe}} OR "{{email | safe}}"'}

    assert await outputs_of(FillTextTemplateBlock, data) == [("output", 'from:a@b.c OR "a@b.c"')]


@pytest.mark.parametrize("block_class", [MatchTextPatternBlock, ExtractTextInformationBlock])
async def test_an_invalid_regular_expression_fails_with_a_message(block_class) -> None:
    pattern_pin = "match" if block_class is MatchTextPatternBlock else "pattern"

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(block_class, {"text": "abc", pattern_pin: "(unclosed"})

    assert str(raised.value) == "Invalid regular expression '(unclosed': missing ): (unclosed"


async def test_extract_text_information_skips_an_optional_group_that_did_not_match() -> None:
    data = {"text": "a1 b c3", "pattern": r"[a-z](\d)?", "group": 1, "find_all": True}

    outputs = await outputs_of(ExtractTextInformationBlock, data)

    assert outputs == [("positive", "1"), ("positive", "3"), ("matched_results", ["1", "3"]), ("matched_count", 2)]


async def test_text_split_refuses_an_empty_delimiter() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(TextSplitBlock, {"text": "abc", "delimiter": ""})

    assert str(raised.value) == "The delimiter must not be empty"


async def test_xml_parser_merges_the_tagged_parts_of_a_model_answer() -> None:
    answer = "<title>Ten Tips</title>\n<blog_post>\n  Tip one & two\n</blog_post>\n<keywords>tips, ten</keywords>"

    outputs = await outputs_of(XMLParserBlock, {"input_xml": answer})

    assert outputs == [("parsed_xml", {"title": "Ten Tips", "blog_post": "Tip one & two", "keywords": "tips, ten"})]


async def test_xml_parser_lists_repeated_top_level_tags() -> None:
    outputs = await outputs_of(XMLParserBlock, {"input_xml": "<url>a</url><url>b</url>"})

    assert outputs == [("parsed_xml", [{"url": "a"}, {"url": "b"}])]


@pytest.mark.parametrize(
    "hostile",
    [
        '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
        '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://169.254.169.254/"><x/>',
    ],
)
async def test_xml_parser_refuses_dtds_so_no_entity_is_ever_expanded(hostile) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(XMLParserBlock, {"input_xml": hostile})

    assert str(raised.value) == "DTD and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed."


async def test_xml_parser_leaves_undefined_entities_as_text() -> None:
    outputs = await outputs_of(XMLParserBlock, {"input_xml": "<a>&xxe; &lt;ok&gt;</a>"})

    assert outputs == [("parsed_xml", {"a": "&xxe; <ok>"})]


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<a><b>x</a></b>", "Mismatched tags: b and a"),
        ("<a>x", "Unclosed tag <a>."),
        ("Sure! <a>x</a>", "XML contains text outside the root element; wrap content in a single root tag."),
        ("<a>" * (MAX_DEPTH + 1), f"XML is nested deeper than {MAX_DEPTH} levels."),
    ],
)
async def test_xml_parser_reports_malformed_markup(markup, message) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(XMLParserBlock, {"input_xml": markup})

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"text": "Hello World!", "match": ".orld.+", "data": "Z"}, ("positive", "Z")),
        ({"text": "Hello World!", "match": "World![a-z]+", "data": "Z"}, ("negative", "Z")),
        ({"text": "a\nb", "match": "a.b", "dot_all": False}, ("negative", "a\nb")),
        ({"text": {"status": "done"}, "match": '"status": "done"'}, ("positive", {"status": "done"})),
    ],
)
async def test_match_text_pattern(data, expected) -> None:
    assert await outputs_of(MatchTextPatternBlock, data) == [expected]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 0},
            [("positive", "Hello, World!"), ("matched_results", ["Hello, World!"]), ("matched_count", 1)],
        ),
        (
            {"text": "Hello, World!", "pattern": "Hello, (.+)", "group": 2},
            [("negative", "Hello, World!"), ("matched_results", []), ("matched_count", 0)],
        ),
        (
            {"text": "Hello, World!", "pattern": "hello,", "case_sensitive": False},
            [("positive", "Hello,"), ("matched_results", ["Hello,"]), ("matched_count", 1)],
        ),
        (
            {"text": "Hello, World!! Hello, Earth!!", "pattern": "Hello, (\\S+)", "group": 1},
            [("positive", "World!!"), ("matched_results", ["World!!"]), ("matched_count", 1)],
        ),
    ],
)
async def test_extract_text_information(data, expected) -> None:
    assert await outputs_of(ExtractTextInformationBlock, data) == expected


@pytest.mark.parametrize(
    ("data", "output"),
    [
        ({"values": {}, "format": "{% set name = 'Alice' %}Hello, World! {{ name }}"}, "Hello, World! Alice"),
        ({"values": {"html": "<b>hi</b>"}, "format": "{{ html }}"}, "<b>hi</b>"),
        ({"values": {"html": "<b>hi</b>"}, "format": "{{ html }}", "escape_html": True}, "&lt;b&gt;hi&lt;/b&gt;"),
    ],
)
async def test_fill_text_template(data, output) -> None:
    assert await outputs_of(FillTextTemplateBlock, data) == [("output", output)]


async def test_combine_texts_joins_without_a_delimiter_by_default() -> None:
    data = {"input": ["Hello world I like ", "cake and to go for walks"]}

    assert await outputs_of(CombineTextsBlock, data) == [("output", "Hello world I like cake and to go for walks")]


async def test_text_split_of_empty_text_is_an_empty_list() -> None:
    assert await outputs_of(TextSplitBlock, {"text": "", "delimiter": ","}) == [("texts", [])]


async def test_text_replace_replaces_every_occurrence() -> None:
    assert await outputs_of(TextReplaceBlock, {"text": "a-b-c", "old": "-", "new": ""}) == [("output", "abc")]
