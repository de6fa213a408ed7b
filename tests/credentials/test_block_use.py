"""What a block gets for its credentials, run inline as in a graph, and what that costs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.credentials.runs import BlockCredentials
from apps.credits.charging import credits_charge_node_execution
from apps.credits.costs import block_usage_cost
from apps.credits.models import CreditTransaction
from tests.credentials.blocks import LeakyOpenAIBlock, OpenAIEcho, registered
from tests.credits.conftest import node_charge_kwargs

pytestmark = pytest.mark.django_db

OPENAI_PLATFORM_ID = "53c25cb8-e3ee-465c-a4d1-e75a4c899c2a"
PRICE = [{"cost_amount": 4, "cost_filter": {}, "cost_type": "run"}]


@pytest.fixture(autouse=True)
def _blocks(user_has_credits: None, settings: Any) -> Iterator[None]:
    settings.BLOCK_COSTS = {OpenAIEcho.id: PRICE, LeakyOpenAIBlock.id: PRICE}
    with registered(OpenAIEcho, LeakyOpenAIBlock):
        yield


def own_key(client: APIClient, key: str = "sk-own-key-9876") -> dict[str, Any]:
    body = client.post(
        "/api/integrations/openai/credentials", {"type": "api_key", "api_key": key}, format="json"
    ).json()
    return {"id": body["id"], "provider": "openai", "type": "api_key"}


def execute(client: APIClient, block_id: str, body: Any) -> Any:
    return client.post(f"/api/blocks/{block_id}/execute", body, format="json")


def usage_charges() -> list[int]:
    return list(CreditTransaction.objects.filter(type="USAGE").values_list("amount", flat=True))


def test_a_block_run_inline_gets_the_users_credentials_and_costs_nothing_on_them(auth_client: APIClient) -> None:
    response = execute(auth_client, OpenAIEcho.id, {"credentials": own_key(auth_client)})

    assert response.status_code == 200, response.json()
    assert response.json() == {"key_tail": ["9876"]}
    assert usage_charges() == []


def test_a_block_run_on_platform_credentials_pays_its_price(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform-4321"}
    platform = {"id": OPENAI_PLATFORM_ID, "provider": "openai", "type": "api_key"}

    response = execute(auth_client, OpenAIEcho.id, {"credentials": platform})

    assert response.json() == {"key_tail": ["4321"]}
    assert usage_charges() == [-4]


def test_the_price_rule_for_blocks_that_take_credentials(settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform"}
    block = OpenAIEcho()

    own = block_usage_cost(block=block, input_data={"credentials": {"id": "mine", "provider": "openai"}})
    platform = block_usage_cost(block=block, input_data={"credentials": {"id": OPENAI_PLATFORM_ID}})
    nothing = block_usage_cost(block=block, input_data={})

    assert (own, platform, nothing) == ((0, {}), (4, {}), (0, {}))


def test_a_node_charge_on_platform_credentials_is_written_to_the_ledger(user: User) -> None:
    kwargs = node_charge_kwargs(user, OpenAIEcho(), input_data={"credentials": {"id": OPENAI_PLATFORM_ID}})

    assert credits_charge_node_execution(**kwargs) == 4
    assert CreditTransaction.objects.get(transaction_key=f"node_exec:{kwargs['node_exec_id']}").amount == -4


def test_someone_elses_credentials_cannot_be_run_inline(auth_client: APIClient, other_client: APIClient) -> None:
    theirs = own_key(other_client)

    response = execute(auth_client, OpenAIEcho.id, {"credentials": theirs})

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"Credentials #{theirs['id']} are not available: they were deleted, or never were this user's"
    )
    assert usage_charges() == []


def test_a_block_quoting_its_credentials_in_an_error_has_them_masked(auth_client: APIClient) -> None:
    response = execute(auth_client, LeakyOpenAIBlock.id, {"credentials": own_key(auth_client, "sk-quoted-secret")})

    assert response.status_code == 400
    assert response.json()["message"] == "The provider rejected key **********"
    assert "sk-quoted-secret" not in response.content.decode()


def test_a_malformed_reference_is_refused_before_anything_is_charged(auth_client: APIClient, settings: Any) -> None:
    settings.PLATFORM_API_KEYS = {"openai": "sk-platform"}

    response = execute(auth_client, OpenAIEcho.id, {"credentials": {"id": OPENAI_PLATFORM_ID, "provider": "anthropic"}})

    assert response.status_code == 422
    assert {item["loc"][1] for item in response.json()["detail"]} == {"credentials"}
    assert usage_charges() == []


def test_scrubbing_masks_longer_secrets_first() -> None:
    scrubber = BlockCredentials(secrets=["abc", "abcdef"])

    assert scrubber.scrub("key abcdef, part abc") == "key **********, part **********"
    assert scrubber.scrub(None) is None
