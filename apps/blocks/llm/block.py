"""What the language-model blocks share: their credentials field, the provider call, retries and price.

`llm_call` is a method so the blocks' self-tests can stand in for the provider.
Every block takes one credential, chosen by its model's provider (upstream's
discriminator), and costs upstream's per-model price when it runs on the
platform's credentials.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from pydantic import SecretStr

from apps.blocks.base import Block, BlockCategory, BlockCost, RetryPolicy
from apps.blocks.llm import call
from apps.blocks.llm.call import LlmResponse
from apps.blocks.llm.errors import LlmProviderUnavailableError
from apps.blocks.llm.models import DEFAULT_LLM_MODEL, LlmModel
from apps.blocks.llm.prices import MODEL_COST
from apps.blocks.llm.structured import StructuredRequest, structured_response
from apps.blocks.schema import SchemaField
from apps.blocks.stats import execution_stats
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

LLMProviderName = Literal[
    ProviderName.AIML_API,
    ProviderName.ANTHROPIC,
    ProviderName.GROQ,
    ProviderName.OLLAMA,
    ProviderName.OPENAI,
    ProviderName.OPEN_ROUTER,
    ProviderName.LLAMA_API,
    ProviderName.V0,
]
AICredentials = CredentialsMetaInput[LLMProviderName, Literal["api_key"]]

# Upstream's self-test credentials, id included (one character short of a UUID there too).
TEST_CREDENTIALS = APIKeyCredentials(
    id="769f6af7-820b-4d5d-9b7a-ab82bbc165f",
    provider="openai",
    api_key=SecretStr("mock-openai-api-key"),
    title="Mock OpenAI API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

# Unreachable, timed out or failing on the provider's side: the engine tries again later.
# The SDKs never retry themselves (see apps/blocks/llm/errors.py).
LLM_RETRY = RetryPolicy(max_attempts=3, backoff_seconds=2.0, retry_on=(LlmProviderUnavailableError,))
LLM_COST = tuple(BlockCost(cost_amount=MODEL_COST[model], cost_filter={"model": model.value}) for model in LlmModel)


def AICredentialsField() -> Any:
    return CredentialsField(
        description="API key for the LLM provider.",
        discriminator="model",
        discriminator_mapping={model.value: model.provider for model in LlmModel},
    )


def model_field(description: str, *, advanced: bool | None = False) -> Any:
    return SchemaField(title="LLM Model", default=DEFAULT_LLM_MODEL, description=description, advanced=advanced)


def ollama_host_field() -> Any:
    return SchemaField(advanced=True, default="localhost:11434", description="Ollama host for local  models")


def max_tokens_field() -> Any:
    return SchemaField(
        advanced=True, default=None, description="The maximum number of tokens to generate in the chat completion."
    )


def prompt_output() -> Any:
    return SchemaField(description="The prompt sent to the language model.")


PROMPT_VALUES_DESCRIPTION = (
    "Values used to fill in the prompt. The values can be used in the prompt by putting them in a double curly "
    "braces, e.g. {{variable_name}}."
)
RETRY_DESCRIPTION = "Number of times to retry the LLM call if the response does not match the expected format."
FORCE_JSON_DESCRIPTION = (
    "Whether to force the LLM to produce a JSON-only response. This can increase the block's reliability, "
    "but may also reduce the quality of the response because it prohibits the LLM from reasoning before "
    "providing its JSON response."
)


class AIBlock(Block):
    """What the language-model blocks share: the provider call, the retries, the price."""

    categories = frozenset({BlockCategory.AI})
    retry = LLM_RETRY
    costs = LLM_COST
    test_credentials = TEST_CREDENTIALS

    async def llm_call(self, **arguments: Any) -> LlmResponse:
        return await call.llm_call(**arguments)

    def output_tag_id(self) -> str:
        """A one-time tag for the JSON block, so neither the user's text nor the model's can imitate it."""
        return secrets.token_hex(8)

    async def structured(self, request: StructuredRequest, context: dict[str, Any]) -> tuple[Any, list[Any]]:
        return await structured_response(
            request, call=self.llm_call, stats=execution_stats(context), output_tag_id=self.output_tag_id()
        )
