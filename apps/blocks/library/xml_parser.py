"""XML to dict, for answers a model wrote inside tags."""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.sandbox import sandboxed
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class XMLParserBlock(Block):
    id = "286380af-9529-4b55-8be0-1d7c854abdb5"
    description = "Parses XML (for example tagged model output) and converts it to a dict."
    categories = frozenset({BlockCategory.DATA})

    class Input(BlockSchemaInput):
        input_xml: str = SchemaField(description="input xml to be parsed")

    class Output(BlockSchemaOutput):
        parsed_xml: dict[str, Any] | list[Any] = SchemaField(description="output parsed xml to dict")

    test_input = [
        {"input_xml": "<tag1><tag2>content</tag2></tag1>"},
        {"input_xml": "<title>Q3 &amp; Q4</title>\n<keywords>growth, retention</keywords>"},
        {"input_xml": "<stories><story>one</story><story>two</story></stories>"},
    ]
    test_output = [
        ("parsed_xml", {"tag1": {"tag2": "content"}}),
        ("parsed_xml", {"title": "Q3 & Q4", "keywords": "growth, retention"}),
        ("parsed_xml", {"stories": [{"story": "one"}, {"story": "two"}]}),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "parsed_xml", await sandboxed("parse_markup", markup=input_data.input_xml)
