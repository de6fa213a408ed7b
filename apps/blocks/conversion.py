"""Upstream's `convert`: turn any JSON value into a string, number, boolean, list or dict.

Unlike input coercion (`schema.coerce`, which leaves a value it cannot convert for
validation to reject), this always produces the target type, with upstream's fallbacks:
a collection counts as its length, an unparseable number is 0, a scalar becomes a
one-item list or `{"value": scalar}`. Used by UniversalTypeConverterBlock and by
IfInputMatchesBlock to compare a value with an input of another type.
"""

from __future__ import annotations

import json
from typing import Any


def to_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def to_number(value: Any, number_type: type[int] | type[float] = float) -> int | float:
    if isinstance(value, (list, dict, tuple, set)):
        return number_type(len(value))
    if isinstance(value, number_type) and not isinstance(value, bool):
        return value
    try:
        return number_type(float(value))
    except (TypeError, ValueError, OverflowError):
        return number_type(0)


def to_boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def to_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    if isinstance(value, dict):
        return [[key, item] for key, item in value.items()]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = json.loads(text)
            except ValueError:
                return [value]
            return parsed if isinstance(parsed, list) else [value]
    return [value]


def to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {"value": value}
        return parsed if isinstance(parsed, dict) else {"value": parsed}
    if isinstance(value, (list, tuple)):
        # Keys are strings: the dict travels as JSON to the next node.
        return {str(index): item for index, item in enumerate(value)}
    return {"value": value}


_CONVERTERS: dict[type, Any] = {
    str: to_string,
    float: to_number,
    int: lambda value: to_number(value, int),
    bool: to_boolean,
    list: to_list,
    dict: to_dict,
}


def can_convert_to(target: type) -> bool:
    return target in _CONVERTERS


def convert(value: Any, target: type) -> Any:
    """`value` as `target` (one of str, int, float, bool, list, dict)."""
    if type(value) is target:
        return value
    return _CONVERTERS[target](value)
