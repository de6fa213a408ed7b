from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from apps.credits.checks import check_block_costs
from apps.credits.costs import block_usage_cost, cost_filter_matches, execution_usage_cost
from tests.credits.conftest import PricedBlock


@pytest.mark.parametrize(
    ("cost_filter", "input_data", "matches"),
    [
        ({}, {"anything": 1}, True),
        ({"model": "gpt-4o"}, {"model": "gpt-4o", "prompt": "hi"}, True),
        ({"model": "gpt-4o"}, {"model": "gpt-4o-mini"}, False),
        ({"credentials": {"provider": "openai"}}, {"credentials": {"provider": "openai", "id": "x"}}, True),
        ({"credentials": {"provider": "openai"}}, {"credentials": {"provider": "anthropic"}}, False),
        ({"raw_content": None}, {}, True),
        ({"raw_content": ""}, {"raw_content": None}, True),
        ({"raw_content": None}, {"raw_content": ""}, True),
        ({"raw_content": False}, {"raw_content": True}, False),
        ({"raw_content": True}, {}, False),
        ({"tags": ["a"]}, {"tags": ["a"]}, True),
        ({"tags": ["a"]}, {"tags": ["a", "b"]}, False),
    ],
)
def test_cost_filters_match_as_recursive_subsets_with_none_missing_and_empty_equal(
    cost_filter: dict[str, Any], input_data: dict[str, Any], matches: bool
) -> None:
    assert cost_filter_matches(cost_filter, input_data) is matches


def test_a_block_without_a_matching_cost_is_free() -> None:
    assert block_usage_cost(block=PricedBlock(), input_data={"credentials": {"provider": "mine"}}) == (0, {})


@override_settings(EXECUTION_COST_COUNT_THRESHOLD=100, EXECUTION_COST_PER_THRESHOLD=1)
def test_only_multiples_of_the_threshold_cost_an_execution_charge() -> None:
    assert [execution_usage_cost(count) for count in (0, 1, 99, 100, 101, 200)] == [0, 0, 0, 1, 0, 1]


@override_settings(EXECUTION_COST_COUNT_THRESHOLD=0)
def test_a_zero_threshold_turns_the_execution_charge_off() -> None:
    assert execution_usage_cost(100) == 0


def test_the_system_check_accepts_valid_block_costs() -> None:
    with override_settings(BLOCK_COSTS={PricedBlock.id: [{"cost_amount": 1, "cost_filter": {}, "cost_type": "byte"}]}):
        assert check_block_costs() == []


@pytest.mark.parametrize(
    "costs",
    [
        {"b": {"cost_amount": 1}},
        {"b": [{"cost_amount": -1}]},
        {"b": [{"cost_amount": "1"}]},
        {"b": [{"cost_filter": {}}]},
        {"b": [{"cost_amount": 1, "cost_type": "minute"}]},
        {"b": [{"cost_amount": 1, "price": 2}]},
        {"b": ["1"]},
    ],
)
def test_the_system_check_refuses_malformed_block_costs(costs: dict[str, Any]) -> None:
    with override_settings(BLOCK_COSTS=costs):
        errors = check_block_costs()

    assert [error.id for error in errors] == ["credits.E001"]
