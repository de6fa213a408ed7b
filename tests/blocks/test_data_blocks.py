from __future__ import annotations

import json

import pytest

from apps.blocks.base import BlockExecutionError
from apps.blocks.library.basic import UniversalTypeConverterBlock
from apps.blocks.library.dictionaries import (
    FindInDictionaryBlock,
    RemoveFromDictionaryBlock,
    ReplaceDictionaryValueBlock,
)
from apps.blocks.library.iteration import MAX_ITEMS, MAX_ITEMS_STR_CHARS, StepThroughItemsBlock
from apps.blocks.library.lists import AddToListBlock, CreateListBlock, GetListItemBlock, RemoveFromListBlock
from tests.blocks.outputs import outputs_of


async def test_find_in_dictionary_on_a_list_of_dicts_collects_the_key_from_each() -> None:
    people = [{"name": "Ada", "age": 36}, {"age": 41}, {"name": "Grace"}, "not a dict"]

    outputs = await outputs_of(FindInDictionaryBlock, {"input": people, "key": "name"})

    assert outputs == [("output", ["Ada", "Grace"])]


async def test_find_in_dictionary_on_a_list_of_dicts_without_the_key_is_an_empty_list() -> None:
    outputs = await outputs_of(FindInDictionaryBlock, {"input": [{"a": 1}], "key": "b"})

    assert outputs == [("output", [])]


async def test_find_in_dictionary_finds_a_numeric_key_of_a_json_object() -> None:
    outputs = await outputs_of(FindInDictionaryBlock, {"input": {"1": "one"}, "key": 1})

    assert outputs == [("output", "one")]


async def test_find_in_dictionary_treats_text_that_is_not_json_as_missing() -> None:
    outputs = await outputs_of(FindInDictionaryBlock, {"input": "plain words", "key": "title"})

    assert outputs == [("missing", "plain words")]


async def test_find_in_dictionary_negative_index_is_missing_as_upstream() -> None:
    outputs = await outputs_of(FindInDictionaryBlock, {"input": [1, 2, 3], "key": -1})

    assert outputs == [("missing", [1, 2, 3])]


async def test_removing_a_missing_key_fails_with_upstream_message() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(RemoveFromDictionaryBlock, {"dictionary": {"a": 1}, "key": "b"})

    assert str(raised.value) == "Key 'b' not found in dictionary"


async def test_replacing_a_missing_key_fails_with_upstream_message() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(ReplaceDictionaryValueBlock, {"dictionary": {}, "key": "k", "value": 1})

    assert str(raised.value) == "Key 'k' not found in dictionary"


async def test_get_list_item_out_of_range_fails_with_upstream_message() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(GetListItemBlock, {"list": [1], "index": 5})

    assert str(raised.value) == "Index out of range"


async def test_remove_from_list_needs_an_index_or_a_value_present() -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(RemoveFromListBlock, {"list": [1, 2], "value": 3})

    assert str(raised.value) == "Index or value not found"


async def test_step_through_items_refuses_too_many_items_before_emitting_any() -> None:
    block = StepThroughItemsBlock()
    produced = []

    with pytest.raises(BlockExecutionError) as raised:
        async for output in block.execute({"items": list(range(MAX_ITEMS + 1))}):
            produced.append(output)

    assert str(raised.value) == f"Too many items: {MAX_ITEMS + 1} > {MAX_ITEMS}"
    assert produced == []


async def test_step_through_items_counts_all_sources_against_the_limit() -> None:
    half = MAX_ITEMS // 2
    data = {"items": list(range(half)), "items_object": {str(i): i for i in range(half + 1)}}

    with pytest.raises(BlockExecutionError, match=f"^Too many items: {MAX_ITEMS + 1} > {MAX_ITEMS}$"):
        await outputs_of(StepThroughItemsBlock, data)


async def test_step_through_items_accepts_exactly_the_limit() -> None:
    outputs = await outputs_of(StepThroughItemsBlock, {"items": list(range(MAX_ITEMS))})

    assert len(outputs) == 2 * MAX_ITEMS
    assert outputs[-2:] == [("item", MAX_ITEMS - 1), ("key", MAX_ITEMS - 1)]


async def test_step_through_items_refuses_an_items_str_over_one_megabyte() -> None:
    text = json.dumps(["x" * (MAX_ITEMS_STR_CHARS // 2), "y" * (MAX_ITEMS_STR_CHARS // 2)])

    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(StepThroughItemsBlock, {"items_str": text})

    assert str(raised.value) == f"Input too large: {len(text)} characters > {MAX_ITEMS_STR_CHARS} characters"


@pytest.mark.parametrize(
    ("items_str", "message"),
    [
        ("[1, 2", "items_str is not valid JSON: "),
        ("42", "items_str must be a JSON list or object, not int"),
    ],
)
async def test_step_through_items_refuses_an_items_str_that_is_no_collection(items_str, message) -> None:
    with pytest.raises(BlockExecutionError) as raised:
        await outputs_of(StepThroughItemsBlock, {"items_str": items_str})

    assert str(raised.value).startswith(message)


async def test_step_through_items_takes_a_json_list_linked_to_items() -> None:
    outputs = await outputs_of(StepThroughItemsBlock, {"items": '["a"]'})

    assert outputs == [("item", "a"), ("key", 0)]


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("12", "number", 12.0),
        ([1, 2, 3], "number", 3.0),
        ("yes", "boolean", False),
        ("1", "boolean", True),
        (0, "boolean", False),
        (5, "string", "5"),
        ({"k": "v"}, "list", [["k", "v"]]),
        ('{"k": "v"}', "dictionary", {"k": "v"}),
        ("[1, 2]", "dictionary", {"value": [1, 2]}),
        ("text", "dictionary", {"value": "text"}),
    ],
)
async def test_universal_type_converter(value, target, expected) -> None:
    assert await outputs_of(UniversalTypeConverterBlock, {"value": value, "type": target}) == [("value", expected)]


async def test_find_in_dictionary_parses_json_text() -> None:
    outputs = await outputs_of(FindInDictionaryBlock, {"input": '{"title": "From JSON text"}', "key": "title"})

    assert outputs == [("output", "From JSON text")]


@pytest.mark.parametrize(
    ("data", "updated"),
    [
        (
            {
                "list": [1, "string", {"existing_key": "existing_value"}],
                "entry": {"new_key": "new_value"},
                "position": 1,
            },
            [1, {"new_key": "new_value"}, "string", {"existing_key": "existing_value"}],
        ),
        ({"entry": "first_entry"}, ["first_entry"]),
        ({"list": ["a", "b", "c"], "entry": "d"}, ["a", "b", "c", "d"]),
        ({"list": ["a", "b"], "entries": ["c"], "position": -1}, ["a", "c", "b"]),
    ],
)
async def test_add_to_list(data, updated) -> None:
    assert await outputs_of(AddToListBlock, data) == [("updated_list", updated)]


@pytest.mark.parametrize(
    ("data", "chunks"),
    [
        ({"values": [1, 2, 3, 4, 5], "max_size": 2}, [[1, 2], [3, 4], [5]]),
        ({"values": ["aaaa", "bbbb", "cccc"], "max_tokens": 2}, [["aaaa", "bbbb"], ["cccc"]]),
        ({"values": ["a" * 40, "b"], "max_tokens": 2}, [["a" * 40], ["b"]]),
        ({"values": [1, 2], "max_size": 0}, [[1, 2]]),
        ({"values": []}, [[]]),
    ],
)
async def test_create_list_chunks_by_size_or_estimated_tokens(data, chunks) -> None:
    assert await outputs_of(CreateListBlock, data) == [("list", chunk) for chunk in chunks]


async def test_step_through_items_of_a_dict_yields_each_value_with_its_key() -> None:
    outputs = await outputs_of(StepThroughItemsBlock, {"items_object": {"first": "a", "second": "b"}})

    assert outputs == [("item", "a"), ("key", "first"), ("item", "b"), ("key", "second")]


async def test_step_through_items_parses_items_str() -> None:
    outputs = await outputs_of(StepThroughItemsBlock, {"items_str": '{"k": [1]}'})

    assert outputs == [("item", [1]), ("key", "k")]
