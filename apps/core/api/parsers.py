"""The JSON body parser, with a bound on nesting.

Python's JSON decoder recurses once per level, so a body of a few thousand `[` ends
in a RecursionError, and anything nested a few hundred deep would strain every
recursive step after it (validation, storage, events). Deeper than
`JSON_MAX_DEPTH` is a 422 that names the limit.

A NUL character (`\u0000`) in any string or key is a 422 too: PostgreSQL can store it in neither
text nor JSON columns, so a body holding one would fail only when saved.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests containers more than `limit` deep (iteratively: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        children = current.values() if isinstance(current, dict) else current
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def json_holds_nul(value: Any) -> bool:
    """Whether a string or key anywhere in `value` holds a NUL character (iteratively)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return True
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.JSON_MAX_DEPTH
        too_deep = ParseError(f"JSON is nested deeper than {limit} levels (JSON_MAX_DEPTH).")
        raw = stream.read() if stream is not None else b""
        try:
            data = json.loads(raw, parse_constant=strict_constant if self.strict else None)
        except RecursionError as error:
            raise too_deep from error
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        # Fewer opening brackets than the limit cannot nest past it: most bodies skip the walk.
        nested = isinstance(data, (dict, list)) and raw.count(b"[") + raw.count(b"{") > limit
        if nested and json_depth_exceeds(data, limit):
            raise too_deep
        # Only an escaped NUL can be one (strict JSON has no raw control characters): most bodies skip the walk.
        if b"\\u0000" in raw and json_holds_nul(data):
            raise ParseError("JSON strings and keys must not contain NUL characters (\\u0000).")
        return data
