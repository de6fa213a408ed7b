"""What the language-model stand-ins answer an exported agent: a plausible reply for what the prompt asks.

A real model follows the prompt's format instructions, and the agents' next blocks depend on
that: structured blocks ask for JSON inside `<json_output id=...>` tags, others for named XML
tags (`<title>...</title>`) that an XML parser then reads. So the reply is, in order:

- JSON in the requested tag, with every key of the expected format (a list of strings for
  the list generator's `list`, made of the URLs in the prompt when the focus asks for URLs);
- else, one element per tag the prompt spells out, nested as the prompt's example nests them
  (a tag shown twice inside its parent is written twice; `TAG_CONTENT` for the few whose
  content must have a shape, e.g. domain names);
- else plain text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.llm_script import Recorded, Reply

JSON_TAG = re.compile(r'<json_output id="[0-9a-f]+">')
# An XML tag the prompt spells out with its closing tag, e.g. `<title>` ... `</title>`.
OPEN_TAG = re.compile(r"<([a-z][a-z_]*)>")
URL = re.compile(r"https?://[^\s\"'<>()\[\]`]+")
# Tags whose content the next blocks read as something specific.
TAG_CONTENT = {
    "domains": "agentforge.com,flowpilot.com,taskloom.com",
    "url": "https://images.example.com/moon.png",
    "story": "Man lands on the moon",
}


def prompt_text(request: Recorded) -> str:
    parts: list[str] = []
    system = request.body.get("system")
    if isinstance(system, str):
        parts.append(system)
    elif isinstance(system, list):
        parts += [block.get("text", "") for block in system if isinstance(block, dict)]
    for message in request.body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [block.get("text", "") for block in content if isinstance(block, dict)]
    return "\n".join(parts)


def expected_keys(text: str, tag_end: int) -> list[str]:
    """The keys of the JSON format shown right after the tag (the first object, in list mode too)."""
    start = text.find("{", tag_end)
    if start < 0:
        return []
    depth = 0
    for index in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            try:
                shown: dict[str, Any] = json.loads(text[start : index + 1])
            except json.JSONDecodeError:
                return []
            return list(shown)
    return []


def list_items(text: str) -> list[str]:
    """A list generator's items: URLs of the kind the focus shows, found in the prompt, else three ideas."""
    focus_urls = [url for url in URL.findall(text) if url.endswith("=.....")]
    if focus_urls:
        prefix = focus_urls[0].removesuffix(".....")
        found = [url.rstrip(".,") for url in URL.findall(text) if url.startswith(prefix) and url != focus_urls[0]]
        if found:
            return list(dict.fromkeys(found))
    return ["First idea", "Second idea", "Third idea"]


def json_reply(text: str, tag: str, tag_end: int) -> str:
    keys = expected_keys(text, tag_end)
    answer: dict[str, Any] = {key: list_items(text) if key == "list" else f"A {key} answer" for key in keys}
    list_mode = text[tag_end : text.find("{", tag_end)].strip().startswith("[")
    body = json.dumps([answer] if list_mode else answer)
    return f"Here it is.\n{tag}\n{body}\n</json_output>"


def requested_tags(text: str) -> list[str]:
    """Tags the prompt spells out as `<name>` ... `</name>`, in order of first appearance."""
    names = [name for name in OPEN_TAG.findall(text) if f"</{name}>" in text]
    return list(dict.fromkeys(names))


def first_span(text: str, name: str) -> tuple[int, int]:
    start = text.find(f"<{name}>")
    return start, text.find(f"</{name}>", start)


def xml_reply(text: str, tags: list[str]) -> str:
    """The tags as the prompt's example arranges them: a tag inside another's first span is its child."""
    spans = {name: first_span(text, name) for name in tags}
    parent: dict[str, str | None] = {}
    for name in tags:
        start = spans[name][0]
        enclosing = [other for other in tags if other != name and spans[other][0] < start < spans[other][1]]
        parent[name] = max(enclosing, key=lambda other: spans[other][0]) if enclosing else None

    def render(name: str) -> str:
        children = [child for child in tags if parent[child] == name]
        if not children:
            return f"<{name}>{TAG_CONTENT.get(name, f'The {name}')}</{name}>"
        start, end = spans[name]
        inner = "".join(render(child) * min(2, text.count(f"<{child}>", start, end)) for child in children)
        return f"<{name}>{inner}</{name}>"

    return "\n".join(render(name) for name in tags if parent[name] is None)


def plausible_text(request: Recorded) -> str:
    text = prompt_text(request)
    tag = JSON_TAG.search(text)
    if tag is not None:
        return json_reply(text, tag.group(0), tag.end())
    tags = requested_tags(text)
    if tags:
        return xml_reply(text, tags)
    return f"Drafted: {request.last_user_text[:80]}"


def plausible_reply(request: Recorded) -> Reply:
    return Reply(text=plausible_text(request), prompt_tokens=100, completion_tokens=30)
