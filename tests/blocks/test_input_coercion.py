"""Inputs are converted towards their declared types, inside collections too, as upstream's `convert` does."""

from __future__ import annotations

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
