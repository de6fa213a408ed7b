"""The block contract.

A block is a class with a constant UUID `id`, pydantic `Input`/`Output` schemas
and an async generator `run` yielding `(pin, value)` pairs, possibly many per
pin. `execute` wraps `run` with upstream's error semantics: invalid input,
an output its schema rejects and a yielded `error` pin all end the execution
with a `BlockError` whose message becomes the node's `error` output.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import ValidationError

from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, output_adapter, validation_messages
from apps.blocks.triggers import WebhookConfig

BlockOutput = AsyncGenerator[tuple[str, Any], None]


class BlockType(enum.Enum):
    STANDARD = "Standard"
    INPUT = "Input"
    OUTPUT = "Output"
    NOTE = "Note"
    AGENT = "Agent"
    AI = "AI"
    WEBHOOK = "Webhook"
    WEBHOOK_MANUAL = "Webhook (manual)"


class BlockCategory(enum.Enum):
    AI = "Block that leverages AI to perform a task."
    SOCIAL = "Block that interacts with social media platforms."
    TEXT = "Block that processes text data."
    SEARCH = "Block that searches or extracts information from the internet."
    BASIC = "Block that performs basic operations."
    INPUT = "Block that interacts with input of the graph."
    OUTPUT = "Block that interacts with output of the graph."
    LOGIC = "Programming logic to control the flow of your agent"
    COMMUNICATION = "Block that interacts with communication platforms."
    DEVELOPER_TOOLS = "Developer tools such as GitHub blocks."
    DATA = "Block that interacts with structured data."
    HARDWARE = "Block that interacts with hardware."
    AGENT = "Block that interacts with other agents."
    CRM = "Block that interacts with CRM services."
    SAFETY = "Block that provides AI safety mechanisms such as detecting harmful content"
    PRODUCTIVITY = "Block that helps with productivity"
    ISSUE_TRACKING = "Block that helps with issue tracking"
    MULTIMEDIA = "Block that interacts with multimedia content"
    MARKETING = "Block that helps with marketing"

    def as_dict(self) -> dict[str, str]:
        return {"category": self.name, "description": self.value}


class BlockCostType(enum.Enum):
    RUN = "run"
    BYTE = "byte"
    SECOND = "second"


@dataclass(frozen=True)
class BlockCost:
    """A price applying when `cost_filter` is a subset of the node's input (first match wins)."""

    cost_amount: int
    cost_filter: dict[str, Any] = field(default_factory=dict)
    cost_type: BlockCostType = BlockCostType.RUN

    def as_dict(self) -> dict[str, Any]:
        return {"cost_amount": self.cost_amount, "cost_filter": self.cost_filter, "cost_type": self.cost_type.value}


@dataclass(frozen=True)
class RetryPolicy:
    """Retries for transient failures: attempt n waits `backoff_seconds * 2**(n-1)`."""

    max_attempts: int = 3
    backoff_seconds: float = 1.0
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

    def delay_before(self, attempt: int) -> float:
        return float(self.backoff_seconds * 2 ** (attempt - 1))


class BlockError(ValueError):
    """An expected failure of a block execution; its message is the node's `error` output."""


class BlockInputError(BlockError):
    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field_errors = field_errors or {}


class BlockOutputError(BlockError):
    pass


class BlockExecutionError(BlockError):
    pass


class BlockUnknownError(BlockError):
    pass


class Block:
    id: ClassVar[str]
    description: ClassVar[str] = ""
    categories: ClassVar[frozenset[BlockCategory]] = frozenset({BlockCategory.BASIC})
    block_type: ClassVar[BlockType] = BlockType.STANDARD
    static_output: ClassVar[bool] = False
    disabled: ClassVar[bool] = False
    costs: ClassVar[tuple[BlockCost, ...]] = ()
    retry: ClassVar[RetryPolicy | None] = None
    # Seconds one execution may take; None takes settings.BLOCK_TIME_LIMIT_SECONDS.
    time_limit: ClassVar[float | None] = None
    # Trigger blocks: the webhook whose deliveries start runs, each with the payload as this node's input.
    webhook_config: ClassVar[WebhookConfig | None] = None
    # Linked input pins an execution does not wait for as such: `waiting_for` decides from the data.
    optional_links: ClassVar[frozenset[str]] = frozenset()

    Input: ClassVar[type[BlockSchemaInput]] = BlockSchemaInput
    Output: ClassVar[type[BlockSchemaOutput]] = BlockSchemaOutput

    test_input: ClassVar[dict[str, Any] | list[dict[str, Any]]] = {}
    test_output: ClassVar[list[tuple[str, Any]]] = []
    test_mock: ClassVar[dict[str, Callable[..., Any]]] = {}
    # Credentials the self-test hands to `run()`: one object for a block with a single
    # credentials field, else `{field name: credentials}`.
    test_credentials: ClassVar[Any] = None

    @property
    def name(self) -> str:
        return type(self).__name__

    def run(self, input_data: Any, **context: Any) -> BlockOutput:
        raise NotImplementedError

    def waiting_for(self, data: dict[str, Any]) -> set[str]:
        """Pins a node execution still waits for, given its input so far (upstream's `get_missing_input`)."""
        return set()

    def input_link_errors(self, linked: dict[str, bool]) -> dict[str, str]:
        """What is wrong with the links into a node of this block: `linked` maps each linked pin to `is_static`."""
        return {}

    def parse_input(self, data: dict[str, Any]) -> Any:
        try:
            return self.Input.parse(data)
        except ValidationError as error:
            fields = validation_messages(error)
            summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
            raise BlockInputError(f"Unable to execute block with invalid input data: {summary}", fields) from error

    def check_output(self, pin: str, value: Any) -> None:
        # A tool call's argument (`tools_^_{node}_~_{pin}`) is a dynamic part of the `tools` pin.
        output_field = self.Output.model_fields.get(pin.split("_^_", 1)[0] if pin.startswith("tools_^_") else pin)
        if output_field is None:
            raise BlockOutputError(f"Block produced an invalid output data: unknown output pin {pin!r}")
        if self.block_type is BlockType.STANDARD:
            try:
                output_adapter(output_field.annotation or Any).validate_python(value)  # type: ignore[arg-type]
            except ValidationError as error:
                raise BlockOutputError(
                    f"Block produced an invalid output data: {pin}: {error.errors()[0]['msg']}"
                ) from error

    async def execute(self, input_data: dict[str, Any], **context: Any) -> BlockOutput:
        """Validate, run and check; every failure surfaces as a `BlockError`."""
        parsed = self.parse_input(input_data)
        try:
            async for pin, value in self.run(parsed, **context):
                if pin == "error":
                    raise BlockExecutionError(str(value))
                self.check_output(pin, value)
                yield pin, value
        except BlockError:
            raise
        except ValueError as error:
            raise BlockExecutionError(str(error) or type(error).__name__) from error
        except Exception as error:
            if self.retry is not None and isinstance(error, self.retry.retry_on):
                raise
            raise BlockUnknownError(
                f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            ) from error

    def as_dict(self) -> dict[str, Any]:
        """The `/api/blocks` item, in upstream's (camelCase) shape."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "inputSchema": self.Input.jsonschema(),
            "outputSchema": self.Output.jsonschema(),
            "categories": [category.as_dict() for category in sorted(self.categories, key=lambda c: c.name)],
            "contributors": [],
            "staticOutput": self.static_output,
            "uiType": self.block_type.value,
            "costs": [cost.as_dict() for cost in self.costs],
        }
