"""Text blocks: regex match and extraction, templates, combine, split, replace."""

from __future__ import annotations

import json
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.sandbox import sandboxed, sandboxed_template
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class MatchTextPatternBlock(Block):
    id = "3060088f-6ed9-4928-9ba7-9c92823a7ccd"
    description = (
        "Matches text against a regex pattern and forwards data to positive or negative output based on the match."
    )
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="Text to match")
        match: str = SchemaField(description="Pattern (Regex) to match")
        data: Any = SchemaField(description="Data to be forwarded to output", default=None, advanced=False)
        case_sensitive: bool = SchemaField(description="Case sensitive match", default=True)
        dot_all: bool = SchemaField(description="Dot matches all", default=True)

    class Output(BlockSchemaOutput):
        positive: Any = SchemaField(description="Output data if match is found")
        negative: Any = SchemaField(description="Output data if match is not found")

    test_input = [
        {"text": "ABC", "match": "ab", "data": "X", "case_sensitive": False},
        {"text": "ABC", "match": "ab", "data": "Y", "case_sensitive": True},
    ]
    test_output = [("positive", "X"), ("negative", "Y")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        found = await sandboxed(
            "regex_search",
            pattern=input_data.match,
            text=_as_text(input_data.text),
            case_sensitive=input_data.case_sensitive,
            dot_all=input_data.dot_all,
        )
        yield ("positive" if found else "negative"), input_data.data or input_data.text


class ExtractTextInformationBlock(Block):
    id = "3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0"
    description = "This block extracts the text from the given text using the pattern (regex)."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: Any = SchemaField(description="Text to parse")
        pattern: str = SchemaField(description="Pattern (Regex) to parse")
        group: int = SchemaField(description="Group number to extract", default=0)
        case_sensitive: bool = SchemaField(description="Case sensitive match", default=True)
        dot_all: bool = SchemaField(description="Dot matches all", default=True)
        find_all: bool = SchemaField(description="Find all matches", default=False)

    class Output(BlockSchemaOutput):
        positive: str = SchemaField(description="Extracted text")
        negative: str = SchemaField(description="Original text")
        matched_results: list[str] = SchemaField(description="List of matched results")
        matched_count: int = SchemaField(description="Number of matched results")

    test_input = {"text": "Hello, World!! Hello, Earth!!", "pattern": "Hello, (\\S+)", "group": 1, "find_all": True}
    test_output = [
        ("positive", "World!!"),
        ("positive", "Earth!!"),
        ("matched_results", ["World!!", "Earth!!"]),
        ("matched_count", 2),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        text = _as_text(input_data.text)
        matches: list[str] = await sandboxed(
            "regex_extract",
            pattern=input_data.pattern,
            text=text,
            group=input_data.group,
            case_sensitive=input_data.case_sensitive,
            dot_all=input_data.dot_all,
            find_all=input_data.find_all,
        )
        for extracted in matches:
            yield "positive", extracted
        if not matches:
            yield "negative", text
        yield "matched_results", matches
        yield "matched_count", len(matches)


class FillTextTemplateBlock(Block):
    id = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
    description = "This block formats the given texts using the format template."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            description="Values (dict) to be used in format. These values can be used by putting them in double "
            "curly braces in the format template. e.g. {{value_name}}.",
        )
        format: str = SchemaField(description="Template to format the text using `values`. Use Jinja2 syntax.")
        escape_html: bool = SchemaField(
            description="Whether to escape special characters in the inserted values to be HTML-safe.",
            default=False,
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="Formatted text")

    test_input = [
        {"values": {"name": "Alice", "hello": "Hello", "world": "World!"}, "format": "{{hello}}, {{ world }} {{name}}"},
        {"values": {"list": ["Hello", " World!"]}, "format": "{% for item in list %}{{ item }}{% endfor %}"},
    ]
    test_output = [("output", "Hello, World! Alice"), ("output", "Hello World!")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield (
            "output",
            await sandboxed_template(input_data.format, input_data.values, autoescape=input_data.escape_html),
        )


class CombineTextsBlock(Block):
    id = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"
    description = "This block combines multiple input texts into a single output text."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        input: list[str] = SchemaField(description="text input to combine")
        delimiter: str = SchemaField(description="Delimiter to combine texts", default="")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="Combined text")

    test_input = {"input": ["This is a test", "Hi!"], "delimiter": "! "}
    test_output = [("output", "This is a test! Hi!")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "output", input_data.delimiter.join(input_data.input)


class TextSplitBlock(Block):
    id = "d5ea33c8-a575-477a-b42f-2fe3be5055ec"
    description = "This block is used to split a text into a list of strings."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to split.")
        delimiter: str = SchemaField(description="The delimiter to split the text by.")
        strip: bool = SchemaField(description="Whether to strip the text.", default=True)

    class Output(BlockSchemaOutput):
        texts: list[str] = SchemaField(description="The text split into a list of strings.")

    test_input = [
        {"text": "Hello, World!", "delimiter": ","},
        {"text": "Hello, World!", "delimiter": ",", "strip": False},
    ]
    test_output = [("texts", ["Hello", "World!"]), ("texts", ["Hello", " World!"])]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        if not input_data.text:
            yield "texts", []
            return
        if not input_data.delimiter:
            raise ValueError("The delimiter must not be empty")
        texts = input_data.text.split(input_data.delimiter)
        yield "texts", [text.strip() for text in texts] if input_data.strip else texts


class TextReplaceBlock(Block):
    id = "7e7c87ab-3469-4bcc-9abe-67705091b713"
    description = "This block is used to replace a text with a new text."
    categories = frozenset({BlockCategory.TEXT})

    class Input(BlockSchemaInput):
        text: str = SchemaField(description="The text to replace.")
        old: str = SchemaField(description="The old text to replace.")
        new: str = SchemaField(description="The new text to replace with.")

    class Output(BlockSchemaOutput):
        output: str = SchemaField(description="The text with the replaced text.")

    test_input = [{"text": "Hello, World!", "old": "Hello", "new": "Hi"}]
    test_output = [("output", "Hi, World!")]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "output", input_data.text.replace(input_data.old, input_data.new)
