"""Inputs are converted towards their declared types, inside collections too, as upstream's `convert` does."""

from __future__ import annotations

import pytest

from apps.blocks.base import BlockInputError
from apps.blocks.registry import get_block

AI_TEXT_GENERATOR = "1f292d4a-41a4-4977-9684-7c8d560b9f91"
CREDENTIALS = {"id": "c0ffee00-0000-4000-8000-000000000001", "provider": "openai", "type": "api_key"}


def test_prompt_values_linked_from_numbers_and_lists_become_text() -> None:
    block = get_block(AI_TEXT_GENERATOR)
    assert block is not None

    parsed = block.parse_input(
        {
            "prompt": "{{count}} of {{items}}",
            "prompt_values": {"count": 1, "items": ["a", "b"], "flag": True, "text": "as is"},
            "credentials": CREDENTIALS,
        }
    )

    assert parsed.prompt_values == {"count": "1", "items": '["a", "b"]', "flag": "True", "text": "as is"}


MATCH_TEXT_PATTERN = "3060088f-6ed9-4928-9ba7-9c92823a7ccd"
GMAIL_FORWARD = "64d2301c-b3f5-4174-8ac0-111ca1e1a7c0"
GOOGLE = {"id": "c0ffee00-0000-4000-8000-000000000002", "provider": "google", "type": "oauth2"}


def test_a_lone_value_linked_into_a_list_pin_becomes_a_list_of_one_and_a_json_list_its_items() -> None:
    block = get_block(GMAIL_FORWARD)
    assert block is not None
    common = {"messageId": "m-1", "credentials": GOOGLE}

    assert block.parse_input({**common, "to": "lead@example.com"}).to == ["lead@example.com"]
    assert block.parse_input({**common, "to": '["a@example.com", "b@example.com"]'}).to == [
        "a@example.com",
        "b@example.com",
    ]


def test_a_required_pin_given_none_takes_it_where_any_value_is_allowed() -> None:
    # RetrieveInformation of a key never stored yields None into MatchTextPattern's `text`.
    block = get_block(MATCH_TEXT_PATTERN)
    assert block is not None

    parsed = block.parse_input({"text": None, "data": None, "match": "^tbl"})

    assert parsed.text is None


def test_a_required_text_pin_given_none_says_what_it_expected() -> None:
    block = get_block(AI_TEXT_GENERATOR)
    assert block is not None

    with pytest.raises(BlockInputError, match="prompt: Input should be a valid string"):
        block.parse_input({"prompt": None, "credentials": CREDENTIALS})
