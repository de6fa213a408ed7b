from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from apps.accounts.models import User
from apps.core.redis import get_redis
from apps.credits.charging import credits_charge_node_execution, execution_counter_key
from apps.credits.exceptions import InsufficientBalanceError
from apps.credits.models import CreditTransaction
from apps.credits.selectors import credits_check_can_execute, credits_get_ledger_balance
from apps.credits.services import credits_grant, credits_spend
from tests.credits.conftest import FreeBlock, PricedBlock, assert_ledger_consistent, node_charge_kwargs

pytestmark = pytest.mark.django_db

PLATFORM_KEY = {"credentials": {"provider": "platform", "id": "c1"}}


def charge(user: User, block: Any = None, **overrides: Any) -> int:
    return credits_charge_node_execution(**node_charge_kwargs(user, block or FreeBlock(), **overrides))


def test_a_priced_block_is_charged_its_first_matching_cost_with_upstreams_usage_metadata(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    kwargs = node_charge_kwargs(user, PricedBlock(), input_data={"text": "hi", **PLATFORM_KEY})

    charged = credits_charge_node_execution(**kwargs)

    assert charged == 3
    tx = CreditTransaction.objects.get(type="USAGE")
    assert tx.transaction_key == f"node_exec:{kwargs['node_exec_id']}"
    assert tx.amount == -3
    assert tx.running_balance == 997
    assert tx.metadata == {
        "graph_exec_id": kwargs["graph_exec_id"],
        "graph_id": kwargs["graph_id"],
        "node_exec_id": kwargs["node_exec_id"],
        "node_id": kwargs["node_id"],
        "block_id": PricedBlock.id,
        "block": "PricedBlock",
        "input": {"credentials": {"provider": "platform"}},
        "reason": f"Ran block {PricedBlock.id} PricedBlock",
    }


def test_the_first_matching_filter_wins(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)

    assert charge(user, PricedBlock(), input_data={"model": "big", **PLATFORM_KEY}) == 7


def test_a_block_run_with_the_users_own_credentials_costs_nothing(user: User) -> None:
    charged = charge(user, PricedBlock(), input_data={"credentials": {"provider": "openai", "id": "mine"}})

    assert charged == 0
    assert not CreditTransaction.objects.exists()


def test_block_costs_from_settings_replace_the_blocks_own(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    overrides = {
        PricedBlock.id: [{"cost_amount": 11, "cost_filter": {"credentials": {"provider": "platform"}}}],
        FreeBlock.id: [{"cost_amount": 2}],
    }
    with override_settings(BLOCK_COSTS=overrides):
        assert charge(user, PricedBlock(), input_data={"model": "big", **PLATFORM_KEY}) == 11
        assert charge(user, FreeBlock()) == 2
    with override_settings(BLOCK_COSTS={PricedBlock.id: []}):
        assert charge(user, PricedBlock(), input_data=PLATFORM_KEY) == 0


def test_a_matching_per_second_cost_is_not_charged_before_the_run(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    with override_settings(BLOCK_COSTS={FreeBlock.id: [{"cost_amount": 5, "cost_type": "second"}, {"cost_amount": 9}]}):
        assert charge(user, FreeBlock()) == 0


def test_every_hundredth_node_execution_costs_one_credit(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    graph_exec_id = "6a9e7b0c-0000-4000-8000-000000000001"

    charges = [charge(user, graph_exec_id=graph_exec_id) for _ in range(200)]

    assert [index + 1 for index, amount in enumerate(charges) if amount] == [100, 200]
    assert set(charges) == {0, 1}
    usage = CreditTransaction.objects.filter(type="USAGE").order_by("created_at")
    assert [tx.amount for tx in usage] == [-1, -1]
    first = usage[0]
    assert first.transaction_key.endswith(":execution_cost")
    assert first.metadata["input"] == {"execution_count": 100, "charge": "Execution Cost"}
    assert first.metadata["reason"].startswith(f"Execution Cost for 100 blocks of ex_id:{graph_exec_id} g_id:")
    assert credits_get_ledger_balance(user_id=user.pk) == 998


def test_the_hundredth_node_of_a_priced_block_pays_both_prices_at_once(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    get_redis().set(execution_counter_key(user.pk), 99)

    assert charge(user, PricedBlock(), input_data=PLATFORM_KEY) == 4
    assert sorted(CreditTransaction.objects.filter(type="USAGE").values_list("amount", flat=True)) == [-3, -1]
    assert credits_get_ledger_balance(user_id=user.pk) == 996


def test_the_execution_counter_expiry_is_set_on_its_first_increment_only(user: User) -> None:
    redis = get_redis()
    key = execution_counter_key(user.pk)

    charge(user)
    assert int(redis.get(key)) == 1
    assert 86390 < redis.ttl(key) <= 86400

    redis.expire(key, 50)
    charge(user)
    charge(user)

    assert int(redis.get(key)) == 3
    assert 0 < redis.ttl(key) <= 50


def test_a_redelivered_node_execution_is_charged_and_counted_once(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    kwargs = node_charge_kwargs(user, PricedBlock(), input_data=PLATFORM_KEY)

    first = credits_charge_node_execution(**kwargs)
    again = credits_charge_node_execution(**kwargs)

    assert first == again == 3
    assert credits_get_ledger_balance(user_id=user.pk) == 997
    assert CreditTransaction.objects.filter(type="USAGE").count() == 1
    assert int(get_redis().get(execution_counter_key(user.pk))) == 1


def test_a_redelivered_hundredth_node_execution_pays_the_execution_cost_once(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1000)
    get_redis().set(execution_counter_key(user.pk), 99)
    kwargs = node_charge_kwargs(user, FreeBlock())

    assert credits_charge_node_execution(**kwargs) == 1
    assert credits_charge_node_execution(**kwargs) == 1

    assert credits_get_ledger_balance(user_id=user.pk) == 999
    assert int(get_redis().get(execution_counter_key(user.pk))) == 100
    assert charge(user) == 0


def test_a_node_the_balance_cannot_pay_fails_with_upstreams_message_and_charges_nothing(user: User) -> None:
    credits_grant(user_id=user.pk, amount=2)

    with pytest.raises(InsufficientBalanceError) as caught:
        charge(user, PricedBlock(), input_data=PLATFORM_KEY)

    assert str(caught.value).startswith("Insufficient balance of $")
    assert str(caught.value) == "Insufficient balance of $0.02, where this will cost $0.03"
    assert credits_get_ledger_balance(user_id=user.pk) == 2
    assert_ledger_consistent(user)


@override_settings(FRONTEND_BASE_URL="https://app.example.com/")
def test_running_out_publishes_zero_balance(
    user: User, notifications: Callable[..., list[dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    credits_grant(user_id=user.pk, amount=1)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InsufficientBalanceError):
        charge(user, PricedBlock(), input_data=PLATFORM_KEY, agent_name="Writer")

    assert notifications() == [
        {
            "method": "notification",
            "data": {
                "type": "ZERO_BALANCE",
                "event": {
                    "current_balance": 1,
                    "shortfall": 2,
                    "billing_page_link": "https://app.example.com/profile/credits",
                    "agent_name": "Writer",
                },
            },
        }
    ]


@override_settings(LOW_BALANCE_THRESHOLD=500, FRONTEND_BASE_URL="https://app.example.com")
def test_a_charge_crossing_below_the_threshold_publishes_low_balance_once(
    user: User, notifications: Callable[..., list[dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    credits_grant(user_id=user.pk, amount=505)

    with django_capture_on_commit_callbacks(execute=True):
        charge(user, PricedBlock(), input_data=PLATFORM_KEY)  # 505 -> 502: stays above
        charge(user, PricedBlock(), input_data=PLATFORM_KEY)  # 502 -> 499: crosses
        charge(user, PricedBlock(), input_data=PLATFORM_KEY)  # 499 -> 496: already below

    received = notifications()
    assert [message["data"]["type"] for message in received] == ["LOW_BALANCE"]
    assert received[0]["data"]["event"] == {
        "current_balance": 499,
        "threshold": 500,
        "billing_page_link": "https://app.example.com/profile/credits",
    }


@override_settings(LOW_BALANCE_THRESHOLD=500)
def test_a_charge_from_exactly_the_threshold_publishes_low_balance(
    user: User, notifications: Callable[..., list[dict[str, Any]]], django_capture_on_commit_callbacks: Any
) -> None:
    credits_grant(user_id=user.pk, amount=500)

    with django_capture_on_commit_callbacks(execute=True):
        charge(user, PricedBlock(), input_data=PLATFORM_KEY)

    assert [message["data"]["type"] for message in notifications()] == ["LOW_BALANCE"]


@override_settings(ENABLE_CREDIT=False)
def test_with_billing_off_nothing_is_charged_or_counted(user: User) -> None:
    charged = charge(user, PricedBlock(), input_data=PLATFORM_KEY)

    assert charged == 0
    assert not CreditTransaction.objects.exists()
    assert get_redis().get(execution_counter_key(user.pk)) is None


@pytest.mark.django_db(transaction=True)
@override_settings(LOW_BALANCE_THRESHOLD=500)
def test_outside_a_transaction_notifications_go_out_as_the_charge_commits(
    user: User, notifications: Callable[..., list[dict[str, Any]]]
) -> None:
    credits_grant(user_id=user.pk, amount=503)

    charge(user, PricedBlock(), input_data=PLATFORM_KEY)  # 503 -> 500
    charge(user, PricedBlock(), input_data=PLATFORM_KEY)  # 500 -> 497
    credits_spend(user_id=user.pk, cost=495)
    with pytest.raises(InsufficientBalanceError):
        charge(user, PricedBlock(), input_data=PLATFORM_KEY, agent_name="Writer")

    received = notifications()
    assert [message["data"]["type"] for message in received] == ["LOW_BALANCE", "ZERO_BALANCE"]
    assert received[0]["data"]["event"]["current_balance"] == 497
    assert received[1]["data"]["event"]["current_balance"] == 2


def test_starting_a_run_with_no_credits_is_refused_with_upstreams_402(user: User) -> None:
    with pytest.raises(InsufficientBalanceError) as caught:
        credits_check_can_execute(user_id=user.pk)

    assert caught.value.status_code == 402
    assert str(caught.value) == "Insufficient balance to execute the agent. Please top up your account."


def test_starting_a_run_with_any_credit_left_is_allowed(user: User) -> None:
    credits_grant(user_id=user.pk, amount=1)

    credits_check_can_execute(user_id=user.pk)


@override_settings(ENABLE_CREDIT=False)
def test_with_billing_off_a_run_starts_without_credits(user: User) -> None:
    credits_check_can_execute(user_id=user.pk)
