"""Graph inputs and outputs: the AgentInput family and AgentOutput."""

from __future__ import annotations

import datetime
from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput, BlockType
from apps.blocks.sandbox import sandboxed_template
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField


class AgentInputBlock(Block):
    """A graph input. The graph's input named `name` arrives as `value`."""

    id = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
    description = "Base block for user inputs."
    categories = frozenset({BlockCategory.INPUT, BlockCategory.BASIC})
    block_type = BlockType.INPUT
    static_output = True

    class Input(BlockSchemaInput):
        name: str = SchemaField(description="The name of the input.")
        value: Any = SchemaField(description="The value to be passed as input.", default=None)
        title: str | None = SchemaField(description="The title of the input.", default=None, advanced=True)
        description: str | None = SchemaField(description="The description of the input.", default=None, advanced=True)
        placeholder_values: list[Any] = SchemaField(
            description="The placeholder values to be passed as input.",
            default_factory=list,
            advanced=True,
            hidden=True,
        )
        advanced: bool = SchemaField(
            description="Whether to show the input in the advanced section, if the field is not required.",
            default=False,
            advanced=True,
        )
        secret: bool = SchemaField(
            description="Whether the input should be treated as a secret.", default=False, advanced=True
        )

    class Output(BlockSchemaOutput):
        result: Any = SchemaField(description="The value passed as input.")

    test_input = [
        {"value": "Hello, World!", "name": "input_1", "description": "Example test input.", "placeholder_values": []},
        {
            "value": "Hello, World!",
            "name": "input_2",
            "description": "Example test input with placeholders.",
            "placeholder_values": ["Hello, World!"],
        },
    ]
    test_output = [("result", "Hello, World!"), ("result", "Hello, World!")]

    def result_of(self, value: Any) -> Any:
        return value

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        if input_data.value is not None:
            yield "result", self.result_of(input_data.value)


class AgentShortTextInputBlock(AgentInputBlock):
    id = "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158"
    description = "Block for short text input (single-line)."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            description="Short text input.", default=None, advanced=False, title="Default Value", format="short-text"
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="Short text result.")

    test_input = [{"value": "Hello", "name": "short_text_1"}, {"name": "short_text_2"}]
    test_output = [("result", "Hello")]


class AgentLongTextInputBlock(AgentInputBlock):
    id = "90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba"
    description = "Block for long text input (multi-line)."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            description="Long text input (potentially multi-line).",
            default=None,
            advanced=False,
            title="Default Value",
            format="long-text",
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="Long text result.")

    test_input = [{"value": "Lorem ipsum dolor sit amet...", "name": "long_text_1"}, {"name": "long_text_2"}]
    test_output = [("result", "Lorem ipsum dolor sit amet...")]


class AgentNumberInputBlock(AgentInputBlock):
    id = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"
    description = "Block for number input."

    class Input(AgentInputBlock.Input):
        value: int | None = SchemaField(
            description="Number input.", default=None, advanced=False, title="Default Value"
        )

    class Output(AgentInputBlock.Output):
        result: int = SchemaField(description="Number result.")

    test_input = [{"value": 42, "name": "number_input_1"}, {"name": "number_input_2"}]
    test_output = [("result", 42)]


class AgentDateInputBlock(AgentInputBlock):
    id = "7e198b09-4994-47db-8b4d-952d98241817"
    description = "Block for date input."

    class Input(AgentInputBlock.Input):
        value: datetime.date | None = SchemaField(
            description="Date input (YYYY-MM-DD).", default=None, advanced=False, title="Default Value"
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="Date result (YYYY-MM-DD).")

    test_input = [{"value": "2025-01-01", "name": "date_input_1"}, {"name": "date_input_2"}]
    test_output = [("result", "2025-01-01")]

    def result_of(self, value: datetime.date) -> str:
        return value.isoformat()


class AgentTimeInputBlock(AgentInputBlock):
    id = "2a1c757e-86cf-4c7e-aacf-060dc382e434"
    description = "Block for time input."

    class Input(AgentInputBlock.Input):
        value: datetime.time | None = SchemaField(
            description="Time input (HH:MM:SS).", default=None, advanced=False, title="Default Value"
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="Time result (HH:MM:SS).")

    test_input = [{"value": "12:34:56", "name": "time_input_1"}, {"name": "time_input_2"}]
    test_output = [("result", "12:34:56")]

    def result_of(self, value: datetime.time) -> str:
        return value.isoformat()


class AgentFileInputBlock(AgentInputBlock):
    """A file given as a URL or data URI; passed on as that string."""

    id = "95ead23f-8283-4654-aef3-10c053b74a31"
    description = "Block for file upload input (string path for example)."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            description="Path or reference to an uploaded file.", default=None, advanced=False, title="Default Value"
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="File reference/path result.")

    test_input = [{"value": "data:text/plain;base64,SGVsbG8=", "name": "file_upload_1"}, {"name": "file_upload_2"}]
    test_output = [("result", "data:text/plain;base64,SGVsbG8=")]


class AgentDropdownInputBlock(AgentInputBlock):
    id = "655d6fdf-a334-421c-b733-520549c07cd1"
    description = "Block for dropdown text selection."

    class Input(AgentInputBlock.Input):
        value: str | None = SchemaField(
            description="Text selected from a dropdown.", default=None, advanced=False, title="Default Value"
        )
        placeholder_values: list[Any] = SchemaField(
            description="Possible values for the dropdown.",
            default_factory=list,
            advanced=False,
            title="Dropdown Options",
        )

    class Output(AgentInputBlock.Output):
        result: str = SchemaField(description="Selected dropdown value.")

    test_input = [
        {"value": "Option A", "name": "dropdown_1", "placeholder_values": ["Option A", "Option B", "Option C"]},
        {"value": "Option C", "name": "dropdown_2", "placeholder_values": ["Option A", "Option B", "Option C"]},
    ]
    test_output = [("result", "Option A"), ("result", "Option C")]


class AgentOutputBlock(Block):
    """A graph output. The graph's outputs are read from this node's inputs (`name` → `value`)."""

    id = "363ae599-353e-4804-937e-b2ee3cef3da4"
    description = "Stores the output of the graph for users to see."
    categories = frozenset({BlockCategory.OUTPUT, BlockCategory.BASIC})
    block_type = BlockType.OUTPUT
    static_output = True

    class Input(BlockSchemaInput):
        value: Any = SchemaField(description="The value to be recorded as output.", default=None, advanced=False)
        name: str = SchemaField(description="The name of the output.")
        title: str | None = SchemaField(description="The title of the output.", default=None, advanced=True)
        description: str | None = SchemaField(description="The description of the output.", default=None, advanced=True)
        format: str = SchemaField(
            description="The format string to be used to format the recorded_value. Use Jinja2 syntax.",
            default="",
            advanced=True,
        )
        escape_html: bool = SchemaField(
            description="Whether to escape special characters in the inserted values to be HTML-safe.",
            default=False,
            advanced=True,
        )
        advanced: bool = SchemaField(
            description="Whether to treat the output as advanced.", default=False, advanced=True
        )
        secret: bool = SchemaField(
            description="Whether the output should be treated as a secret.", default=False, advanced=True
        )

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="The value recorded as output.")
        name: Any = SchemaField(description="The name of the value recorded as output.")

    test_input = [
        {
            "value": "Hello, World!",
            "name": "output_1",
            "description": "This is a test output.",
            "format": "{{ output_1 }}!!",
        },
        {"value": "42", "name": "output_2", "description": "This is another test output.", "format": "{{ output_2 }}"},
        {"value": {"key": "value"}, "name": "output_3", "description": "No format: passed through."},
    ]
    test_output = [
        ("output", "Hello, World!!!"),
        ("output", "42"),
        ("output", {"key": "value"}),
        ("name", "output_3"),
    ]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        if input_data.format:
            try:
                values = {input_data.name: input_data.value}
                rendered = await sandboxed_template(input_data.format, values, autoescape=input_data.escape_html)
            except Exception as error:  # noqa: BLE001 - upstream reports template errors in the output
                yield "output", f"Error: {error}, {input_data.value}"
            else:
                yield "output", rendered
        else:
            yield "output", input_data.value
            yield "name", input_data.name
