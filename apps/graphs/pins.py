"""Dynamic pin names, as upstream.

A link may name part of a pin: on the output side `result_$_1` selects index 1
of the `result` value, `config_#_key` a dict key and `obj_@_attr` an attribute
(nested: `out_#_a_$_0`). On the input side `items_$_0`, `values_#_a` and
`obj_@_x` each fill one part of the `items`/`values`/`obj` input, which is
assembled from its parts before the block runs; the raw keys stay in the data.

Tool pins are the other way round: the decision maker emits
`tools_^_{sink node id}_~_{sink pin}`, and that value goes only along the link
into that node's pin, whatever the link's source name (`tools`, or upstream's
older `tools_^_{tool}_~_{argument}`, which exported agents carry).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

LIST_SPLIT = "_$_"
DICT_SPLIT = "_#_"
OBJC_SPLIT = "_@_"
TOOL_SPLIT = "_^_"
TOOL_ARGUMENT_SPLIT = "_~_"
TOOL_PIN_PREFIX = "tools" + TOOL_SPLIT
_DELIMITERS = re.compile(r"(_\$_|_#_|_@_)")


def sanitize_pin_name(name: str) -> str:
    """The base pin a (possibly dynamic) pin name refers to: `values_#_a` → `values`."""
    for delimiter in (LIST_SPLIT, DICT_SPLIT, OBJC_SPLIT, TOOL_SPLIT):
        name = name.split(delimiter, 1)[0]
    return name


_MISSING = object()


def _select(value: Any, delimiter: str, key: str) -> Any:
    if delimiter == LIST_SPLIT:
        if not isinstance(value, (list, tuple)):
            return _MISSING
        try:
            index = int(key)
        except ValueError:
            return _MISSING
        return value[index] if -len(value) <= index < len(value) else _MISSING
    if delimiter == DICT_SPLIT:
        return value[key] if isinstance(value, dict) and key in value else _MISSING
    if isinstance(value, dict):
        return _MISSING
    return getattr(value, key, _MISSING)


def is_tool_pin(name: str) -> bool:
    return name == "tools" or name.startswith(TOOL_PIN_PREFIX)


def tool_pin(sink_node_id: str, sink_pin: str) -> str:
    """The output a decision maker emits for one argument of a tool call: it names where the value goes."""
    return f"{TOOL_PIN_PREFIX}{sink_node_id}{TOOL_ARGUMENT_SPLIT}{sink_pin}"


def parse_execution_output(
    output_name: str, value: Any, selector: str, *, sink_id: str = "", sink_name: str = ""
) -> tuple[bool, Any]:
    """Whether an output `(output_name, value)` feeds a link whose source pin is `selector`, and with what.

    An exact name always matches, even with a `None` value; a selector that
    does not resolve (wrong name, missing key, index out of range) does not.
    A tool pin matches the link into the sink node and pin it names, and no other.
    """
    if is_tool_pin(selector) and output_name.startswith(TOOL_PIN_PREFIX) and TOOL_ARGUMENT_SPLIT in output_name:
        target_node, target_pin = output_name.removeprefix(TOOL_PIN_PREFIX).split(TOOL_ARGUMENT_SPLIT, 1)
        return (True, value) if (target_node, target_pin) == (sink_id, sink_name) else (False, None)
    if selector == output_name:
        return True, value
    if not selector.startswith(output_name):
        return False, None
    tokens = _DELIMITERS.split(selector[len(output_name) :])
    # A valid path splits into ["", delimiter, key, delimiter, key, ...].
    if len(tokens) < 3 or tokens[0] != "" or len(tokens) % 2 == 0:
        return False, None
    current = value
    for delimiter, key in zip(tokens[1::2], tokens[2::2], strict=True):
        current = _select(current, delimiter, key)
        if current is _MISSING:
            return False, None
    return True, current


class MockObject:
    """What `obj_@_attr` input pins assemble: an object with the given attributes."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MockObject) and self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        return f"MockObject({self.__dict__!r})"


class DynamicPinError(ValueError):
    pass


def list_index_error(pin: str) -> str | None:
    """Why a dynamic list pin (`items_$_3`) is refused: its index is over `DYNAMIC_PIN_MAX_INDEX`.

    The list is built with an item for every index below the highest, so the index bounds its memory.
    """
    if LIST_SPLIT not in pin:
        return None
    index = pin.split(LIST_SPLIT, 1)[1]
    limit = settings.DYNAMIC_PIN_MAX_INDEX
    if index.isdigit() and (len(index) > len(str(limit)) or int(index) > limit):
        return f"List index {index} of pin `{pin}` is over the limit of {limit} (DYNAMIC_PIN_MAX_INDEX)"
    return None


def merge_execution_input(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` with list/dict/object pins assembled from their dynamic parts."""
    merged = dict(data)
    list_parts: dict[str, dict[int, Any]] = {}
    for key, value in data.items():
        if LIST_SPLIT in key:
            name, index = key.split(LIST_SPLIT, 1)
            if not index.isdigit():
                raise DynamicPinError(f"Invalid key: {key}, #{index} index must be an integer.")
            if (message := list_index_error(key)) is not None:
                raise DynamicPinError(message)
            list_parts.setdefault(name, {})[int(index)] = value
    for name, parts in list_parts.items():
        existing = merged.get(name)
        items = list(existing) if isinstance(existing, list) else []
        needed = max(parts) + 1
        items.extend([""] * (needed - len(items)))
        for position, value in parts.items():
            items[position] = value
        merged[name] = items
    for key, value in data.items():
        if DICT_SPLIT in key:
            name, dict_key = key.split(DICT_SPLIT, 1)
            existing = merged.get(name)
            merged[name] = {**(existing if isinstance(existing, dict) else {}), dict_key: value}
    for key, value in data.items():
        if OBJC_SPLIT in key:
            name, attribute = key.split(OBJC_SPLIT, 1)
            existing = merged.get(name)
            target = existing if isinstance(existing, MockObject) else MockObject()
            setattr(target, attribute, value)
            merged[name] = target
    return merged
