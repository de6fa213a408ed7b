"""The model table: every model the exported agents name resolves, with its provider and price."""

from __future__ import annotations

import json

import pytest

from apps.blocks.library.llm import AITextGeneratorBlock
from apps.blocks.llm.models import LlmModel
from apps.credits.costs import block_usage_cost
from config.env import BASE_DIR

FIXTURES = BASE_DIR / "tests" / "fixtures" / "autogpt-agents"
OPENAI_PLATFORM_CREDENTIALS = {"id": "53c25cb8-e3ee-465c-a4d1-e75a4c899c2a", "provider": "openai", "type": "api_key"}


def exported_model_table() -> dict[str, str]:
    """Every model -> provider mapping the exported agents carry in their credentials schemas."""
    table: dict[str, str] = {}
    for path in FIXTURES.glob("*.json"):
        for field in json.loads(path.read_text()).get("credentials_input_schema", {}).get("properties", {}).values():
            table.update(field.get("discriminator_mapping") or {})
    return table


def test_every_model_the_exported_agents_know_resolves_to_the_same_provider() -> None:
    table = exported_model_table()

    assert len(table) > 50
    assert {name: LlmModel(name).provider for name in table} == table


def test_a_provider_prefixed_name_resolves_to_its_model() -> None:
    assert LlmModel("anthropic/claude-sonnet-4-5-20250929") is LlmModel.CLAUDE_4_5_SONNET


@pytest.mark.parametrize(("model", "price"), [("gpt-4o", 3), ("claude-sonnet-4-5-20250929", 9), ("o1", 16)])
def test_a_model_costs_upstreams_price_on_platform_credentials_only(model: str, price: int) -> None:
    block = AITextGeneratorBlock()
    on_platform = {"model": model, "credentials": OPENAI_PLATFORM_CREDENTIALS}
    on_own_key = {"model": model, "credentials": {**OPENAI_PLATFORM_CREDENTIALS, "id": "my-own-key-id"}}

    assert block_usage_cost(block=block, input_data=on_platform)[0] == price
    assert block_usage_cost(block=block, input_data=on_own_key)[0] == 0


def test_the_catalog_describes_each_model_as_upstream_does() -> None:
    schema = AITextGeneratorBlock().Input.jsonschema()["properties"]["model"]

    assert schema["llm_model"] is True
    assert schema["llm_model_metadata"]["gpt-4o"]["provider"] == "openai"
    assert schema["default"] == "gpt-5.2-2025-12-11"
