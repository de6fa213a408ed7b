"""A forgiving XML-ish markup parser for LLM output, with upstream's (gravitasml's) dict shape.

Agents ask a model to answer inside tags (`<title>..</title><body>..</body>`) and look the
parts up by tag name, so this reads several top-level elements, lower-cases tag names and
turns an element into `{tag: text}` or `{tag: {child: ...}}` (a list of `{child: ...}` when
children repeat a tag). Text is stripped; mixed text beside child elements is dropped.

It is safe on hostile input by construction: no DTD is accepted (`<!DOCTYPE`/`<!ENTITY` are
refused), so nothing can define or expand entities or reach external resources; only the
fixed HTML/XML character references are decoded. Size and nesting depth are bounded, and the
reader makes one pass: every step finds its end with `str.find` from where the last one stopped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import re2

MAX_MARKUP_CHARS = 10 * 1024 * 1024
MAX_DEPTH = 200


class MarkupError(ValueError):
    pass


@dataclass
class _Element:
    tag: str
    children: list[_Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        if not self.children:
            return {self.tag: "".join(self.text).strip()}
        return {self.tag: _collapse(self.children)}


def _collapse(elements: list[_Element]) -> dict[str, Any] | list[Any]:
    tags = [element.tag for element in elements]
    if len(elements) > 1 and len(set(tags)) < len(tags):
        return [element.to_dict() for element in elements]
    merged: dict[str, Any] = {}
    for element in elements:
        merged.update(element.to_dict())
    return merged


# RE2, not `re`: a tag of many spaces would make `re`'s backtracking quadratic.
_ATTRIBUTE = re2.compile(r"""\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'|\S+)""")


def _tag_name(raw: str) -> str:
    """`<Blog Post>` is `blog_post`, as upstream; attributes (`key="value"`) are dropped."""
    return "_".join(_ATTRIBUTE.sub("", raw).split()).lower()


# Constructs that open with `<`, the text that ends them, and the error when it is missing.
_DELIMITED = (
    ("<!--", "-->", "Unclosed comment <!--."),
    ("<![CDATA[", "]]>", "Unclosed CDATA section."),
    ("<?", "?>", "Unclosed processing instruction <?."),
)


def _tokens(markup: str) -> Any:
    """`(kind, text)` pairs in one pass: each step finds its end with `str.find`, never looking back."""
    position, end = 0, len(markup)
    while position < end:
        opening = markup.find("<", position)
        if opening == -1:
            yield "text", markup[position:]
            return
        if opening > position:
            yield "text", markup[position:opening]
        for start, close, unclosed in _DELIMITED:
            if markup.startswith(start, opening):
                stop = markup.find(close, opening + len(start))
                if stop == -1:
                    raise MarkupError(unclosed)
                kind = "cdata" if start == "<![CDATA[" else "skip"
                yield kind, markup[opening + len(start) : stop]
                position = stop + len(close)
                break
        else:
            if markup.startswith("<!", opening):
                raise MarkupError("DTD and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed.")
            # The tag ends before the next `<`: looking no further keeps a run of `<` linear.
            following = markup.find("<", opening + 1)
            stop = markup.find(">", opening + 1, end if following == -1 else following)
            if stop in (-1, opening + 1):
                # A `<` that opens no tag is text, as a forgiving reader of model output takes it.
                yield "text", "<"
                position = opening + 1
                continue
            inner = markup[opening + 1 : stop]
            if inner.startswith("/"):
                yield "close", inner[1:]
            elif inner[0].isspace():
                yield "text", markup[opening : stop + 1]
            else:
                yield "open", inner
            position = stop + 1


def parse_markup(markup: str) -> dict[str, Any] | list[Any]:
    if len(markup) > MAX_MARKUP_CHARS:
        raise MarkupError(f"XML too large: {len(markup)} characters > {MAX_MARKUP_CHARS} characters")
    if not markup.strip():
        raise MarkupError("XML input is empty.")

    roots: list[_Element] = []
    stack: list[_Element] = []
    for kind, value in _tokens(markup):
        if kind == "skip":
            continue
        if kind in ("text", "cdata"):
            text = value if kind == "cdata" else html.unescape(value)
            if stack:
                stack[-1].text.append(text)
            elif text.strip():
                raise MarkupError("XML contains text outside the root element; wrap content in a single root tag.")
        elif kind == "close":
            name = _tag_name(value)
            if not stack:
                raise MarkupError(f"Unexpected closing tag </{name}>.")
            if stack[-1].tag != name:
                raise MarkupError(f"Mismatched tags: {stack[-1].tag} and {name}")
            stack.pop()
        else:
            self_closing = value.endswith("/")
            element = _Element(_tag_name(value[:-1] if self_closing else value))
            (stack[-1].children if stack else roots).append(element)
            if not self_closing:
                stack.append(element)
                if len(stack) > MAX_DEPTH:
                    raise MarkupError(f"XML is nested deeper than {MAX_DEPTH} levels.")
    if stack:
        raise MarkupError(f"Unclosed tag <{stack[-1].tag}>.")
    if not roots:
        raise MarkupError("XML must include a root element.")
    return _collapse(roots)
