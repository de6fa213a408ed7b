"""Building graph JSON for tests, in the shape clients post."""

from __future__ import annotations

import uuid
from typing import Any

STORE_VALUE = "1ff065e9-88e8-4358-9d82-8dc91f622ba9"
AGENT_INPUT = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
AGENT_OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
PRINT_TO_CONSOLE = "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c"
NOTE = "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc"
FILL_TEXT_TEMPLATE = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
FIND_IN_DICTIONARY = "0e50422c-6dee-4145-83d6-3a5a392f65de"
STEP_THROUGH_ITEMS = "f66a3543-28d3-4ab5-8945-9b336371e2ce"
COUNTDOWN_TIMER = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"
GET_LIST_ITEM = "262ca24c-1025-43cf-a578-534e23234e97"
COMBINE_TEXTS = "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85"


def node(block_id: str, input_default: dict[str, Any] | None = None, *, id: str | None = None) -> dict[str, Any]:
    return {"id": id or str(uuid.uuid4()), "block_id": block_id, "input_default": input_default or {}, "metadata": {}}


def link(
    source: dict[str, Any], source_name: str, sink: dict[str, Any], sink_name: str, *, is_static: bool = False
) -> dict[str, Any]:
    return {
        "source_id": source["id"],
        "sink_id": sink["id"],
        "source_name": source_name,
        "sink_name": sink_name,
        "is_static": is_static,
    }


def graph(nodes: list[dict[str, Any]], links: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    return {"name": "test graph", "description": "", "nodes": nodes, "links": links or [], **fields}
