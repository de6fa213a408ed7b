"""Jinja2 templates in a sandbox, for the blocks that format text."""

from __future__ import annotations

from typing import Any

from jinja2 import BaseLoader
from jinja2.sandbox import SandboxedEnvironment

MAX_RENDERED_CHARS = 1_000_000


class TextFormatter:
    def __init__(self, *, autoescape: bool = False) -> None:
        self.env = SandboxedEnvironment(
            loader=BaseLoader(), extensions=["jinja2.ext.loopcontrols"], autoescape=autoescape
        )

    def format_string(self, template: str, values: dict[str, Any] | None = None) -> str:
        rendered = self.env.from_string(template).render(values or {})
        if len(rendered) > MAX_RENDERED_CHARS:
            raise ValueError(f"Rendered text is longer than {MAX_RENDERED_CHARS} characters")
        return rendered
