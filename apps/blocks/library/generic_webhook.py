"""The generic webhook trigger: any sender posting JSON to the webhook's URL starts a run."""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput, BlockType
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.blocks.triggers import WebhookConfig

GENERIC_WEBHOOK_PROVIDER = "generic_webhook"
EXAMPLE_PAYLOAD = {"message": "Hello, World!"}


class GenericWebhookTriggerBlock(Block):
    id = "8fa8c167-2002-47ce-aba8-97572fc5d387"
    description = "This block will output the contents of the generic input for the webhook."
    categories = frozenset({BlockCategory.INPUT})
    block_type = BlockType.WEBHOOK_MANUAL
    webhook_config = WebhookConfig(provider=GENERIC_WEBHOOK_PROVIDER, webhook_type="plain", automatic=False)

    class Input(BlockSchemaInput):
        payload: dict[str, Any] = SchemaField(hidden=True, default_factory=dict)
        constants: dict[str, Any] = SchemaField(
            description="The constants to be set when the block is put on the graph", default_factory=dict
        )
        secret_token: str | None = SchemaField(
            title="Secret token",
            description=(
                "Optional. If set, the platform will only accept incoming webhook requests that include this "
                "exact value in the 'X-Webhook-Secret' header. Leave empty for unauthenticated webhooks (the URL "
                "itself is the only credential)."
            ),
            default=None,
            secret=True,
            advanced=False,
        )

    class Output(BlockSchemaOutput):
        payload: dict[str, Any] = SchemaField(
            description="The complete webhook payload that was received from the generic webhook."
        )
        constants: dict[str, Any] = SchemaField(
            description="The constants to be set when the block is put on the graph"
        )

    test_input = {"constants": {"key": "value"}, "payload": EXAMPLE_PAYLOAD}
    test_output = [("constants", {"key": "value"}), ("payload", EXAMPLE_PAYLOAD)]

    async def run(self, input_data: Input, **context: Any) -> BlockOutput:
        yield "constants", input_data.constants
        yield "payload", input_data.payload
